import fc from 'fast-check';
import {
  INDUSTRY_CLOSE_PRIOR,
  INDUSTRY_SUCCESS_PRIOR,
  type Interval,
  posterior,
  predictCount,
  priorFromHistory,
  expectedDialsLeft,
  projectSales,
  trialsForTarget,
} from './projection';

function expectOrdered(iv: Interval): void {
  expect(iv.lower95).toBeLessThanOrEqual(iv.lower80);
  expect(iv.lower80).toBeLessThanOrEqual(iv.expected);
  expect(iv.expected).toBeLessThanOrEqual(iv.upper80);
  expect(iv.upper80).toBeLessThanOrEqual(iv.upper95);
}

const priorArb = fc.record({
  mean: fc.double({ min: 0.001, max: 0.999, noNaN: true }),
  strength: fc.double({ min: 0.5, max: 500, noNaN: true }),
  source: fc.constant('test'),
});

const dataArb = fc
  .tuple(fc.integer({ min: 0, max: 20000 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([n, f]) => ({ n, k: Math.floor(f * n) }));

describe('posterior', () => {
  it("gives the prior no weight to lose at first, half at the prior's strength, and less and less after", () => {
    const prior = INDUSTRY_SUCCESS_PRIOR;
    expect(posterior(prior, 0, 0).dataWeight).toBe(0);
    expect(posterior(prior, 4, prior.strength).dataWeight).toBe(0.5);
    let previous = -1;
    for (const n of [0, 10, 50, 100, 1000, 10000, 1e6]) {
      const w = posterior(prior, Math.round(n * 0.1), n).dataWeight;
      expect(w).toBeGreaterThan(previous);
      expect(w).toBeLessThan(1);
      previous = w;
    }
    expect(previous).toBeGreaterThan(0.9999);
  });

  it('moves the mean from the prior mean to the observed rate', () => {
    const prior = INDUSTRY_SUCCESS_PRIOR;
    expect(posterior(prior, 0, 0).mean).toBeCloseTo(0.08, 12);
    expect(posterior(prior, 12, 100).mean).toBeCloseTo((4 + 12) / 150, 12);
    expect(posterior(prior, 12000, 100000).mean).toBeCloseTo(0.12, 3);
    fc.assert(
      fc.property(priorArb, dataArb, (p, { k, n }) => {
        const post = posterior(p, k, n);
        const w = post.dataWeight;
        const observed = n === 0 ? 0 : k / n;
        expect(post.mean).toBeCloseTo((1 - w) * p.mean + w * observed, 10);
        expect(post.alpha + post.beta).toBeCloseTo(p.strength + n, 8);
      }),
    );
  });

  it('rejects priors and counts that make no sense', () => {
    expect(() => posterior({ mean: 0, strength: 10, source: '' }, 0, 0)).toThrow(RangeError);
    expect(() => posterior({ mean: 0.1, strength: 0, source: '' }, 0, 0)).toThrow(RangeError);
    expect(() => posterior(INDUSTRY_SUCCESS_PRIOR, 5, 4)).toThrow(RangeError);
    expect(() => posterior(INDUSTRY_SUCCESS_PRIOR, -1, 4)).toThrow(RangeError);
  });
});

describe('priorFromHistory', () => {
  it("uses the client's other campaigns, capped in strength", () => {
    const p = priorFromHistory(30, 300, INDUSTRY_SUCCESS_PRIOR, 'client history');
    expect(p).toEqual({ mean: 0.1, strength: 50, source: 'client history' });
    expect(priorFromHistory(3, 20, INDUSTRY_SUCCESS_PRIOR, 'h')).toEqual({
      mean: 0.15,
      strength: 20,
      source: 'h',
    });
    expect(priorFromHistory(30, 300, INDUSTRY_SUCCESS_PRIOR, 'h', 100).strength).toBe(100);
  });

  it('falls back without history', () => {
    expect(priorFromHistory(0, 0, INDUSTRY_CLOSE_PRIOR, 'h')).toBe(INDUSTRY_CLOSE_PRIOR);
  });

  it('keeps the mean off 0 and 1 so that data can still move it', () => {
    const none = priorFromHistory(0, 9, INDUSTRY_CLOSE_PRIOR, 'h');
    expect(none.mean).toBeCloseTo(0.05, 12);
    expect(none.strength).toBe(9);
    expect(priorFromHistory(9, 9, INDUSTRY_CLOSE_PRIOR, 'h').mean).toBeCloseTo(0.95, 12);
    expect(() => posterior(none, 0, 0)).not.toThrow();
  });
});

describe('predictCount', () => {
  it('predicts nothing from no trials', () => {
    expect(predictCount(posterior(INDUSTRY_SUCCESS_PRIOR, 10, 100), 0)).toEqual({
      expected: 0,
      lower80: 0,
      upper80: 0,
      lower95: 0,
      upper95: 0,
    });
  });

  it('matches the Beta-binomial quantiles (SciPy betabinom)', () => {
    // Prior Beta(4, 46) plus 20 referrals in 250 dials; 1,000 more dials.
    const iv = predictCount(posterior(INDUSTRY_SUCCESS_PRIOR, 20, 250), 1000);
    expect(iv.expected).toBeCloseTo(80, 10);
    expect(iv).toMatchObject({ lower80: 58, upper80: 103, lower95: 48, upper95: 118 });
  });

  it('is wide with little data and narrows (relative to the count) as data grows', () => {
    const little = predictCount(posterior(INDUSTRY_SUCCESS_PRIOR, 1, 10), 1000);
    const much = predictCount(posterior(INDUSTRY_SUCCESS_PRIOR, 1000, 10000), 1000);
    expect(little.upper95 - little.lower95).toBeGreaterThan(much.upper95 - much.lower95);
  });

  it('orders its bounds around the expected count', () => {
    fc.assert(
      fc.property(priorArb, dataArb, fc.integer({ min: 0, max: 5000 }), (p, { k, n }, trials) => {
        const iv = predictCount(posterior(p, k, n), trials);
        expectOrdered(iv);
        for (const bound of [iv.lower95, iv.lower80, iv.upper80, iv.upper95]) {
          expect(Number.isInteger(bound)).toBe(true);
          expect(bound).toBeGreaterThanOrEqual(0);
          expect(bound).toBeLessThanOrEqual(trials);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('switches to the approximation above 200,000 trials without a jump', () => {
    const post = posterior(INDUSTRY_SUCCESS_PRIOR, 400, 5000);
    const exact = predictCount(post, 200000);
    const approx = predictCount(post, 200001);
    expectOrdered(approx);
    for (const key of ['lower95', 'lower80', 'upper80', 'upper95'] as const) {
      expect(Math.abs(approx[key] - exact[key]) / exact[key]).toBeLessThan(0.005);
    }
    // A posterior far stronger than the trials: the luck of the draw must still show.
    const sure = posterior(INDUSTRY_SUCCESS_PRIOR, 8e7, 1e9);
    const a = predictCount(sure, 200000);
    const b = predictCount(sure, 200001);
    expect(Math.abs(a.upper95 - b.upper95)).toBeLessThanOrEqual(3);
    expect(Math.abs(a.lower95 - b.lower95)).toBeLessThanOrEqual(3);
  });
});

describe('trialsForTarget', () => {
  // Close rate: prior Beta(4, 16) plus 30 won of 100.
  const post = posterior(INDUSTRY_CLOSE_PRIOR, 30, 100);

  it('matches a direct search over the Beta-binomial (SciPy betabinom)', () => {
    expect(trialsForTarget(post, 25)).toEqual({ expected: 25 / post.mean, atConfidence: 106 });
    expect(trialsForTarget(post, 25, 0.95).atConfidence).toBe(128);
    expect(trialsForTarget(post, 1).atConfidence).toBe(5);
    expect(trialsForTarget(post, 0)).toEqual({ expected: 0, atConfidence: 0 });
  });

  it('needs more trials for a bigger target or more confidence', () => {
    let previous = 0;
    for (let target = 0; target <= 300; target += 7) {
      const t = trialsForTarget(post, target);
      expect(t.atConfidence).toBeGreaterThanOrEqual(previous);
      expect(t.atConfidence).toBeGreaterThanOrEqual(target);
      previous = t.atConfidence;
    }
    fc.assert(
      fc.property(
        priorArb,
        dataArb,
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        (p, { k, n }, target, extra) => {
          const q = posterior(p, k, n);
          const small = trialsForTarget(q, target).atConfidence;
          expect(trialsForTarget(q, target + extra).atConfidence).toBeGreaterThanOrEqual(small);
          expect(trialsForTarget(q, target, 0.95).atConfidence).toBeGreaterThanOrEqual(small);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('gives up past 100 million trials', () => {
    const hopeless = posterior({ mean: 1e-9, strength: 1, source: 'test' }, 0, 1000);
    expect(trialsForTarget(hopeless, 1).atConfidence).toBe(Infinity);
  });
});

describe('projectSales', () => {
  it('expects dials × success rate × close rate, with ordered ranges inside those of the referrals', () => {
    const success = posterior(INDUSTRY_SUCCESS_PRIOR, 90, 1000);
    const close = posterior(INDUSTRY_CLOSE_PRIOR, 18, 80);
    const sales = projectSales(success, 5000, close);
    expect(sales.expected).toBeCloseTo(5000 * success.mean * close.mean, 6);
    expectOrdered(sales);
    const referrals = predictCount(success, 5000);
    expect(sales.upper95).toBeLessThan(referrals.upper95);
    expect(sales.lower95).toBeGreaterThan(0);
  });

  it('widens with the doubt about either rate', () => {
    const width = (iv: Interval) => iv.upper80 - iv.lower80;
    const sure = projectSales(
      posterior(INDUSTRY_SUCCESS_PRIOR, 900, 10000),
      5000,
      posterior(INDUSTRY_CLOSE_PRIOR, 180, 900),
    );
    const unsureClose = projectSales(
      posterior(INDUSTRY_SUCCESS_PRIOR, 900, 10000),
      5000,
      posterior(INDUSTRY_CLOSE_PRIOR, 2, 9),
    );
    const unsureSuccess = projectSales(
      posterior(INDUSTRY_SUCCESS_PRIOR, 9, 100),
      5000,
      posterior(INDUSTRY_CLOSE_PRIOR, 180, 900),
    );
    expect(width(unsureClose)).toBeGreaterThan(width(sure));
    expect(width(unsureSuccess)).toBeGreaterThan(width(sure));
  });

  it('is zero from no dials', () => {
    expect(
      projectSales(
        posterior(INDUSTRY_SUCCESS_PRIOR, 0, 0),
        0,
        posterior(INDUSTRY_CLOSE_PRIOR, 0, 0),
      ),
    ).toEqual({ expected: 0, lower80: 0, upper80: 0, lower95: 0, upper95: 0 });
  });
});

describe('expectedDialsLeft', () => {
  /** A list of 10,000 contacts, 3 attempts each, a dial settling its contact with chance `settle`. */
  function simulateList(order: 'retries first' | 'new first', settle: number, seed: number) {
    let state = seed;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const max = 3;
    const attempts = new Array<number>(10000).fill(0);
    const open = new Array<boolean>(10000).fill(true);
    const dial = (i: number) => {
      attempts[i]++;
      if (random() < settle || attempts[i] === max) open[i] = false;
    };
    const day = (dials: number) => {
      const queue = open
        .map((o, i) => (o ? i : -1))
        .filter((i) => i >= 0)
        .sort((a, b) =>
          order === 'retries first' ? attempts[b] - attempts[a] : attempts[a] - attempts[b],
        );
      for (const i of queue.slice(0, dials)) dial(i);
    };
    const tally = () => {
      let closedEarly = 0;
      let earlyDials = 0;
      const left = new Map<number, number>();
      attempts.forEach((a, i) => {
        earlyDials += Math.min(a, max - 1);
        if (!open[i] && a > 0 && a < max) closedEarly++;
        if (open[i]) left.set(max - a, (left.get(max - a) ?? 0) + 1);
      });
      return { closedEarly, earlyDials, openByAttemptsLeft: [...left] as [number, number][] };
    };
    const rest = () => {
      // What the rest of the list actually takes, on a copy.
      const [a, o] = [[...attempts], [...open]];
      let dials = 0;
      while (open.some(Boolean)) {
        const before = attempts.reduce((s, x) => s + x, 0);
        day(1000);
        dials += attempts.reduce((s, x) => s + x, 0) - before;
      }
      attempts.splice(0, attempts.length, ...a);
      open.splice(0, open.length, ...o);
      return dials;
    };
    return { day, tally, rest };
  }

  // 0.3 is the prior's own rate: 0.1 and 0.6 show the list's data moves the estimate.
  it.each([
    ['retries first', 0.3],
    ['new first', 0.3],
    ['retries first', 0.1],
    ['retries first', 0.6],
  ] as const)(
    'follows what the rest of a list takes from its first day to its last (%s, settling %d)',
    (order, settle) => {
      const list = simulateList(order, settle, 42);
      // From the first day's dials on (before any, the estimate is the prior's).
      list.day(1000);
      for (let d = 1; d < 20; d++) {
        const truth = list.rest();
        if (truth === 0) break;
        const { dials } = expectedDialsLeft(list.tally());
        // Within 5% on every day (the day in the answer says which one missed).
        expect([d, dials / truth]).toEqual([d, expect.closeTo(1, 1)]);
        list.day(1000);
      }
    },
  );

  it('starts from the prior, and gives each open contact one dial when one attempt is left', () => {
    // 10,000 fresh contacts, 3 attempts: 1 + 0.7 + 0.49 dials each at the prior's 0.3.
    const fresh = expectedDialsLeft({
      closedEarly: 0,
      earlyDials: 0,
      openByAttemptsLeft: [[3, 10000]],
    });
    expect(fresh.settleRate.dataWeight).toBe(0);
    expect(fresh.dials).toBe(21900);
    expect(
      expectedDialsLeft({ closedEarly: 5, earlyDials: 40, openByAttemptsLeft: [[1, 7]] }).dials,
    ).toBe(7);
    expect(expectedDialsLeft({ closedEarly: 0, earlyDials: 0, openByAttemptsLeft: [] }).dials).toBe(
      0,
    );
  });
});
