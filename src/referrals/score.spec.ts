import fc from 'fast-check';
import { BUDGETS, DECISION_MAKERS, NEXT_STEPS, RATINGS, TIMEFRAMES } from './referral-types';
import type { ReferralCriteria } from './referral-types';
import {
  DEFAULT_SCORE_WEIGHTS,
  SCORE_WEIGHT_KEYS,
  isSuspiciousHot,
  scoreReferral,
  validateWeights,
  type ScoreWeights,
} from './score';

const text = (length: number) => 'x'.repeat(length);
const zeroWeights: ScoreWeights = {
  timeframe: 0,
  budget: 0,
  decisionMaker: 0,
  companySize: 0,
  expectingCall: 0,
  nextStep: 0,
  need: 0,
};

describe('DEFAULT_SCORE_WEIGHTS', () => {
  it('adds up to 100 and passes validation', () => {
    const sum = SCORE_WEIGHT_KEYS.reduce((s, k) => s + DEFAULT_SCORE_WEIGHTS[k], 0);
    expect(sum).toBe(100);
    expect(validateWeights(DEFAULT_SCORE_WEIGHTS)).toEqual([]);
  });
});

describe(scoreReferral.name, () => {
  // Hand computations use the default weights (timeframe 25, budget 20, decisionMaker 20,
  // nextStep 15, expectingCall 10, companySize 5, need 5; total 100).
  it.each<[string, number, ReferralCriteria]>([
    [
      'all best: 25 + 20 + 20 + 15 + 10 + 5 + 5',
      100,
      {
        rating: 'very_interested',
        need: text(200),
        timeframe: 'this_month',
        budget: 'confirmed',
        decisionMaker: 'yes',
        employees: 1000,
        expectingCall: true,
        nextStep: 'quote',
      },
    ],
    [
      'all missing, empty need: only the missing budget counts, 20 × 0.2',
      4,
      { rating: 'needs_work', need: '' },
    ],
    [
      'all missing, need of 40 characters: 4 + 5 × 0.2',
      5,
      { rating: 'needs_work', need: text(40) },
    ],
    ['all missing, need over 200 characters: 4 + 5', 9, { rating: 'needs_work', need: text(500) }],
    [
      'need is trimmed: 40 characters inside blanks count 40',
      5,
      { rating: 'needs_work', need: `   ${text(40)}\n\t ` },
    ],
    [
      'all null behaves like all missing',
      4,
      {
        rating: 'needs_work',
        need: '',
        timeframe: null,
        budget: null,
        decisionMaker: null,
        employees: null,
        expectingCall: null,
        nextStep: null,
      },
    ],
    [
      'typical warm: 17.5 + 12 + 10 + 10.5 + 10 + 5 × 2/3 + 2 = 65.33',
      65,
      {
        rating: 'very_interested',
        need: text(80),
        timeframe: 'quarter',
        budget: 'likely',
        decisionMaker: 'influencer',
        employees: 99,
        expectingCall: true,
        nextStep: 'demo',
      },
    ],
    [
      'hot on the three big ones only: 25 + 20 + 20',
      65,
      {
        rating: 'very_interested',
        need: '',
        timeframe: 'this_month',
        budget: 'confirmed',
        decisionMaker: 'yes',
      },
    ],
    [
      'cold: 2.5 + 0 + 0 + 7.5 + 0 + 0 + 1',
      11,
      {
        rating: 'needs_work',
        need: text(40),
        timeframe: 'later',
        budget: 'none',
        decisionMaker: 'no',
        employees: 0,
        expectingCall: false,
        nextStep: 'technical_questions',
      },
    ],
    [
      'middling: 10 + 4 + 0 + 12 + 0 + 5 × 1/3 + 5 = 32.67',
      33,
      {
        rating: 'needs_work',
        need: text(300),
        timeframe: 'half_year',
        budget: 'unknown',
        nextStep: 'meeting',
        employees: 9,
      },
    ],
    [
      'unknown timeframe counts 0: 0 + 20 + 20 + 15 + 10 + 5 + 5',
      75,
      {
        rating: 'very_interested',
        need: text(200),
        timeframe: 'unknown',
        budget: 'confirmed',
        decisionMaker: 'yes',
        employees: 1_000_000,
        expectingCall: true,
        nextStep: 'quote',
      },
    ],
    [
      'company size 999 already gives the full 5: 4 + 5',
      9,
      { rating: 'needs_work', need: '', employees: 999 },
    ],
  ])('%s → %i', (_label, expected, criteria) => {
    expect(scoreReferral(criteria)).toBe(expected);
  });

  it('ignores the rating', () => {
    const base = { need: text(100), timeframe: 'quarter', budget: 'likely' } as const;
    expect(scoreReferral({ ...base, rating: 'very_interested' })).toBe(
      scoreReferral({ ...base, rating: 'needs_work' }),
    );
  });

  it.each<[string, ScoreWeights, ReferralCriteria, number]>([
    [
      'only the timeframe counts',
      { ...zeroWeights, timeframe: 1 },
      { rating: 'needs_work', need: text(200), timeframe: 'quarter', budget: 'confirmed' },
      70,
    ],
    [
      'timeframe and budget count equally: (0.7 + 0.6) / 2',
      { ...zeroWeights, timeframe: 3, budget: 3 },
      { rating: 'needs_work', need: '', timeframe: 'quarter', budget: 'likely' },
      65,
    ],
    [
      'only the need counts: 100 characters of 200',
      { ...zeroWeights, need: 40 },
      { rating: 'needs_work', need: text(100), timeframe: 'this_month' },
      50,
    ],
    [
      'doubled defaults give the same score as the defaults (typical warm)',
      {
        timeframe: 50,
        budget: 40,
        decisionMaker: 40,
        nextStep: 30,
        expectingCall: 20,
        companySize: 10,
        need: 10,
      },
      {
        rating: 'very_interested',
        need: text(80),
        timeframe: 'quarter',
        budget: 'likely',
        decisionMaker: 'influencer',
        employees: 99,
        expectingCall: true,
        nextStep: 'demo',
      },
      65,
    ],
  ])('custom weights: %s', (_label, weights, criteria, expected) => {
    expect(scoreReferral(criteria, weights)).toBe(expected);
  });

  it('returns 0 when all weights are 0', () => {
    const best: ReferralCriteria = {
      rating: 'very_interested',
      need: text(200),
      timeframe: 'this_month',
      budget: 'confirmed',
      decisionMaker: 'yes',
      employees: 5000,
      expectingCall: true,
      nextStep: 'quote',
    };
    expect(scoreReferral(best, zeroWeights)).toBe(0);
  });

  const criteriaArb: fc.Arbitrary<ReferralCriteria> = fc.record(
    {
      rating: fc.constantFrom(...RATINGS),
      need: fc.string({ maxLength: 400 }),
      timeframe: fc.option(fc.constantFrom(...TIMEFRAMES)),
      budget: fc.option(fc.constantFrom(...BUDGETS)),
      decisionMaker: fc.option(fc.constantFrom(...DECISION_MAKERS)),
      employees: fc.option(fc.oneof(fc.nat(), fc.double())),
      expectingCall: fc.option(fc.boolean()),
      nextStep: fc.option(fc.constantFrom(...NEXT_STEPS)),
    },
    { requiredKeys: ['rating', 'need'] },
  );
  const weightArb = fc.double({ min: 0, max: 100, noNaN: true });
  const weightsArb: fc.Arbitrary<ScoreWeights> = fc.record({
    timeframe: weightArb,
    budget: weightArb,
    decisionMaker: weightArb,
    companySize: weightArb,
    expectingCall: weightArb,
    nextStep: weightArb,
    need: weightArb,
  });

  it('is always a whole number from 0 to 100', () => {
    fc.assert(
      fc.property(criteriaArb, fc.option(weightsArb, { nil: undefined }), (criteria, weights) => {
        const score = scoreReferral(criteria, weights);
        return Number.isInteger(score) && score >= 0 && score <= 100;
      }),
    );
  });

  it('never drops when the timeframe gets nearer', () => {
    const order = ['unknown', 'later', 'half_year', 'quarter', 'this_month'] as const;
    fc.assert(
      fc.property(criteriaArb, fc.integer({ min: 0, max: order.length - 2 }), (criteria, i) => {
        const farther = scoreReferral({ ...criteria, timeframe: order[i] });
        const nearer = scoreReferral({ ...criteria, timeframe: order[i + 1] });
        return nearer >= farther;
      }),
    );
  });
});

describe(validateWeights.name, () => {
  it('accepts all seven weights within 0..100 with a positive sum', () => {
    expect(validateWeights({ ...zeroWeights, need: 0.5 })).toEqual([]);
    expect(validateWeights({ ...zeroWeights, timeframe: 100, budget: 100 })).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['null', null, ['the weights must be an object with one number per criterion']],
    ['a number', 5, ['the weights must be an object with one number per criterion']],
    ['a list', [1, 2], ['the weights must be an object with one number per criterion']],
    ['all zero', zeroWeights, ['at least one weight must be above 0']],
    [
      'a weight set to undefined',
      { ...DEFAULT_SCORE_WEIGHTS, need: undefined },
      ['the weight need must be a number from 0 to 100 (now undefined)'],
    ],
    [
      'an absent key',
      (() => {
        const w: Partial<ScoreWeights> = { ...DEFAULT_SCORE_WEIGHTS };
        delete w.budget;
        return w;
      })(),
      ['the weight budget is missing'],
    ],
    [
      'an extra key',
      { ...DEFAULT_SCORE_WEIGHTS, rating: 10 },
      [
        '"rating" is not a weight; use timeframe, budget, decisionMaker, companySize, expectingCall, nextStep, need',
      ],
    ],
    [
      'negative, too large, not finite, text',
      { ...DEFAULT_SCORE_WEIGHTS, timeframe: -1, budget: 101, nextStep: Infinity, need: '5' },
      [
        'the weight timeframe must be a number from 0 to 100 (now -1)',
        'the weight budget must be a number from 0 to 100 (now 101)',
        'the weight nextStep must be a number from 0 to 100 (now Infinity)',
        'the weight need must be a number from 0 to 100 (now "5")',
      ],
    ],
    [
      'NaN and null',
      { ...DEFAULT_SCORE_WEIGHTS, companySize: NaN, expectingCall: null },
      [
        'the weight companySize must be a number from 0 to 100 (now NaN)',
        'the weight expectingCall must be a number from 0 to 100 (now null)',
      ],
    ],
    ['an empty object', {}, SCORE_WEIGHT_KEYS.map((k) => `the weight ${k} is missing`)],
  ])('rejects %s', (_label, weights, problems) => {
    expect(validateWeights(weights)).toEqual(problems);
  });

  it('accepts any seven weights from 0 to 100 when one is above 0', () => {
    fc.assert(
      fc.property(
        fc.record({
          timeframe: fc.double({ min: 0, max: 100, noNaN: true }),
          budget: fc.double({ min: 0, max: 100, noNaN: true }),
          decisionMaker: fc.double({ min: 0, max: 100, noNaN: true }),
          companySize: fc.double({ min: 0, max: 100, noNaN: true }),
          expectingCall: fc.double({ min: 0, max: 100, noNaN: true }),
          nextStep: fc.double({ min: 0, max: 100, noNaN: true }),
          need: fc.double({ min: 1, max: 100, noNaN: true }),
        }),
        (weights) => validateWeights(weights).length === 0,
      ),
    );
  });
});

describe(isSuspiciousHot.name, () => {
  it.each<[string, boolean, Parameters<typeof isSuspiciousHot>]>([
    ['very interested, 21 below the median, 10 referrals', true, ['very_interested', 39, 60, 10]],
    ['very interested, far below, large sample', true, ['very_interested', 5, 80, 500]],
    ['exactly 20 below is not far enough', false, ['very_interested', 40, 60, 10]],
    ['19 below', false, ['very_interested', 41, 60, 50]],
    ['above the median', false, ['very_interested', 90, 60, 50]],
    ['only 9 referrals so far', false, ['very_interested', 10, 60, 9]],
    ['no median yet', false, ['very_interested', 10, null, 50]],
    ['rated needs work', false, ['needs_work', 10, 60, 50]],
  ])('%s → %s', (_label, expected, args) => {
    expect(isSuspiciousHot(...args)).toBe(expected);
  });
});
