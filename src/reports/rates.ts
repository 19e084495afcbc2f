import type { GroupBy } from './dto';
import { type RateEstimate, ratio, wilson } from './stats';

/** The figures a report adds up, in the order its answer (and the CSV) lists them. */
export const FIGURES = [
  'dials',
  'connects',
  'dialedHere',
  'referrals',
  'veryInterested',
  'needsWork',
  'published',
  'contacted',
  'won',
  'lost',
  'wonVeryInterested',
  'wonNeedsWork',
  'finalVeryInterested',
  'finalNeedsWork',
  'saleValue',
  'talkSeconds',
  'hitCap',
  'extended',
] as const;
export type Figures = Record<(typeof FIGURES)[number], number>;

/** A ratio that is not a share (dials per caller-hour): its value and the count it rests on. */
export interface PlainRatio {
  value: number | null;
  n: number;
}

/**
 * The inverse of a rate (dials per referral = 1 ÷ success rate), with the inverse of its
 * interval: the 80% range of n/k is [1/upper80, 1/lower80] of k/n. A rate whose range reaches 0
 * has no upper end (null): three dials and one referral say "3 dials per referral, 1.1 to
 * beyond reckoning", not a bare 3.
 */
export interface InverseRate {
  value: number | null;
  n: number;
  k: number;
  lower80: number | null;
  upper80: number | null;
  lower95: number | null;
  upper95: number | null;
}

function inverse(k: number, n: number): InverseRate {
  const w = wilson(k, n);
  const inv = (x: number) => (x > 0 ? round(1 / x, 2) : null);
  return {
    value: roundOrNull(ratio(n, k), 2),
    n,
    k,
    lower80: inv(w.upper80),
    upper80: inv(w.lower80),
    lower95: inv(w.upper95),
    upper95: inv(w.lower95),
  };
}

/** Every rate a report or a group can carry, each a function of the figures. */
const RATES = {
  successRate: (t: Figures) => rate(t.referrals, t.dials),
  referralsPerConnect: (t: Figures) => rate(t.referrals, t.connects),
  connectRate: (t: Figures) => rate(t.connects, t.dials),
  hotShare: (t: Figures) => rate(t.veryInterested, t.referrals),
  publishedShare: (t: Figures) => rate(t.published, t.referrals),
  closeRate: (t: Figures) => rate(t.won, t.won + t.lost),
  closeRateVeryInterested: (t: Figures) => rate(t.wonVeryInterested, t.finalVeryInterested),
  closeRateNeedsWork: (t: Figures) => rate(t.wonNeedsWork, t.finalNeedsWork),
  capShare: (t: Figures) => rate(t.hitCap, t.dialedHere),
  extendedShare: (t: Figures) => rate(t.extended, t.dialedHere),
  coldContactsPerReferral: (t: Figures) => inverse(t.referrals, t.dials),
  referralsPerSale: (t: Figures) => inverse(t.won, t.won + t.lost),
} satisfies Record<string, (t: Figures) => RateEstimate | InverseRate>;

export type RateName = keyof typeof RATES;
export const RATE_NAMES = Object.keys(RATES) as RateName[];

/**
 * The rates a day or week group carries unless asked for others: what a per-day table or chart
 * shows (the success rate with its intervals, and the close rate). Hundreds of days each with
 * every rate made the answer megabytes; `rates=all` still gives them all.
 */
export const TIME_GROUP_RATES: readonly RateName[] = ['successRate', 'closeRate'];

/**
 * The rates each group carries: the `rates` query parameter (names separated by commas, or
 * `all`), else every rate for pitch, offer, caller and campaign groups (a few rows) and
 * TIME_GROUP_RATES for day and week groups. Throws a RangeError naming an unknown rate.
 */
export function groupRateNames(by: GroupBy | undefined, asked?: string): readonly RateName[] {
  if (asked === undefined || asked === '') {
    return by === 'day' || by === 'week' ? TIME_GROUP_RATES : RATE_NAMES;
  }
  if (asked === 'all') return RATE_NAMES;
  const names = [...new Set(asked.split(',').map((n) => n.trim()))];
  const unknown = names.filter((n) => !(n in RATES));
  if (unknown.length) {
    throw new RangeError(
      `unknown rate ${unknown.join(', ')}; known: all, ${RATE_NAMES.join(', ')}`,
    );
  }
  return names as RateName[];
}

/**
 * The named rates of some figures; with `callerHours` (the report's totals), also dials per
 * caller-hour.
 */
export function rates(
  t: Figures,
  names: readonly RateName[] = RATE_NAMES,
  callerHours: number | null = null,
): Record<string, RateEstimate | InverseRate | PlainRatio> {
  const out: Record<string, RateEstimate | InverseRate | PlainRatio> = {};
  for (const name of names) out[name] = RATES[name](t);
  if (callerHours !== null) {
    out.dialsPerCallerHour = { value: roundOrNull(ratio(t.dials, callerHours), 2), n: t.dials };
  }
  return out;
}

/** A rate with its interval, to 4 decimals (what a person reads; a daily table stays small). */
export function rate(k: number, n: number): RateEstimate {
  const e = wilson(k, n);
  if (e.value !== null) e.value = round(e.value, 4);
  e.lower80 = round(e.lower80, 4);
  e.upper80 = round(e.upper80, 4);
  e.lower95 = round(e.lower95, 4);
  e.upper95 = round(e.upper95, 4);
  return e;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function roundOrNull(x: number | null, digits = 0): number | null {
  return x === null ? null : round(x, digits);
}
