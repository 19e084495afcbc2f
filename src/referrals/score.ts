import type {
  Budget,
  DecisionMaker,
  NextStep,
  Rating,
  ReferralCriteria,
  Timeframe,
} from './referral-types';

/**
 * How much each criterion counts in a referral's score. Only the proportions matter: the score is
 * the weighted average of the criteria's factors, so the weights need not add up to 100.
 */
export interface ScoreWeights {
  timeframe: number;
  budget: number;
  decisionMaker: number;
  companySize: number;
  expectingCall: number;
  nextStep: number;
  need: number;
}

/** The weights used when a campaign sets none of its own; they add up to 100. */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = Object.freeze({
  timeframe: 25,
  budget: 20,
  decisionMaker: 20,
  nextStep: 15,
  expectingCall: 10,
  companySize: 5,
  need: 5,
});

/** The weight names, in a fixed order. */
export const SCORE_WEIGHT_KEYS: readonly (keyof ScoreWeights)[] = Object.freeze([
  'timeframe',
  'budget',
  'decisionMaker',
  'companySize',
  'expectingCall',
  'nextStep',
  'need',
]);

const TIMEFRAME_FACTORS: Record<Timeframe, number> = {
  this_month: 1,
  quarter: 0.7,
  half_year: 0.4,
  later: 0.1,
  unknown: 0,
};
const BUDGET_FACTORS: Record<Budget, number> = { confirmed: 1, likely: 0.6, unknown: 0.2, none: 0 };
/** A budget nobody asked about counts like an unknown one. */
const MISSING_BUDGET_FACTOR = BUDGET_FACTORS.unknown;
const DECISION_MAKER_FACTORS: Record<DecisionMaker, number> = { yes: 1, influencer: 0.5, no: 0 };
const NEXT_STEP_FACTORS: Record<NextStep, number> = {
  quote: 1,
  meeting: 0.8,
  demo: 0.7,
  technical_questions: 0.5,
};
/** A need this long (trimmed) or longer earns the full need factor. */
const FULL_NEED_LENGTH = 200;

/** log10(employees + 1) / 3, capped at 1: 9 employees give 1/3, 99 give 2/3, 999 or more give 1. */
function companySizeFactor(employees: number | null | undefined): number {
  if (employees === null || employees === undefined || !Number.isFinite(employees)) return 0;
  return Math.min(1, Math.log10(Math.max(0, employees) + 1) / 3);
}

/** Each criterion's factor in [0, 1], keyed like the weights. */
function factors(c: ReferralCriteria): ScoreWeights {
  return {
    timeframe: c.timeframe ? (TIMEFRAME_FACTORS[c.timeframe] ?? 0) : 0,
    budget: c.budget ? (BUDGET_FACTORS[c.budget] ?? 0) : MISSING_BUDGET_FACTOR,
    decisionMaker: c.decisionMaker ? (DECISION_MAKER_FACTORS[c.decisionMaker] ?? 0) : 0,
    nextStep: c.nextStep ? (NEXT_STEP_FACTORS[c.nextStep] ?? 0) : 0,
    expectingCall: c.expectingCall === true ? 1 : 0,
    companySize: companySizeFactor(c.employees),
    need: Math.min(1, (c.need ?? '').trim().length / FULL_NEED_LENGTH),
  };
}

/**
 * Scores a referral from 0 (cold) to 100 (ready to buy), as a whole number.
 *
 * Each criterion gives a factor between 0 and 1, multiplied by its weight:
 *
 * | criterion     | factor                                                                      |
 * | ------------- | --------------------------------------------------------------------------- |
 * | timeframe     | this_month 1, quarter 0.7, half_year 0.4, later 0.1, unknown or missing 0    |
 * | budget        | confirmed 1, likely 0.6, unknown or missing 0.2, none 0                      |
 * | decisionMaker | yes 1, influencer 0.5, no or missing 0                                       |
 * | nextStep      | quote 1, meeting 0.8, demo 0.7, technical_questions 0.5, missing 0           |
 * | expectingCall | true 1, otherwise 0                                                          |
 * | companySize   | missing 0, else log10(employees + 1) / 3 capped at 1 (999+ employees give 1) |
 * | need          | trimmed length / 200, capped at 1 (a 200-character need gives 1)             |
 *
 * The score is round(100 × Σ(weight × factor) / Σ weight), so only the weights' proportions
 * matter; when the weights add up to 0 the score is 0. The rating is deliberately not an input,
 * so a caller's rating can be checked against the score (see {@link isSuspiciousHot}).
 * Weights are expected to pass {@link validateWeights}; the result is kept within 0..100 anyway.
 */
export function scoreReferral(
  c: ReferralCriteria,
  weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS,
): number {
  const f = factors(c);
  let total = 0;
  let earned = 0;
  for (const key of SCORE_WEIGHT_KEYS) {
    const w = weights[key];
    if (!Number.isFinite(w)) continue;
    total += w;
    earned += w * f[key];
  }
  if (!(total > 0)) return 0;
  const score = Math.round((100 * earned) / total);
  return Math.min(100, Math.max(0, score));
}

/**
 * Checks weights sent by a user (for example a campaign's own weights) and lists what is wrong, in
 * plain words; an empty list means they can be used. The rules: an object with exactly the seven
 * weights (timeframe, budget, decisionMaker, companySize, expectingCall, nextStep, need), no
 * other key, each a finite number from 0 to 100, and at least one of them above 0.
 */
export function validateWeights(w: unknown): string[] {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) {
    return ['the weights must be an object with one number per criterion'];
  }
  const record = w as Record<string, unknown>;
  const known = new Set<string>(SCORE_WEIGHT_KEYS);
  const problems: string[] = [];
  let sum = 0;
  for (const key of SCORE_WEIGHT_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) {
      problems.push(`the weight ${key} is missing`);
      continue;
    }
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
      problems.push(`the weight ${key} must be a number from 0 to 100 (now ${describe(value)})`);
      continue;
    }
    sum += value;
  }
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      problems.push(`"${key}" is not a weight; use ${SCORE_WEIGHT_KEYS.join(', ')}`);
    }
  }
  if (problems.length === 0 && sum <= 0) {
    problems.push('at least one weight must be above 0');
  }
  return problems;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

/** A campaign's median score only says what is usual once it has this many referrals. */
export const SUSPICIOUS_MIN_SAMPLE = 10;
/** How many points below the campaign's median score a "very interested" referral may fall. */
export const SUSPICIOUS_MARGIN = 20;

/**
 * Whether a referral rated "very interested" scores far below the campaign's usual, which is
 * worth a second look. "Far below the campaign's usual" means more than 20 points below the median
 * of the campaign's referral scores, and is judged only once the campaign has at least 10
 * referrals (sampleSize) and a median (campaignMedianScore not null). Other ratings are never
 * suspicious.
 */
export function isSuspiciousHot(
  rating: Rating,
  score: number,
  campaignMedianScore: number | null,
  sampleSize: number,
): boolean {
  return (
    rating === 'very_interested' &&
    sampleSize >= SUSPICIOUS_MIN_SAMPLE &&
    campaignMedianScore !== null &&
    score < campaignMedianScore - SUSPICIOUS_MARGIN
  );
}
