import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ContactTallies } from './contact-tallies';

/** Upper bounds (seconds) of the follow-up latency buckets; the last bucket is open-ended. */
export const FOLLOW_UP_BUCKETS: (number | null)[] = [
  3600,
  4 * 3600,
  12 * 3600,
  86400,
  2 * 86400,
  3 * 86400,
  8 * 86400,
  15 * 86400,
  31 * 86400,
  null,
];
const BOUNDS = `ARRAY[${FOLLOW_UP_BUCKETS.filter((b) => b !== null).join(',')}]::int[]`;
/** The bucket of a latency in seconds: how many bounds it reached. */
const bucketOf = (lat: string) =>
  `(SELECT count(*)::int FROM unnest(${BOUNDS}) b WHERE b <= ${lat})`;

/** Dispositions where nobody was talked to. */
export const NOT_CONNECTED = ['no_answer', 'busy', 'voicemail', 'wrong_number'];
const NIL = '00000000-0000-0000-0000-000000000000';

/** The roll-up key of a call: the client's day of the outcome, campaign, caller, pitch, offer. */
const CALL_KEY = `(k.outcome_at AT TIME ZONE cl.timezone)::date AS day, k.client_id, k.campaign_id, k.caller_id,
  COALESCE(k.pitch_key, '') AS pitch_key, COALESCE(k.offer_key, '') AS offer_key`;
const NOT_CONNECTED_SQL = NOT_CONNECTED.map((d) => `'${d}'`).join(', ');

/**
 * The rating every rating figure goes by: the caller's, as given with the outcome of call `k`.
 * The calibration judges callers by it; a reviewer's correction changes what the client is
 * shown, not these figures (hot share and close rate by rating then count the same referrals).
 */
const CALLER_RATING = `k.outcome->'referral'->>'rating'`;

/** A call's own figures (the outcome's part of report_daily), from its row `k`. */
const CALL_FIGURES = `1 AS dials,
  COALESCE(k.disposition::text NOT IN (${NOT_CONNECTED_SQL}), false)::int AS connects,
  COALESCE(k.dialed_at IS NOT NULL, false)::int AS dialed_here,
  COALESCE(k.disposition = 'referral', false)::int AS referrals,
  COALESCE(k.disposition = 'referral' AND ${CALLER_RATING} = 'very_interested', false)::int AS very_interested,
  COALESCE(k.disposition = 'referral' AND ${CALLER_RATING} = 'needs_work', false)::int AS needs_work,
  COALESCE(k.talk_seconds, 0) AS talk_seconds, k.hit_cap::int AS hit_cap, k.extended::int AS extended,
  k.outcome_at AS first_at, k.outcome_at AS last_at`;

/** A referral's figures (publication and feedback), from its row `r` and its call's `k`. */
const REFERRAL_FIGURES = `COALESCE(r.status = 'published', false)::int AS published,
  COALESCE(r.first_contacted_at IS NOT NULL, false)::int AS contacted,
  COALESCE(r.feedback_status = 'won', false)::int AS won, COALESCE(r.feedback_status = 'lost', false)::int AS lost,
  COALESCE(r.feedback_status = 'won' AND ${CALLER_RATING} = 'very_interested', false)::int AS won_very_interested,
  COALESCE(r.feedback_status = 'won' AND ${CALLER_RATING} = 'needs_work', false)::int AS won_needs_work,
  COALESCE(r.feedback_status IN ('won', 'lost') AND ${CALLER_RATING} = 'very_interested', false)::int AS final_very_interested,
  COALESCE(r.feedback_status IN ('won', 'lost') AND ${CALLER_RATING} = 'needs_work', false)::int AS final_needs_work,
  CASE WHEN r.feedback_status = 'won' THEN COALESCE(r.sale_value, 0) ELSE 0 END AS sale_value`;

export const REFERRAL_COUNTERS = [
  'published',
  'contacted',
  'won',
  'lost',
  'won_very_interested',
  'won_needs_work',
  'final_very_interested',
  'final_needs_work',
  'sale_value',
] as const;
export type ReferralFigures = Record<(typeof REFERRAL_COUNTERS)[number], number | string>;

/** The outcome's counters in report_daily (the call's own figures). */
const CALL_COUNTERS = [
  'dials',
  'connects',
  'dialed_here',
  'referrals',
  'very_interested',
  'needs_work',
  'talk_seconds',
  'hit_cap',
  'extended',
] as const;

/** Every counter column of report_daily. */
export const COUNTERS: readonly string[] = [...CALL_COUNTERS, ...REFERRAL_COUNTERS];
const KEY = ['day', 'client_id', 'campaign_id', 'caller_id', 'pitch_key', 'offer_key'];

/** The caller-day roll-ups, by their owner column: a caller's working day for one client or campaign. */
const CALLER_DAY_TABLES = {
  client_id: 'report_caller_day',
  campaign_id: 'report_campaign_caller_day',
} as const;
type CallerDayOwner = keyof typeof CALLER_DAY_TABLES;

/** Sums of every counter, cast back to its column's type (the raw computations compare equal). */
function typedSums(): string {
  const type = (c: string) =>
    c === 'sale_value' ? 'numeric(16,2)' : c === 'talk_seconds' ? 'bigint' : 'int';
  return COUNTERS.map((c) => `sum(${c})::${type(c)} AS ${c}`).join(', ');
}

/**
 * INSERT … ON CONFLICT that adds the outcome `k` to a caller-day roll-up whose key is the owner
 * column (client or campaign), day and caller: one more dial, the span stretched, the seconds
 * recomputed from them.
 */
function addCallerDay(owner: CallerDayOwner): string {
  const table = CALLER_DAY_TABLES[owner];
  const cols = [owner, 'day', 'caller_id', 'dials', 'first_at', 'last_at'];
  return `INSERT INTO ${table} (${cols.join(', ')}, seconds)
       SELECT ${cols.join(', ')}, ${callerDaySeconds('dials', 'first_at', 'last_at')} FROM k
       ON CONFLICT (${owner}, day, caller_id) DO UPDATE
         SET dials = ${table}.dials + EXCLUDED.dials,
             first_at = LEAST(${table}.first_at, EXCLUDED.first_at),
             last_at = GREATEST(${table}.last_at, EXCLUDED.last_at),
             seconds = ${callerDaySeconds(
               `(${table}.dials + EXCLUDED.dials)`,
               `LEAST(${table}.first_at, EXCLUDED.first_at)`,
               `GREATEST(${table}.last_at, EXCLUDED.last_at)`,
             )}`;
}

/**
 * A caller-day's working time in seconds, from its dials and first and last outcome: the span
 * stretched by one average gap (the last call took time too); a day of a single call counts as
 * 200 s (the industry's 18 calls an hour). The reports' dials per caller-hour rest on it.
 */
export function callerDaySeconds(dials: string, first: string, last: string): string {
  return `(CASE WHEN ${dials} > 1 THEN date_part('epoch', ${last} - ${first}) * ${dials} / (${dials} - 1) ELSE 200 END)::float8`;
}

/** The key of report_monthly: report_daily's with the month (its first day) for the day. */
const MONTH_KEY = ['month', ...KEY.slice(1)];

/**
 * INSERT … ON CONFLICT that adds `delta` (a SELECT of a roll-up's key, the columns that go
 * `along` with it, and some counters) to a roll-up: each counter added to the row of the same
 * key; with `span`, its first_at and last_at stretched; `as` gives a column's value when it is not
 * the delta's column of that name.
 */
function addTo(
  table: string,
  key: readonly string[],
  select: string,
  counters: readonly string[],
  opts: { along?: readonly string[]; span?: boolean; as?: Record<string, string> } = {},
): string {
  const span = opts.span ? ['first_at', 'last_at'] : [];
  const cols = [...key, ...(opts.along ?? []), ...counters, ...span];
  const sets = counters.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`);
  if (opts.span) {
    sets.push(
      `first_at = LEAST(${table}.first_at, EXCLUDED.first_at)`,
      `last_at = GREATEST(${table}.last_at, EXCLUDED.last_at)`,
    );
  }
  const values = cols.map((c) => opts.as?.[c] ?? c);
  return `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${values.join(', ')} FROM (${select}) delta
          ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
}

/** Adds `delta` to report_monthly (the month from the delta's day). */
const addMonthly = (select: string, counters: readonly string[]) =>
  addTo('report_monthly', MONTH_KEY, select, counters, {
    as: { month: `date_trunc('month', day)::date AS month` },
  });

/** The key of report_campaign_day: campaign and day (its client goes along). */
const CAMPAIGN_DAY_KEY = ['campaign_id', 'day'];

/** Adds `delta` to report_campaign_day. */
const addCampaignDay = (select: string, counters: readonly string[]) =>
  addTo('report_campaign_day', CAMPAIGN_DAY_KEY, select, counters, { along: ['client_id'] });

/** Adds `delta` to report_daily (with `span`, its first and last outcome too). */
const addDaily = (select: string, counters: readonly string[], span = false) =>
  addTo('report_daily', KEY, select, counters, { span });

/** SQL: the advisory lock key of a client's day-keyed roll-ups (`client` an SQL uuid expression). */
const CLIENT_DAYS = (client: string) => `hashtextextended('client-days:' || ${client}::text, 0)`;

/** SQL: the shared hold on a client's day-keyed roll-ups (see holdClientDays). */
function shareClientDays(client: string): string {
  return `pg_advisory_xact_lock_shared(${CLIENT_DAYS(client)})`;
}

/**
 * Keeps the report roll-ups current, always inside the transaction of the change it counts, and
 * can rebuild them from the raw rows (calls, referrals): a test checks both agree.
 */
@Injectable()
export class RollupsService {
  constructor(private readonly tallies: ContactTallies) {}

  /**
   * A call got its outcome: its rows in report_daily, report_monthly and report_campaign_day and
   * its caller's day within the client and within the campaign, in one statement.
   */
  async outcome(m: EntityManager, callId: string): Promise<void> {
    await m.query(`SELECT ${shareClientDays('client_id')} FROM calls WHERE id = $1`, [callId]);
    await m.query(
      `WITH k AS (SELECT ${CALL_KEY}, ${CALL_FIGURES} FROM calls k JOIN clients cl ON cl.id = k.client_id WHERE k.id = $1),
            daily AS (${addDaily('SELECT * FROM k', CALL_COUNTERS, true)}),
            monthly AS (${addMonthly('SELECT * FROM k', CALL_COUNTERS)}),
            campaign_day AS (${addCampaignDay('SELECT * FROM k', CALL_COUNTERS)}),
            campaign_caller_day AS (${addCallerDay('campaign_id')})
       ${addCallerDay('client_id')}`,
      [callId],
    );
  }

  /**
   * A referral changed (published, first reached, won or lost): `before` and `after` are its
   * figures as 0/1 flags and the sale value; the difference goes on its call's row.
   */
  async referralChanged(
    m: EntityManager,
    referralId: string,
    before: ReferralFigures,
  ): Promise<void> {
    const deltas = REFERRAL_COUNTERS.map((c) => `after.${c} - ${Number(before[c])} AS ${c}`);
    await m.query(`SELECT ${shareClientDays('client_id')} FROM referrals WHERE id = $1`, [
      referralId,
    ]);
    await m.query(
      `WITH delta AS (
         SELECT ${KEY.map((k) => `after.${k}`).join(', ')}, ${deltas.join(', ')}
           FROM (SELECT ${CALL_KEY}, ${REFERRAL_FIGURES}
                   FROM referrals r JOIN calls k ON k.id = r.call_id JOIN clients cl ON cl.id = k.client_id
                  WHERE r.id = $1) after),
            daily AS (${addDaily('SELECT * FROM delta', REFERRAL_COUNTERS)}),
            campaign_day AS (${addCampaignDay('SELECT * FROM delta', REFERRAL_COUNTERS)})
       ${addMonthly('SELECT * FROM delta', REFERRAL_COUNTERS)}`,
      [referralId],
    );
  }

  /** A referral's figures now (read before a change, to count only the difference). */
  async figuresOf(m: EntityManager, referralId: string): Promise<ReferralFigures> {
    const [row]: ReferralFigures[] = await m.query(
      `SELECT ${REFERRAL_FIGURES} FROM referrals r JOIN calls k ON k.id = r.call_id WHERE r.id = $1`,
      [referralId],
    );
    return row;
  }

  /** First reach of a referral: counted in its latency bucket. */
  async reached(m: EntityManager, referralId: string): Promise<void> {
    await m.query(
      `INSERT INTO report_followup (client_id, campaign_id, rep_id, bucket, reached)
       SELECT r.client_id, r.campaign_id, COALESCE(r.rep_id, '${NIL}'), ${bucketOf('r.follow_up_seconds')}, 1
         FROM referrals r WHERE r.id = $1 AND r.follow_up_seconds IS NOT NULL
       ON CONFLICT (client_id, campaign_id, rep_id, bucket) DO UPDATE SET reached = report_followup.reached + 1`,
      [referralId],
    );
  }

  /** A final answer (won or lost) of a referral: counted in its latency bucket. */
  async finalAnswer(m: EntityManager, referralId: string): Promise<void> {
    await m.query(
      `INSERT INTO report_followup (client_id, campaign_id, rep_id, bucket, final, won)
       SELECT r.client_id, r.campaign_id, COALESCE(r.rep_id, '${NIL}'), ${bucketOf('r.follow_up_seconds')}, 1,
              (r.feedback_status = 'won')::int
         FROM referrals r WHERE r.id = $1 AND r.follow_up_seconds IS NOT NULL
       ON CONFLICT (client_id, campaign_id, rep_id, bucket) DO UPDATE
         SET final = report_followup.final + 1, won = report_followup.won + EXCLUDED.won`,
      [referralId],
    );
  }

  /** The roll-ups as computed from raw rows (for the rebuild and its test). */
  /** report_daily from the calls (`where`: more SQL conditions on the calls `k`). */
  rawDailySql(where = ''): string {
    const sums = typedSums();
    return `SELECT ${KEY.join(', ')}, ${sums}, min(first_at) AS first_at, max(last_at) AS last_at FROM (
        SELECT ${CALL_KEY}, ${CALL_FIGURES},
               ${REFERRAL_COUNTERS.map((c) => `COALESCE(f.${c}, 0) AS ${c}`).join(', ')}
          FROM calls k JOIN clients cl ON cl.id = k.client_id
          LEFT JOIN LATERAL (SELECT ${REFERRAL_FIGURES} FROM referrals r WHERE r.call_id = k.id) f ON true
         WHERE k.disposition IS NOT NULL ${where}) x
      GROUP BY ${KEY.join(', ')}`;
  }

  rawFollowupSql(): string {
    return `SELECT r.client_id, r.campaign_id, COALESCE(r.rep_id, '${NIL}')::uuid AS rep_id,
                   ${bucketOf('r.follow_up_seconds')}::smallint AS bucket, count(*)::int AS reached,
                   count(*) FILTER (WHERE r.feedback_status IN ('won', 'lost'))::int AS final,
                   count(*) FILTER (WHERE r.feedback_status = 'won')::int AS won
              FROM referrals r WHERE r.follow_up_seconds IS NOT NULL
             GROUP BY 1, 2, 3, 4`;
  }

  rawCampaignDaySql(): string {
    const sums = typedSums();
    return `SELECT ${sums}, campaign_id, day, client_id
              FROM (${this.rawDailySql()}) d GROUP BY campaign_id, day, client_id`;
  }

  rawMonthlySql(): string {
    const sums = typedSums();
    return `SELECT date_trunc('month', day)::date AS month, ${KEY.slice(1).join(', ')}, ${sums}
              FROM (${this.rawDailySql()}) d GROUP BY ${MONTH_KEY.map((_, i) => i + 1).join(', ')}`;
  }

  /** A caller-day roll-up (of a client's days, or of a campaign's) from the calls. */
  rawCallerDaySql(owner: CallerDayOwner = 'client_id'): string {
    return `SELECT *, ${callerDaySeconds('dials', 'first_at', 'last_at')} AS seconds FROM (
              SELECT k.${owner}, (k.outcome_at AT TIME ZONE cl.timezone)::date AS day, k.caller_id,
                     count(*)::int AS dials, min(k.outcome_at) AS first_at, max(k.outcome_at) AS last_at
                FROM calls k JOIN clients cl ON cl.id = k.client_id
               WHERE k.disposition IS NOT NULL
               GROUP BY 1, 2, 3) d`;
  }

  /**
   * Holds a client's day-keyed roll-ups until the end of the caller's transaction: writes that
   * place a call on a day of the client's zone (`outcome`, `referralChanged`, under the shared
   * hold) wait, then read the zone as it is once the transaction commits; the ones already
   * under way finish first. Take it before changing the client's zone.
   */
  async holdClientDays(m: EntityManager, clientId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(${CLIENT_DAYS('$1')})`, [clientId]);
  }

  /**
   * Sets one client's day-keyed roll-ups from its calls again (inside the caller's transaction):
   * after its time zone changed, every call belongs to the day of the new zone. Under
   * holdClientDays: no outcome lands on a day of the old zone meanwhile.
   */
  async rebuildClient(m: EntityManager, clientId: string): Promise<void> {
    await this.holdClientDays(m, clientId);
    const campaigns = 'campaign_id IN (SELECT id FROM campaigns WHERE client_id = $1)';
    for (const table of [
      'report_daily',
      'report_monthly',
      'report_campaign_day',
      'report_caller_day',
    ]) {
      await m.query(`DELETE FROM ${table} WHERE client_id = $1`, [clientId]);
    }
    await m.query(`DELETE FROM report_campaign_caller_day WHERE ${campaigns}`, [clientId]);
    await m.query(
      `INSERT INTO report_daily (${KEY.join(', ')}, ${COUNTERS.join(', ')}, first_at, last_at)
       ${this.rawDailySql('AND k.client_id = $1')}`,
      [clientId],
    );
    await this.fromDaily(m, 'client_id = $1', [clientId]);
  }

  /** Recomputes every roll-up from the raw rows (after a repair, or to check them), and the contact tallies. */
  async rebuild(m: EntityManager): Promise<void> {
    await this.tallies.rebuild(m);
    await m.query('DELETE FROM report_daily');
    await m.query('DELETE FROM report_followup');
    await m.query('DELETE FROM report_monthly');
    await m.query('DELETE FROM report_campaign_day');
    for (const table of Object.values(CALLER_DAY_TABLES)) await m.query(`DELETE FROM ${table}`);
    await m.query(
      `INSERT INTO report_daily (${KEY.join(', ')}, ${COUNTERS.join(', ')}, first_at, last_at) ${this.rawDailySql()}`,
    );
    await m.query(
      `INSERT INTO report_followup (client_id, campaign_id, rep_id, bucket, reached, final, won) ${this.rawFollowupSql()}`,
    );
    await this.fromDaily(m, 'true', []);
  }

  /**
   * The coarser roll-ups from report_daily's rows matching `where` (one pass over the calls, not
   * three; the test compares each with its own computation from the raw rows).
   */
  private async fromDaily(m: EntityManager, where: string, params: unknown[]): Promise<void> {
    const sums = COUNTERS.map((c) => `sum(${c})`).join(', ');
    await m.query(
      `INSERT INTO report_monthly (${MONTH_KEY.join(', ')}, ${COUNTERS.join(', ')})
       SELECT date_trunc('month', day)::date, ${KEY.slice(1).join(', ')}, ${sums}
         FROM report_daily WHERE ${where} GROUP BY ${MONTH_KEY.map((_, i) => i + 1).join(', ')}`,
      params,
    );
    await m.query(
      `INSERT INTO report_campaign_day (${CAMPAIGN_DAY_KEY.join(', ')}, client_id, ${COUNTERS.join(', ')})
       SELECT ${CAMPAIGN_DAY_KEY.join(', ')}, client_id, ${sums}
         FROM report_daily WHERE ${where} GROUP BY ${CAMPAIGN_DAY_KEY.join(', ')}, client_id`,
      params,
    );
    for (const [owner, table] of Object.entries(CALLER_DAY_TABLES)) {
      await m.query(
        `INSERT INTO ${table} (${owner}, day, caller_id, dials, first_at, last_at, seconds)
         SELECT *, ${callerDaySeconds('dials', 'first_at', 'last_at')} FROM (
           SELECT ${owner}, day, caller_id, sum(dials) AS dials, min(first_at) AS first_at, max(last_at) AS last_at
             FROM report_daily WHERE ${where} GROUP BY ${owner}, day, caller_id HAVING sum(dials) > 0) d`,
        params,
      );
    }
  }
}
