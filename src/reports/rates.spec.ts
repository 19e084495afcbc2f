import { groupRateNames, RATE_NAMES, rates, TIME_GROUP_RATES } from './rates';

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
    expect(r.referralsPerSale).toEqual({ value: 2, n: 2 });
  });

  it('adds dials per caller-hour when given the hours', () => {
    expect(rates(figures, [], 0.5)).toEqual({ dialsPerCallerHour: { value: 20, n: 10 } });
    expect(rates(figures, [], 0)).toEqual({ dialsPerCallerHour: { value: null, n: 10 } });
  });
});
