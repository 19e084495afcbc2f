import fc from 'fast-check';
import {
  betaCdf,
  betaQuantile,
  histogramQuantile,
  histogramQuantileBound,
  logGamma,
  probabilityBetter,
  ratio,
  wilson,
} from './stats';

/** Seeded uniform [0, 1) generator (mulberry32), so the Monte-Carlo checks are repeatable. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape ≥ 1). */
function gamma(rng: () => number, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function betaSample(rng: () => number, a: number, b: number): number {
  const x = gamma(rng, a);
  return x / (x + gamma(rng, b));
}

function monteCarloBetter(
  a: { k: number; n: number },
  b: { k: number; n: number },
  draws: number,
  seed: number,
): number {
  const rng = mulberry32(seed);
  let wins = 0;
  for (let i = 0; i < draws; i++) {
    const pa = betaSample(rng, 1 + a.k, 1 + a.n - a.k);
    const pb = betaSample(rng, 1 + b.k, 1 + b.n - b.k);
    if (pa > pb) wins++;
  }
  return wins / draws;
}

describe('wilson', () => {
  it('matches the textbook interval for 8 out of 100', () => {
    const r = wilson(8, 100);
    expect(r.value).toBe(0.08);
    expect(r.lower95).toBeCloseTo(0.0411, 4);
    expect(r.upper95).toBeCloseTo(0.1502, 3);
    expect(r.lower80).toBeGreaterThan(r.lower95);
    expect(r.upper80).toBeLessThan(r.upper95);
  });

  it('has no lower slack with zero successes and no upper slack with all successes', () => {
    const none = wilson(0, 40);
    expect(none.value).toBe(0);
    expect(none.lower80).toBe(0);
    expect(none.lower95).toBe(0);
    expect(none.upper95).toBeGreaterThan(0.05);
    const all = wilson(40, 40);
    expect(all.upper80).toBe(1);
    expect(all.upper95).toBe(1);
    expect(all.lower95).toBeLessThan(0.95);
  });

  it('knows nothing without trials', () => {
    expect(wilson(0, 0)).toEqual({
      value: null,
      n: 0,
      k: 0,
      lower80: 0,
      upper80: 1,
      lower95: 0,
      upper95: 1,
    });
  });

  it('rejects impossible counts', () => {
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(1.5, 2)).toThrow(RangeError);
  });

  it('nests the 80% interval in the 95% one, around the rate, inside [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const k = Math.floor(f * n);
          const r = wilson(k, n);
          expect(0).toBeLessThanOrEqual(r.lower95);
          expect(r.lower95).toBeLessThanOrEqual(r.lower80);
          expect(r.lower80).toBeLessThanOrEqual(k / n + 1e-12);
          expect(k / n).toBeLessThanOrEqual(r.upper80 + 1e-12);
          expect(r.upper80).toBeLessThanOrEqual(r.upper95);
          expect(r.upper95).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('ratio', () => {
  it('divides, and is null over nothing', () => {
    expect(ratio(8, 100)).toBe(0.08);
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
  });
});

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(2)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 11);
    expect(logGamma(1e6)).toBeCloseTo(12815504.569147611, 5);
    expect(logGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 11);
    expect(logGamma(0)).toBe(Infinity);
  });

  it('satisfies Γ(x + 1) = x·Γ(x)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e5, noNaN: true }), (x) => {
        expect(logGamma(x + 1) - logGamma(x) - Math.log(x)).toBeCloseTo(0, 7);
      }),
    );
  });
});

describe('betaCdf and betaQuantile', () => {
  it('Beta(1, 1) is uniform', () => {
    for (const x of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
      expect(betaCdf(x, 1, 1)).toBeCloseTo(x, 12);
      expect(betaQuantile(x, 1, 1)).toBeCloseTo(x, 10);
    }
  });

  it('matches known values', () => {
    expect(betaQuantile(0.5, 2, 5)).toBeCloseTo(0.26445, 5);
    // Reference values from SciPy's scipy.stats.beta.
    expect(betaQuantile(0.1, 0.1, 0.1)).toBeCloseTo(8.869280011934583e-8, 15);
    expect(betaQuantile(0.99, 1e6, 1e6)).toBeCloseTo(0.5008224877249754, 9);
    expect(betaQuantile(0.5, 1e6, 3e5)).toBeCloseTo(0.7692309072978626, 9);
    expect(betaQuantile(0.975, 12, 400)).toBeCloseTo(0.047382790748131044, 10);
    expect(betaQuantile(1e-8, 0.5, 0.5) / 2.4674011002723397e-16).toBeCloseTo(1, 8);
    expect(betaCdf(0.3, 2, 5)).toBeCloseTo(0.579825, 6);
    expect(betaCdf(0.5, 3, 3)).toBeCloseTo(0.5, 12);
  });

  it('round-trips for shapes from 0.1 to a million', () => {
    const shape = fc.oneof(
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      fc.double({ min: 10, max: 1e6, noNaN: true }),
    );
    fc.assert(
      fc.property(shape, shape, fc.double({ min: 0.001, max: 0.999, noNaN: true }), (a, b, p) => {
        const x = betaQuantile(p, a, b);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        // The true quantile lies within 1e-10 of x…
        expect(betaCdf(x - 1e-10, a, b)).toBeLessThanOrEqual(p + 1e-12);
        expect(betaCdf(x + 1e-10, a, b)).toBeGreaterThanOrEqual(p - 1e-12);
        // …and, unless x is so near 0 or 1 that neighbouring doubles differ in CDF, F(x) = p.
        if (Math.min(x, 1 - x) > 1e-6) expect(betaCdf(x, a, b)).toBeCloseTo(p, 8);
      }),
      { numRuns: 200 },
    );
  });

  it('is monotone in x and rejects bad shapes', () => {
    let previous = 0;
    for (let x = 0; x <= 1; x += 0.01) {
      const value = betaCdf(x, 3.5, 40);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
    expect(() => betaCdf(0.5, 0, 1)).toThrow(RangeError);
    expect(() => betaQuantile(1.5, 1, 1)).toThrow(RangeError);
  });
});

describe('probabilityBetter', () => {
  it('is one half for equal data', () => {
    expect(probabilityBetter({ k: 8, n: 100 }, { k: 8, n: 100 })).toBeCloseTo(0.5, 12);
    expect(probabilityBetter({ k: 8000, n: 100000 }, { k: 8000, n: 100000 })).toBeCloseTo(0.5, 12);
  });

  it('agrees with a Monte-Carlo estimate for 50/100 against 40/100', () => {
    const exact = probabilityBetter({ k: 50, n: 100 }, { k: 40, n: 100 });
    expect(exact).toBeCloseTo(0.9214, 3);
    const estimate = monteCarloBetter({ k: 50, n: 100 }, { k: 40, n: 100 }, 100000, 42);
    expect(Math.abs(exact - estimate)).toBeLessThan(0.01);
  });

  it('agrees with a Monte-Carlo estimate for small, uneven samples', () => {
    const exact = probabilityBetter({ k: 3, n: 20 }, { k: 10, n: 200 });
    const estimate = monteCarloBetter({ k: 3, n: 20 }, { k: 10, n: 200 }, 100000, 7);
    expect(Math.abs(exact - estimate)).toBeLessThan(0.01);
  });

  it('is symmetric: P(A > B) + P(B > A) = 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (na, nb, fa, fb) => {
          const a = { k: Math.floor(fa * na), n: na };
          const b = { k: Math.floor(fb * nb), n: nb };
          expect(probabilityBetter(a, b) + probabilityBetter(b, a)).toBeCloseTo(1, 6);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('works with large samples and stays in [0, 1]', () => {
    const big = probabilityBetter({ k: 5000, n: 100000 }, { k: 40, n: 1000 });
    expect(big).toBeCloseTo(0.91955, 4); // SciPy quadrature: 0.9195528853891655
    const huge = probabilityBetter({ k: 8100, n: 100000 }, { k: 8000, n: 100000 });
    expect(huge).toBeGreaterThan(0.75);
    expect(huge).toBeLessThan(0.85);
    const decisive = probabilityBetter({ k: 20000, n: 100000 }, { k: 1, n: 100000 });
    expect(decisive).toBeGreaterThanOrEqual(0);
    expect(decisive).toBeLessThanOrEqual(1);
    // Integrated (one side has 1 success): to the integration's tolerance.
    expect(decisive).toBeCloseTo(1, 9);
    expect(probabilityBetter({ k: 1, n: 50000 }, { k: 20000, n: 50000 })).toBeCloseTo(0, 9);
  });

  it('agrees across the switch to the normal approximation', () => {
    // Just under the threshold (exact integration) versus just over it (normal approximation).
    const exact = probabilityBetter({ k: 49, n: 1000 }, { k: 59, n: 1000 });
    const approx = probabilityBetter({ k: 50, n: 1000 }, { k: 60, n: 1000 });
    expect(Math.abs(exact - approx)).toBeLessThan(0.01);
  });

  it('stays exact for rare events in large samples (no normal shortcut there)', () => {
    // Closed form for whole-number shapes: P(B > A) = Σ_{i<αB} B(αA+i, βA+βB) / ((βB+i)·B(1+i, βB)·B(αA, βA)).
    const lnB = (x: number, y: number) => logGamma(x) + logGamma(y) - logGamma(x + y);
    const exactAFirst = (a: { k: number; n: number }, b: { k: number; n: number }) => {
      const [aA, bA, aB, bB] = [a.k + 1, a.n - a.k + 1, b.k + 1, b.n - b.k + 1];
      let bFirst = 0;
      for (let i = 0; i < aB; i++) {
        bFirst += Math.exp(lnB(aA + i, bA + bB) - Math.log(bB + i) - lnB(1 + i, bB) - lnB(aA, bA));
      }
      return 1 - bFirst;
    };
    for (const [a, b] of [
      [
        { k: 0, n: 12000 },
        { k: 2, n: 12000 },
      ],
      [
        { k: 0, n: 20000 },
        { k: 3, n: 20000 },
      ],
    ]) {
      expect(probabilityBetter(a, b)).toBeCloseTo(exactAFirst(a, b), 4);
    }
  });

  it('handles priors whose density spikes at 0 and 1', () => {
    // Beta(0.1, 0.1) against Beta(1.1, 9.1); 20 million NumPy draws gave 0.6061.
    const p = probabilityBetter({ k: 0, n: 0 }, { k: 1, n: 10 }, { alpha: 0.1, beta: 0.1 });
    expect(p).toBeCloseTo(0.606, 3);
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { upTo: 10, count: 10 },
    { upTo: 30, count: 20 },
    { upTo: 60, count: 10 },
    { upTo: null, count: 10 },
  ];

  it('interpolates within a bucket', () => {
    expect(histogramQuantile(buckets, 0.1)).toBeCloseTo(5, 12);
    expect(histogramQuantile(buckets, 0.2)).toBeCloseTo(10, 12);
    expect(histogramQuantile(buckets, 0.5)).toBeCloseTo(25, 12);
    expect(histogramQuantile(buckets, 0.7)).toBeCloseTo(45, 12);
    expect(histogramQuantile(buckets, 0)).toBe(0);
  });

  it('reports the lower bound of the open-ended bucket', () => {
    expect(histogramQuantile(buckets, 0.9)).toBe(60);
    expect(histogramQuantile(buckets, 1)).toBe(60);
    // ... and says it is only a floor there.
    expect(histogramQuantileBound(buckets, 0.9)).toEqual({ value: 60, atLeast: true });
    expect(histogramQuantileBound(buckets, 0.5)).toEqual({ value: 25, atLeast: false });
  });

  it('skips empty buckets and is null for an empty histogram', () => {
    const sparse = [
      { upTo: 5, count: 0 },
      { upTo: 15, count: 4 },
      { upTo: 20, count: 0 },
    ];
    expect(histogramQuantile(sparse, 0)).toBe(5);
    expect(histogramQuantile(sparse, 0.5)).toBeCloseTo(10, 12);
    expect(histogramQuantile(sparse, 1)).toBeCloseTo(15, 12);
    expect(histogramQuantile([], 0.5)).toBeNull();
    expect(histogramQuantile([{ upTo: 10, count: 0 }], 0.5)).toBeNull();
  });

  it('is monotone in q and rejects bad input', () => {
    let previous = -Infinity;
    for (let q = 0; q <= 1; q += 0.05) {
      const value = histogramQuantile(buckets, q) as number;
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
    expect(() => histogramQuantile(buckets, 1.5)).toThrow(RangeError);
    expect(() =>
      histogramQuantile(
        [
          { upTo: 10, count: 1 },
          { upTo: 5, count: 1 },
        ],
        0.5,
      ),
    ).toThrow(RangeError);
    expect(() =>
      histogramQuantile(
        [
          { upTo: null, count: 1 },
          { upTo: 5, count: 1 },
        ],
        0.5,
      ),
    ).toThrow(RangeError);
  });
});
