// Types of the `mnist` package (cazala/mnist 1.1, CommonJS, no bundled types).
declare module 'mnist' {
  /** One example: 784 pixels in [0, 1] and a one-hot label. */
  interface MnistSample {
    input: number[];
    output: number[];
  }
  /** The helpers of one digit class. */
  interface MnistDigit {
    id: number;
    /** Number of stored samples of this digit. */
    length: number;
    /** The 784 pixels of sample `index` (a random one when omitted or out of range). */
    get(index?: number): number[];
    range(start: number, end: number): number[][];
    set(start: number, end: number): MnistSample[];
  }
  interface Mnist {
    [digit: number]: MnistDigit;
    /** Random (Math.random, unseeded) shuffled training and test sets. */
    set(nTrain: number, nTest: number): { training: MnistSample[]; test: MnistSample[] };
  }
  const mnist: Mnist;
  export default mnist;
}
