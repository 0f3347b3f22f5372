import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors/errors.js';
import { EULER_GAMMA, logGamma } from './logGamma.js';

/** Natural logarithm of a positive BigInt, correct to about one ulp. */
function bigLog(value: bigint): number {
  const bits = value.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Math.log(Number(value >> BigInt(shift))) + shift * Math.LN2;
}

function bigFactorial(n: number): bigint {
  let result = 1n;
  for (let i = 2n; i <= BigInt(n); i++) result *= i;
  return result;
}

function expectRelative(actual: number, expected: number, rtol: number, atol = 0): void {
  const error = Math.abs(actual - expected);
  if (!(error <= rtol * Math.abs(expected) + atol)) {
    throw new Error(`expected ${expected}, got ${actual} (error ${error}, rtol ${rtol}, atol ${atol})`);
  }
}

/**
 * Independent reference: ln Γ(x) = ln Γ(x+N) − ln[x(x+1)…(x+N−1)] with Stirling's series at x+N ≥ 40 (14 terms,
 * truncation far below 1e−30). In float64 its absolute error is ~1e−14 (the product's logarithm).
 */
function referenceLogGamma(x: number): number {
  const bernoulli = [
    1 / 6,
    -1 / 30,
    1 / 42,
    -1 / 30,
    5 / 66,
    -691 / 2730,
    7 / 6,
    -3617 / 510,
    43867 / 798,
    -174611 / 330,
    854513 / 138,
    -236364091 / 2730,
    8553103 / 6,
    -23749461029 / 870,
  ];
  let y = x;
  let logProduct = 0;
  let product = 1;
  while (y < 40) {
    product *= y;
    if (product > 1e250) {
      logProduct += Math.log(product);
      product = 1;
    }
    y += 1;
  }
  logProduct += Math.log(product);
  let series = 0;
  for (let k = bernoulli.length; k >= 1; k--)
    series += bernoulli[k - 1]! / (2 * k * (2 * k - 1) * y ** (2 * k - 1));
  return (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + series - logProduct;
}

/** ln|Γ(x)| computed offline with mpmath 1.3 at 40 significant digits, rounded to the nearest float64 (x is the float64 shown). */
const MPMATH_LOG_GAMMA: readonly (readonly [number, number])[] = [
  [1e-8, 18.42068073818021],
  [0.001, 6.907178885383853],
  [0.0371, 3.2738356975830567],
  [0.2, 1.5240638224307845],
  [0.4999, 0.5725613186041184],
  [0.5001, 0.5721686165933045],
  [0.75, 0.20328095143129538],
  [0.9, 0.06637623973474295],
  [0.99, 0.005854806764709781],
  [1.01, -0.005690307946069651],
  [1.1, -0.049872441259839764],
  [1.25, -0.09827183642181316],
  [1.4616321449683622, -0.12148629053584961],
  [1.5, -0.12078223763524522],
  [1.75, -0.08440112102048555],
  [1.9, -0.03898427592308336],
  [1.99, -0.004195529088791668],
  [2.01, 0.004260022907098346],
  [2.2, 0.09694746679063887],
  [2.4999, 0.28461255726068263],
  [2.5001, 0.2847531885887332],
  [3.3, 0.9870985778947344],
  [4.7, 2.7364051463155667],
  [6.02, 4.821650317100868],
  [7.5, 7.534364236758733],
  [9.99, 12.779315214350193],
  [10.01, 12.824350262448247],
  [12.34, 18.337787022900233],
  [25.5, 56.389167643719944],
  [47.3, 134.10538214034744],
  [99.9, 358.67423945197754],
  [171.6, 709.6573587630563],
  [1234.5, 7550.550901077895],
  [100000.25, 1051290.5872040857],
  [31000000.0, 503734422.93012166],
  [1000000000000000.0, 3.3538776394910668e16],
  [-0.001, 6.908333317515028],
  [-0.3, 1.4648400508576025],
  [-0.99, 4.609530213895522],
  [-1.01, 4.6010746618996325],
  [-1.5, 0.860047015376481],
  [-2.3, 0.36956666345500805],
  [-2.7, -0.07140708531564569],
  [-3.999, 3.731209100567731],
  [-7.25, -7.54188344347575],
  [-20.5, -42.70719597482576],
  [-100.3, -363.7662061826763],
];

describe('logGamma', () => {
  it('equals ln (n−1)! at the integers (exact big-integer reference)', () => {
    for (let n = 1; n <= 400; n++) {
      const expected = n <= 2 ? 0 : bigLog(bigFactorial(n - 1));
      expectRelative(logGamma(n), expected, 2e-15, 1e-300);
    }
    expect(logGamma(1)).toBe(0);
    expect(logGamma(2)).toBe(0);
  });

  it('equals the closed form at the half-integers: Γ(n+½) = (2n)! √π / (4ⁿ n!)', () => {
    expectRelative(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-15);
    for (let n = 1; n <= 200; n++) {
      let ratio = 1n; // (2n)!/n! = (n+1)(n+2)…(2n)
      for (let i = n + 1; i <= 2 * n; i++) ratio *= BigInt(i);
      const expected = bigLog(ratio) - n * Math.log(4) + 0.5 * Math.log(Math.PI);
      expectRelative(logGamma(n + 0.5), expected, 1e-14, 1e-15);
    }
  });

  it('matches high-precision (mpmath) values to ~1e−15 relative across the real line', () => {
    for (const [x, expected] of MPMATH_LOG_GAMMA)
      expectRelative(logGamma(x), expected, x < 0 ? 4e-15 : 1.5e-15);
  });

  it('matches published values of Γ(1/3), Γ(1/4), Γ(0.1) and Γ(2/3)', () => {
    expectRelative(logGamma(1 / 3), Math.log(2.6789385347077475), 1e-15);
    expectRelative(logGamma(0.25), Math.log(3.625609908221908), 1e-15);
    expectRelative(logGamma(0.1), Math.log(9.513507698668732), 1e-15);
    expectRelative(logGamma(2 / 3), Math.log(1.3541179394264005), 1e-15);
  });

  it('matches a shifted-Stirling reference at many points in (0, 300)', () => {
    for (let i = 0; i < 2000; i++) {
      const x = 0.001 + ((i * 0.6180339887498949) % 1) * (i < 1000 ? 10 : 300);
      expectRelative(logGamma(x), referenceLogGamma(x), 1e-13, 5e-14);
    }
  });

  it('keeps relative accuracy next to its zeros at x = 1 and x = 2 (Taylor series reference)', () => {
    const zeta2 = Math.PI ** 2 / 6;
    const zeta3 = 1.2020569031595942;
    const series = (z: number): number => -EULER_GAMMA * z + (zeta2 / 2) * z ** 2 - (zeta3 / 3) * z ** 3;
    for (const nominal of [1e-12, -3e-10, 1e-8, -2e-7, 1e-6]) {
      // the offsets actually representable next to 1 and 2 (the subtractions are exact by Sterbenz)
      const z1 = 1 + nominal - 1;
      const z2 = 2 + nominal - 2;
      expectRelative(logGamma(1 + z1), series(z1), 1e-14);
      expectRelative(logGamma(2 + z2), Math.log1p(z2) + series(z2), 1e-14); // Γ(2+z) = (1+z)Γ(1+z)
    }
  });

  it('satisfies ln Γ(x+1) = ln Γ(x) + ln x and the duplication formula', () => {
    for (let i = 0; i < 500; i++) {
      const x = 0.05 + ((i * 0.7548776662466927) % 1) * 60;
      expectRelative(logGamma(x + 1), logGamma(x) + Math.log(x), 1e-14, 1e-14);
      // Γ(x)Γ(x+½) = 2^{1−2x} √π Γ(2x)
      expectRelative(
        logGamma(x) + logGamma(x + 0.5),
        (1 - 2 * x) * Math.LN2 + 0.5 * Math.log(Math.PI) + logGamma(2 * x),
        1e-14,
        1e-14,
      );
    }
  });

  it('uses the reflection formula for negative x: |Γ(x)Γ(1−x)| = π/|sin πx|', () => {
    expectRelative(logGamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)), 1e-15);
    expectRelative(logGamma(-1.5), Math.log((4 / 3) * Math.sqrt(Math.PI)), 1e-15);
    for (let i = 0; i < 200; i++) {
      const x = -0.01 - ((i * 0.6180339887498949) % 1) * 30;
      if (Number.isInteger(x)) continue;
      const expected = Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - referenceLogGamma(1 - x);
      expectRelative(logGamma(x), expected, 1e-12, 1e-12);
    }
  });

  it('is +Infinity at the poles and propagates NaN and +Infinity', () => {
    for (const x of [0, -0, -1, -2, -50, Number.NEGATIVE_INFINITY])
      expect(logGamma(x)).toBe(Number.POSITIVE_INFINITY);
    expect(logGamma(Number.NaN)).toBeNaN();
    expect(logGamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(logGamma(1e300))).toBe(true);
    expectRelative(logGamma(1e-300), -Math.log(1e-300), 1e-15);
  });

  it('rejects non-numbers with an ArgumentError naming x', () => {
    expect(() => logGamma('3' as unknown as number)).toThrow(ArgumentError);
    expect(() => logGamma('3' as unknown as number)).toThrow(/x: expected a number, got '3'/);
  });
});
