import { groupRateNames, RATE_NAMES, rates, round, TIME_GROUP_RATES } from './rates';
import { wilson } from './stats';

const figures = {
  dials: 10,
  connects: 4,
  dialedHere: 0,
  referrals: 2,
  veryInterested: 1,
  needsWork: 1,
  published: 2,
  contacted: 2,
  won: 1,
  lost: 1,
  wonVeryInterested: 1,
  wonNeedsWork: 0,
  finalVeryInterested: 1,
  finalNeedsWork: 1,
  saleValue: 1200,
  talkSeconds: 0,
  hitCap: 0,
  extended: 0,
};

describe(groupRateNames.name, () => {
  it('gives day and week groups the success and close rates, other groups all', () => {
    expect(groupRateNames('day')).toEqual(['successRate', 'closeRate']);
    expect(groupRateNames('week', '')).toBe(TIME_GROUP_RATES);
    expect(groupRateNames('pitch')).toBe(RATE_NAMES);
    expect(groupRateNames(undefined)).toBe(RATE_NAMES);
  });

  it('takes the names asked for, once each, or all', () => {
    expect(groupRateNames('day', 'hotShare,successRate,hotShare')).toEqual([
      'hotShare',
      'successRate',
    ]);
    expect(groupRateNames('day', 'all')).toBe(RATE_NAMES);
  });

  it('refuses a name it does not know', () => {
    expect(() => groupRateNames('day', 'successRate,sucessRate')).toThrow(
      /unknown rate sucessRate/,
    );
  });
});

describe(rates.name, () => {
  it('computes only the rates named, each with its count and intervals', () => {
    const r = rates(figures, ['successRate', 'referralsPerSale']);
    expect(Object.keys(r)).toEqual(['successRate', 'referralsPerSale']);
    expect(r.successRate).toEqual({
      value: 0.2,
      n: 10,
      k: 2,
      lower80: expect.any(Number),
      upper80: expect.any(Number),
      lower95: 0.0567,
      upper95: expect.any(Number),
    });
    // Won 1 of 2: two referrals per sale, within the inverse of the close rate's range.
    const close = wilson(1, 2);
    expect(r.referralsPerSale).toEqual({
      value: 2,
      n: 2,
      k: 1,
      lower80: round(1 / close.upper80, 2),
      upper80: round(1 / close.lower80, 2),
      lower95: round(1 / close.upper95, 2),
      upper95: round(1 / close.lower95, 2),
    });
  });

  it('gives dials per referral a range, open-ended while a referral rate of 0 is plausible', () => {
    const few = rates({ ...figures, dials: 3, referrals: 1 }, ['coldContactsPerReferral']);
    expect(few.coldContactsPerReferral).toMatchObject({ value: 3, n: 3, k: 1 });
    const { lower95, upper95 } = few.coldContactsPerReferral as {
      lower95: number;
      upper95: number;
    };
    expect(lower95).toBeGreaterThan(1);
    expect(lower95).toBeLessThan(3);
    expect(upper95).toBeGreaterThan(10);
    const none = rates({ ...figures, dials: 40, referrals: 0 }, ['coldContactsPerReferral']);
    expect(none.coldContactsPerReferral).toEqual({
      value: null,
      n: 40,
      k: 0,
      lower80: round(1 / wilson(0, 40).upper80, 2),
      upper80: null,
      lower95: round(1 / wilson(0, 40).upper95, 2),
      upper95: null,
    });
  });

  it('adds dials per caller-hour when given the hours', () => {
    expect(rates(figures, [], 0.5)).toEqual({ dialsPerCallerHour: { value: 20, n: 10 } });
    expect(rates(figures, [], 0)).toEqual({ dialsPerCallerHour: { value: null, n: 10 } });
  });
});
