// Types for the `mnist` package (CommonJS, untyped): ten digits, each with `length` samples of 28×28
// values in [0, 1].
declare module 'mnist' {
  interface MnistSample {
    input: number[];
    output: number[];
  }
  interface MnistDigit {
    id: number;
    length: number;
    /** Samples `start` through `end` inclusive (clamped), in file order. */
    set(start: number, end: number): MnistSample[];
  }
  const mnist: MnistDigit[] & { set(training: number, test: number): unknown };
  export default mnist;
}
