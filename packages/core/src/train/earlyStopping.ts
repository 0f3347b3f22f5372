/**
 * Stops training when a monitored value stops improving (the Keras `EarlyStopping` rule): an epoch
 * improves when its value beats the best so far by more than `minDelta`; once `patience` epochs in a
 * row (at least one) have not improved, training stops.
 */
export interface EarlyStoppingOptions {
  /**
   * The epoch value to watch: `'loss'`, `'valLoss'`, a metric name, or `'val_' + name` for a metric on
   * the validation data. Default: `'valLoss'` when there is validation data, else `'loss'`.
   */
  monitor?: string;
  /** Epochs in a row without improvement that stop training, an integer ≥ 0 (0 acts as 1); default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement, ≥ 0; default 0. */
  minDelta?: number;
  /** `'min'` (default) when lower is better (losses), `'max'` when higher is better (accuracy). */
  mode?: 'min' | 'max';
  /**
   * When training ends (stopped early, epochs exhausted or aborted), put the variables back to their
   * values at the end of the best epoch; default false.
   */
  restoreBest?: boolean;
}

/** Tracks the best epoch of a monitored value and counts epochs since it. @internal */
export class BestEpochTracker {
  bestEpoch: number | null = null;
  bestValue: number = Number.NaN;
  private epochsWithoutImprovement = 0;

  constructor(
    private readonly mode: 'min' | 'max',
    private readonly minDelta: number,
  ) {}

  /** Records an epoch's value; returns whether it is the new best. NaN never improves. */
  update(epoch: number, value: number): boolean {
    const improved =
      !Number.isNaN(value) &&
      (this.bestEpoch === null ||
        (this.mode === 'min'
          ? value < this.bestValue - this.minDelta
          : value > this.bestValue + this.minDelta));
    if (improved) {
      this.bestEpoch = epoch;
      this.bestValue = value;
      this.epochsWithoutImprovement = 0;
    } else {
      this.epochsWithoutImprovement++;
    }
    return improved;
  }

  /** Whether `patience` epochs in a row (at least one) have passed without improvement. */
  exhausted(patience: number): boolean {
    return this.epochsWithoutImprovement >= Math.max(1, patience);
  }
}
