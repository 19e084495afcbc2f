/**
 * The referral as a client sees it, in every client-facing form (JSON, NDJSON line, CSV row with
 * nested fields flattened as `contact.name`, …, webhook payload). One SQL select list builds it,
 * so the feed, the webhooks and the API answer the same shape.
 */
export interface ClientReferral {
  id: string;
  publishedAt: string;
  rating: 'very_interested' | 'needs_work';
  score: number;
  need: string;
  timeframe: string | null;
  budget: string | null;
  decisionMaker: string | null;
  employees: number | null;
  expectingCall: boolean | null;
  nextStep: string | null;
  contact: {
    name: string | null;
    title: string | null;
    phone: string | null;
    email: string | null;
    website: string | null;
    company: string | null;
  };
  campaign: { id: string; name: string };
  rep: { id: string; name: string; email: string } | null;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** FROM clause shared by every client-facing read: `r` referrals, `g` campaigns, `s` reps. */
export const CLIENT_REFERRAL_FROM = `referrals r JOIN campaigns g ON g.id = r.campaign_id LEFT JOIN sales_reps s ON s.id = r.rep_id`;

/** The client-facing referral as one JSON value (for JSON, NDJSON and webhook bodies). */
export const CLIENT_REFERRAL_JSON = `json_build_object(
  'id', r.id, 'publishedAt', ${ISO('r.published_at')}, 'rating', r.rating, 'score', r.score,
  'need', r.need, 'timeframe', r.timeframe, 'budget', r.budget, 'decisionMaker', r.decision_maker,
  'employees', r.employees, 'expectingCall', r.expecting_call, 'nextStep', r.next_step,
  'contact', json_build_object('name', r.contact->>'name', 'title', r.contact->>'title',
     'phone', r.contact->>'phone', 'email', r.contact->>'email', 'website', r.contact->>'website',
     'company', r.contact->>'company'),
  'campaign', json_build_object('id', g.id, 'name', g.name),
  'rep', CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'name', s.name, 'email', s.email) END)`;

/**
 * A text cell made safe for spreadsheets: a value starting with `=`, `+`, `-`, `@`, tab or CR
 * is prefixed with `'` so that Excel and Sheets show it instead of running it as a formula.
 */
export const csvSafe = (expr: string) =>
  `CASE WHEN ${expr} ~ '^[=+@\\t\\r-]' THEN '''' || ${expr} ELSE ${expr} END`;

const bool = (expr: string) => `CASE WHEN ${expr} THEN 'true' WHEN NOT ${expr} THEN 'false' END`;

/** The CSV columns, in order: header name → SQL expression (text cells escaped against formulas). */
export const CLIENT_REFERRAL_CSV: [string, string][] = [
  ['id', 'r.id'],
  ['publishedAt', ISO('r.published_at')],
  ['rating', 'r.rating'],
  ['score', 'r.score'],
  ['need', csvSafe('r.need')],
  ['timeframe', 'r.timeframe'],
  ['budget', 'r.budget'],
  ['decisionMaker', 'r.decision_maker'],
  ['employees', 'r.employees'],
  ['expectingCall', bool('r.expecting_call')],
  ['nextStep', 'r.next_step'],
  ...['name', 'title', 'phone', 'email', 'website', 'company'].map((k): [string, string] => [
    `contact.${k}`,
    csvSafe(`(r.contact->>'${k}')`),
  ]),
  ['campaign.id', 'g.id'],
  ['campaign.name', csvSafe('g.name')],
  ['rep.id', 's.id'],
  ['rep.name', csvSafe('s.name')],
  ['rep.email', csvSafe('s.email')],
];
