/**
 * Pure statistics for the reports: rates with honest intervals, the Beta distribution, the chance
 * that one rate beats another, and percentiles read from a histogram. No dependencies, no I/O.
 */

/** z for a two-sided 80% interval: the 90th percentile of the standard normal. */
const Z80 = 1.2815515655446004;
/** z for a two-sided 95% interval: the 97.5th percentile of the standard normal. */
const Z95 = 1.959963984540054;

/**
 * A rate (successes ÷ trials) with its 80% and 95% Wilson score intervals. `value` is null when
 * there were no trials (nothing is known, so the bounds are the whole range 0–1).
 */
export interface RateEstimate {
  value: number | null;
  n: number;
  k: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

function assertCount(name: string, x: number): void {
  if (!Number.isInteger(x) || x < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${x}`);
  }
}

function wilsonBounds(k: number, n: number, z: number): [number, number] {
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const lower = k === 0 ? 0 : Math.max(0, center - half);
  const upper = k === n ? 1 : Math.min(1, center + half);
  return [lower, upper];
}

/**
 * The rate k/n with Wilson score intervals at 80% and 95%. Unlike the textbook "p ± z·se", the
 * Wilson interval stays inside 0–1 and behaves well for small samples and rates near 0 or 1.
 * With no trials (n = 0) the value is null and the bounds are 0 and 1; with no successes the lower
 * bounds are exactly 0, and with all successes the upper bounds are exactly 1.
 * Throws a RangeError unless k and n are integers with 0 ≤ k ≤ n.
 */
export function wilson(k: number, n: number): RateEstimate {
  assertCount('n', n);
  assertCount('k', k);
  if (k > n) throw new RangeError(`k (${k}) must not exceed n (${n})`);
  if (n === 0) {
    return { value: null, n, k, lower80: 0, upper80: 1, lower95: 0, upper95: 1 };
  }
  const [lower80, upper80] = wilsonBounds(k, n, Z80);
  const [lower95, upper95] = wilsonBounds(k, n, Z95);
  return { value: k / n, n, k, lower80, upper80, lower95, upper95 };
}

/** num ÷ den, or null when the denominator is 0 (a rate over nothing is unknown, not 0). */
export function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The natural logarithm of |Γ(x)| (Lanczos approximation, g = 7, about 15 significant digits).
 * Working with log Γ keeps factorial-sized numbers such as 100000! from overflowing.
 * For x < 0.5 the reflection formula is used; at 0 and the negative integers it is +Infinity.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x < 0.5) {
    if (Number.isInteger(x)) return Infinity;
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let series = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_G + 2; i++) series += LANCZOS_COEFFICIENTS[i] / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(series);
}

function assertShape(a: number, b: number): void {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`Beta shape parameters must be positive and finite, got ${a}, ${b}`);
  }
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** log of the Beta(a, b) density at x in (0, 1). */
function logBetaPdf(x: number, a: number, b: number, lb: number): number {
  return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lb;
}

/**
 * The continued fraction for the incomplete beta function (modified Lentz, as in Numerical
 * Recipes' betacf). It converges fast for x < (a + 1)/(a + b + 2), taking about √max(a, b) steps.
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const maxIterations = 200000;
  const eps = 1e-16;
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < eps) break;
  }
  return h;
}

/**
 * The Beta(a, b) cumulative distribution function, i.e. the regularized incomplete beta function
 * I_x(a, b): the probability that a Beta(a, b) rate is at most x. Computed with the Numerical
 * Recipes continued fraction on whichever side (x or 1 − x) converges fast. 0 for x ≤ 0, 1 for
 * x ≥ 1. Throws a RangeError unless a and b are positive.
 */
export function betaCdf(x: number, a: number, b: number): number {
  assertShape(a, b);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  const front = Math.exp(logFront);
  let result: number;
  if (x < (a + 1) / (a + b + 2)) {
    result = (front * betaContinuedFraction(a, b, x)) / a;
  } else {
    result = 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
  }
  return Math.min(1, Math.max(0, result));
}

/**
 * The p-quantile of Beta(a, b): the rate x with betaCdf(x, a, b) = p (the inverse regularized
 * incomplete beta). Found by Newton steps kept inside a shrinking bisection bracket, to a relative
 * precision of about 1e-13 in the distance to the nearer end of [0, 1] (far tighter than 1e-10). p = 0 gives 0, p = 1 gives 1.
 * Throws a RangeError unless 0 ≤ p ≤ 1 and a, b are positive.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  assertShape(a, b);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lb = logBeta(a, b);
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  for (let i = 0; i < 400; i++) {
    const f = betaCdf(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const pdf = Math.exp(logBetaPdf(x, a, b, lb));
    let next = x - f / pdf;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = 0.5 * (lo + hi);
    // Relative to the distance from the nearer end, so that quantiles very near 0 or 1 keep digits.
    const scale = Math.max(Math.min(x, 1 - x), 1e-300);
    const converged = Math.abs(next - x) <= 1e-14 * scale || hi - lo <= 1e-14 * scale;
    x = next;
    if (converged) break;
  }
  return x;
}

/**
 * The standard normal CDF Φ(z) (Hart's 1968 rational approximation, double precision; exactly
 * 0.5 at 0).
 */
function normalCdf(z: number): number {
  const az = Math.abs(z);
  let tail: number;
  if (az > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-0.5 * az * az);
    if (az < 7.07106781186547) {
      let num = 3.52624965998911e-2 * az + 0.700383064443688;
      num = num * az + 6.37396220353165;
      num = num * az + 33.912866078383;
      num = num * az + 112.079291497871;
      num = num * az + 221.213596169931;
      num = num * az + 220.206867912376;
      let den = 8.83883476483184e-2 * az + 1.75566716318264;
      den = den * az + 16.064177579207;
      den = den * az + 86.7807322029461;
      den = den * az + 296.564248779674;
      den = den * az + 637.333633378831;
      den = den * az + 793.826512519948;
      den = den * az + 440.413735824752;
      tail = (e * num) / den;
    } else {
      let cf = az + 0.65;
      cf = az + 4 / cf;
      cf = az + 3 / cf;
      cf = az + 2 / cf;
      cf = az + 1 / cf;
      tail = e / cf / 2.506628274631;
    }
  }
  return z > 0 ? 1 - tail : tail;
}

/** Simpson's rule on [a, b] given the three values, with adaptive refinement (Richardson-corrected). */
function adaptiveSimpson(
  f: (x: number) => number,
  a: number,
  b: number,
  fa: number,
  fm: number,
  fb: number,
  whole: number,
  tolerance: number,
  depth: number,
): number {
  const m = 0.5 * (a + b);
  const lm = 0.5 * (a + m);
  const rm = 0.5 * (m + b);
  const flm = f(lm);
  const frm = f(rm);
  const left = ((m - a) / 6) * (fa + 4 * flm + fm);
  const right = ((b - m) / 6) * (fm + 4 * frm + fb);
  const delta = left + right - whole;
  if (depth <= 0 || Math.abs(delta) <= 15 * tolerance) return left + right + delta / 15;
  return (
    adaptiveSimpson(f, a, m, fa, flm, fm, left, tolerance / 2, depth - 1) +
    adaptiveSimpson(f, m, b, fm, frm, fb, right, tolerance / 2, depth - 1)
  );
}

/** ∫ f over [a, b]: `panels` equal panels, each refined by adaptive Simpson. */
function integrate(f: (x: number) => number, a: number, b: number, panels: number, tol: number) {
  if (!(b > a)) return 0;
  const width = (b - a) / panels;
  let total = 0;
  let x0 = a;
  let f0 = f(x0);
  for (let i = 1; i <= panels; i++) {
    const x1 = i === panels ? b : a + i * width;
    const xm = 0.5 * (x0 + x1);
    const fm = f(xm);
    const f1 = f(x1);
    const whole = ((x1 - x0) / 6) * (f0 + 4 * fm + f1);
    total += adaptiveSimpson(f, x0, x1, f0, fm, f1, whole, tol / panels, 40);
    x0 = x1;
    f0 = f1;
  }
  return total;
}

/**
 * The probability that campaign A's true rate is higher than B's, given A's k successes out of n
 * and B's, each rate having an independent Beta posterior (the prior, default uniform Beta(1, 1),
 * plus k successes and n − k failures). This answers "how sure are we that A really converts
 * better?" — 0.5 means no evidence either way.
 *
 * Computed as ∫ f_A(x)·F_B(x) dx (A's density times B's CDF) by adaptive Simpson over the range
 * holding all but 2e-12 of A's mass, with the density in log space and the variable changed to
 * log x below A's median and log(1 − x) above it (this tames densities that spike at 0 or 1).
 * When every shape parameter exceeds 50 (both rates seen succeed and fail dozens of times) the
 * rates are practically normal and Φ((mean_A − mean_B)/√(var_A + var_B)) is used. The result is
 * clamped to [0, 1].
 */
export function probabilityBetter(
  a: { k: number; n: number },
  b: { k: number; n: number },
  prior = { alpha: 1, beta: 1 },
): number {
  for (const [name, side] of [
    ['a', a],
    ['b', b],
  ] as const) {
    assertCount(`${name}.n`, side.n);
    assertCount(`${name}.k`, side.k);
    if (side.k > side.n) throw new RangeError(`${name}.k must not exceed ${name}.n`);
  }
  assertShape(prior.alpha, prior.beta);
  const aA = prior.alpha + a.k;
  const bA = prior.beta + a.n - a.k;
  const aB = prior.alpha + b.k;
  const bB = prior.beta + b.n - b.k;
  if (aA === aB && bA === bB) return 0.5;

  // Normal only when every shape is large: 0 of 12,000 against 2 of 12,000 is far from normal.
  if (Math.min(aA, bA, aB, bB) > 50) {
    const betaVariance = (x: number, y: number) => (x * y) / ((x + y) ** 2 * (x + y + 1));
    const diff = aA / (aA + bA) - aB / (aB + bB);
    const sd = Math.sqrt(betaVariance(aA, bA) + betaVariance(aB, bB));
    return normalCdf(diff / sd);
  }

  const lbA = logBeta(aA, bA);
  const median = betaQuantile(0.5, aA, bA);
  const lo = betaQuantile(1e-12, aA, bA);
  // 1 − (A's 1 − 1e-12 quantile), taken from the mirrored Beta(b, a) so that it keeps its digits.
  const hiComplement = betaQuantile(1e-12, bA, aA);
  const tolerance = 1e-10;
  // Below the median: x = e^u, dx = x du.
  const lower = integrate(
    (u) => {
      const x = Math.exp(u);
      const logPdf = (aA - 1) * u + (bA - 1) * Math.log1p(-x) - lbA;
      return Math.exp(logPdf + u) * betaCdf(x, aB, bB);
    },
    Math.log(lo),
    Math.log(median),
    24,
    tolerance,
  );
  // Above the median: 1 − x = e^v, dx = −(1 − x) dv.
  const upper = integrate(
    (v) => {
      const y = Math.exp(v);
      const logPdf = (aA - 1) * Math.log1p(-y) + (bA - 1) * v - lbA;
      return Math.exp(logPdf + v) * betaCdf(1 - y, aB, bB);
    },
    Math.log(hiComplement),
    Math.log1p(-median),
    24,
    tolerance,
  );
  // A's mass outside [lo, hi] (2e-12 in all) is left out: it cannot move the answer visibly.
  return Math.min(1, Math.max(0, lower + upper));
}

/**
 * A percentile (q between 0 and 1, e.g. 0.5 for the median) of durations recorded as a histogram.
 * Buckets come in increasing order, each counting the values up to its `upTo` bound (seconds) and
 * above the previous bucket's bound (the first starts at 0). Within a bucket the values are
 * assumed spread evenly, so the answer is interpolated linearly. The last bucket may be
 * open-ended (`upTo: null`); a percentile landing there is reported as its lower bound, since
 * nothing better is known. Null when the histogram is empty.
 * Throws a RangeError for q outside [0, 1], negative counts, or bounds not increasing.
 */
export function histogramQuantile(
  buckets: { upTo: number | null; count: number }[],
  q: number,
): number | null {
  return histogramQuantileBound(buckets, q).value;
}

/**
 * histogramQuantile, saying also whether the percentile landed in the open-ended last bucket:
 * then `value` is only a floor ("31 days or more"), and `atLeast` is true.
 */
export function histogramQuantileBound(
  buckets: { upTo: number | null; count: number }[],
  q: number,
): { value: number | null; atLeast: boolean } {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  let total = 0;
  let previous = 0;
  buckets.forEach((bucket, i) => {
    if (!(bucket.count >= 0) || !Number.isFinite(bucket.count)) {
      throw new RangeError(`bucket ${i} has an invalid count ${bucket.count}`);
    }
    if (bucket.upTo === null) {
      if (i !== buckets.length - 1) throw new RangeError('only the last bucket may be open-ended');
    } else {
      if (!(bucket.upTo >= previous)) throw new RangeError('bucket bounds must increase');
      previous = bucket.upTo;
    }
    total += bucket.count;
  });
  if (total === 0) return { value: null, atLeast: false };
  const rank = q * total;
  let cumulative = 0;
  let lowerBound = 0;
  for (const bucket of buckets) {
    if (bucket.count > 0 && cumulative + bucket.count >= rank) {
      if (bucket.upTo === null) return { value: lowerBound, atLeast: true };
      const fraction = (rank - cumulative) / bucket.count;
      return { value: lowerBound + (bucket.upTo - lowerBound) * fraction, atLeast: false };
    }
    cumulative += bucket.count;
    if (bucket.upTo !== null) lowerBound = bucket.upTo;
  }
  return { value: lowerBound, atLeast: false };
}
