import {
  BUDGETS,
  DECISION_MAKERS,
  NEXT_STEPS,
  RATINGS,
  TIMEFRAMES,
} from '../calls/dto/outcome.dto';

export { BUDGETS, DECISION_MAKERS, NEXT_STEPS, RATINGS, TIMEFRAMES };

/** How the caller rated the prospect's interest. */
export type Rating = (typeof RATINGS)[number];
/** When the prospect expects to buy. */
export type Timeframe = (typeof TIMEFRAMES)[number];
/** What the caller learned about the prospect's budget. */
export type Budget = (typeof BUDGETS)[number];
/** Whether the person spoken to decides the purchase. */
export type DecisionMaker = (typeof DECISION_MAKERS)[number];
/** The next step the prospect agreed to. */
export type NextStep = (typeof NEXT_STEPS)[number];

/**
 * What the caller confirmed about a referral, as used for scoring. Optional fields the caller did
 * not fill in may be missing or null; both mean "not known".
 */
export interface ReferralCriteria {
  rating: Rating;
  need: string;
  timeframe?: Timeframe | null;
  budget?: Budget | null;
  decisionMaker?: DecisionMaker | null;
  employees?: number | null;
  expectingCall?: boolean | null;
  nextStep?: NextStep | null;
}

/** The person the client's sales rep should contact. Every field may be missing or null. */
export interface ReferralContact {
  name?: string | null;
  title?: string | null;
  phone?: string | null;
  email?: string | null;
  website?: string | null;
  company?: string | null;
}
