import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import type { CallerReportQuery, GroupBy, ReportQuery } from './dto';
import {
  INDUSTRY_CLOSE_PRIOR,
  INDUSTRY_SUCCESS_PRIOR,
  posterior,
  predictCount,
  priorFromHistory,
  probabilityAtLeast,
  projectSales,
  expectedDialsLeft,
  trialsForTarget,
} from './projection';
import {
  FIGURES,
  type Figures,
  groupRateNames,
  RATE_NAMES,
  type RateName,
  rate,
  rates,
  round,
  roundOrNull,
} from './rates';
import { CallerStatesRepository } from '../calls/caller-states.repository';
import { type CallerTime, CallerTimeReport } from './caller-time';
import { ContactTallies } from './contact-tallies';
import { periodParts } from './period';
import { callerDaySeconds, COUNTERS, FOLLOW_UP_BUCKETS } from './rollups.service';
import { histogramQuantileBound, probabilityBetter } from './stats';

/** The figures every report adds up (names the pages and integrators rely on). */
export interface Totals {
  dials: number;
  connects: number;
  dialedHere: number;
  referrals: number;
  veryInterested: number;
  needsWork: number;
  published: number;
  contacted: number;
  won: number;
  lost: number;
  saleValue: number;
  talkSeconds: number;
  hitCap: number;
  extended: number;
  callerHours: number;
}

const SUMS = `sum(dials)::int AS dials, sum(connects)::int AS connects, sum(dialed_here)::int AS "dialedHere",
  sum(referrals)::int AS referrals, sum(very_interested)::int AS "veryInterested", sum(needs_work)::int AS "needsWork",
  sum(published)::int AS published, sum(contacted)::int AS contacted, sum(won)::int AS won, sum(lost)::int AS lost,
  sum(won_very_interested)::int AS "wonVeryInterested", sum(won_needs_work)::int AS "wonNeedsWork",
  sum(final_very_interested)::int AS "finalVeryInterested", sum(final_needs_work)::int AS "finalNeedsWork",
  COALESCE(sum(sale_value), 0)::float8 AS "saleValue", COALESCE(sum(talk_seconds), 0)::float8 AS "talkSeconds",
  sum(hit_cap)::int AS "hitCap", sum(extended)::int AS extended`;

/** Caller-hours from caller-day rows with their `seconds` of work (see callerDaySeconds). */
const HOURS = `(COALESCE(sum(seconds), 0) / 3600.0)::float8`;

/**
 * Within a caller's report, a client's caller-day row that starts more than this after every
 * earlier one ended begins a new shift (clients' days are in their own zones: the same label can
 * be different real days).
 */
const SHIFT_GAP = '4 hours';

/** A caller-day's seconds from the rows of one caller and day of report_daily or report_caller_day. */
const DAY_SECONDS = callerDaySeconds('sum(dials)', 'min(first_at)', 'max(last_at)');

/** What each grouping groups by in SQL, and its key as text (computed once per group). */
const GROUP_KEY: Record<Exclude<GroupBy, 'caller'>, { by: string; key: string }> = {
  day: { by: 'day', key: `to_char(day, 'YYYY-MM-DD')` },
  week: { by: `date_trunc('week', day)`, key: `to_char(date_trunc('week', day), 'YYYY-MM-DD')` },
  pitch: { by: 'pitch_key', key: 'pitch_key' },
  offer: { by: 'offer_key', key: 'offer_key' },
  campaign: { by: 'campaign_id', key: 'campaign_id::text' },
};

/** A caller's figures and working hours. */
type CallerRow = Figures & { key: string; hours: number };
/** A group's figures. */
type GroupRow = Figures & { key: string };

/** Whose report: a client, a campaign, or a caller (within some clients, or all). */
type Scope =
  | { kind: 'client'; clientId: string }
  | { kind: 'campaign'; campaignId: string; clientId: string }
  | { kind: 'caller'; callerId: string; clientIds: string[] | null };

const HOURS_PER_DAY = 6;
/** The industry's dials per caller-hour (DOMAIN.md), and the caller-hours it is worth. */
const INDUSTRY_DIALS_PER_HOUR = 18;
const RATE_PRIOR_HOURS = 2;

/**
 * Reports read from the roll-ups (never the calls): totals, rates with 80% and 95% intervals,
 * groups, follow-up, decay and rating calibration, and for campaigns the projection. The
 * independent reads of a report run at once, each on its own pooled connection.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    private readonly clock: Clock,
    private readonly tallies: ContactTallies,
    private readonly callerTime: CallerTimeReport,
    private readonly callerStates: CallerStatesRepository,
  ) {}

  async client(p: Principal, clientId: string, q: ReportQuery) {
    const names = checkQuery(q);
    // The report is read while the access check runs; nothing of it leaves unless allowed.
    const [allowed, report] = await Promise.all([
      this.tenants.canSee(p, clientId),
      this.build(p, { kind: 'client', clientId }, q, names),
    ]);
    if (!allowed) throw AppError.notFound('Client');
    return report.report;
  }

  async campaign(p: Principal, campaignId: string, q: ReportQuery) {
    const names = checkQuery(q);
    const [c]: { client_id: string; timezone: string }[] = await this.db.query(
      'SELECT g.client_id, cl.timezone FROM campaigns g JOIN clients cl ON cl.id = g.client_id WHERE g.id = $1',
      [campaignId],
    );
    if (!c) throw AppError.notFound('Campaign');
    const scope: Scope = { kind: 'campaign', campaignId, clientId: c.client_id };
    const allTime = !q.from && !q.to;
    const report = this.build(p, scope, q, names);
    const [allowed, built, projection] = await Promise.all([
      this.tenants.canSee(p, c.client_id),
      report,
      // Over the whole history: without from/to the report's own per-caller figures serve.
      this.projection(
        campaignId,
        c.client_id,
        c.timezone,
        q.target,
        allTime ? report.then((r) => r.perCaller) : undefined,
      ),
    ]);
    if (!allowed) throw AppError.notFound('Campaign');
    return { ...built.report, projection };
  }

  /**
   * A caller's own figures (callers: only themselves; account managers: within their clients),
   * and their time by state (`time`; for an account manager only when the caller works a
   * campaign of one of their clients, else null).
   */
  async caller(p: Principal, callerId: string, q: CallerReportQuery) {
    const names = checkQuery(q);
    if (p.kind !== 'user') throw new AppError('forbidden', 'Not for API keys');
    if (p.role === 'caller' && p.userId !== callerId) throw AppError.notFound('Caller');
    const scope = await this.tenants.scopeOf(p);
    if (p.role === 'client') throw new AppError('forbidden', 'Caller reports are for staff');
    const [exists]: unknown[] = await this.db.query(
      `SELECT 1 FROM users WHERE id = $1 AND role = 'caller'`,
      [callerId],
    );
    if (!exists) throw AppError.notFound('Caller');
    const clientIds = p.role === 'caller' || scope.all ? null : scope.ids;
    const time: Promise<CallerTime | null> = (
      clientIds ? this.callerStates.worksFor(callerId, clientIds) : Promise.resolve(true)
    ).then((may) => (may ? this.callerTime.of(callerId, q, this.clock.now()) : null));
    const [built, timeOf] = await Promise.all([
      this.build(p, { kind: 'caller', callerId, clientIds }, q, names),
      time,
    ]);
    return { ...built.report, time: timeOf };
  }

  private async build(p: Principal, scope: Scope, q: ReportQuery, names: readonly RateName[]) {
    const clientView = p.kind === 'api_key' || (p.kind === 'user' && p.role === 'client');
    const [split, followUp] = await Promise.all([
      this.perCaller(scope, q),
      scope.kind === 'caller' ? null : this.followUp(scope),
    ]);
    const totalsRow = sumFigures(split.callers);
    const exactHours = split.callers.reduce((t, r) => t + r.hours, 0);
    const rows = q.groupBy === 'caller' ? split.callers : split.groups;
    const report = {
      from: q.from ?? null,
      to: q.to ?? null,
      groupBy: q.groupBy ?? null,
      totals: {
        ...totalsRow,
        saleValue: round(totalsRow.saleValue, 2),
        callerHours: round(exactHours, 2),
      },
      rates: rates(totalsRow, RATE_NAMES, exactHours),
      groups: q.groupBy ? this.groups(rows, q.groupBy, clientView, names) : [],
      ...(followUp ? { followUp } : {}),
      calibration: this.calibration(split.callers, clientView),
    };
    return { report, perCaller: split.callers };
  }

  /**
   * The figures per caller with their working hours (the totals and the calibration come from
   * them) and the rows of the grouping asked for, in one GROUP BY GROUPING SETS; beside it, on
   * another connection, the caller-hours: a campaign's from report_campaign_caller_day, a
   * client's or a caller's from report_caller_day. A campaign by day or week reads its days from
   * report_campaign_day instead.
   */
  private async perCaller(
    scope: Scope,
    q: Pick<ReportQuery, 'from' | 'to' | 'groupBy'>,
  ): Promise<{ callers: CallerRow[]; groups: GroupRow[] }> {
    const by = q.groupBy && q.groupBy !== 'caller' ? q.groupBy : null;
    const { where, params } = daily(scope, q);
    // Day and week groups need the days; anything else adds up whole months where it can.
    const source =
      by === 'day' || by === 'week'
        ? { from: `report_daily WHERE ${where}`, params }
        : monthsAndDays(scope, q);
    const hoursSql =
      scope.kind === 'caller'
        ? // A caller's days over several clients, each client's day in its own zone: rows less
          // than SHIFT_GAP apart (in real time, whatever their labels) are one shift.
          `SELECT caller_id::text AS key, ${HOURS} AS hours FROM (
             SELECT caller_id, ${DAY_SECONDS} AS seconds FROM (
               SELECT caller_id, dials, first_at, last_at,
                      count(*) FILTER (WHERE starts) OVER (PARTITION BY caller_id ORDER BY first_at, last_at) AS shift
                 FROM (SELECT caller_id, dials, first_at, last_at,
                              first_at > COALESCE(max(last_at) OVER (PARTITION BY caller_id ORDER BY first_at, last_at
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                                                  '-infinity') + interval '${SHIFT_GAP}' AS starts
                         FROM report_caller_day WHERE ${where}) r) s
              GROUP BY caller_id, shift) d GROUP BY caller_id`
        : // Within a client or a campaign each row is one caller-day already.
          `SELECT caller_id::text AS key, ${HOURS} AS hours
             FROM ${scope.kind === 'client' ? 'report_caller_day' : 'report_campaign_caller_day'}
            WHERE ${where} GROUP BY caller_id`;
    type Row = CallerRow & { g: number; caller: string | null };
    let figures: Promise<Row[]>;
    if (scope.kind === 'campaign' && (by === 'day' || by === 'week')) {
      // A campaign by day or week: its days from report_campaign_day (one row each), its callers
      // from whole months and edge days, side by side.
      const months = monthsAndDays(scope, q);
      figures = Promise.all([
        this.db.query<Row[]>(
          `SELECT 0 AS g, caller_id::text AS caller, NULL::text AS key, ${SUMS}
             FROM ${months.from} GROUP BY caller_id ORDER BY 2`,
          months.params,
        ),
        this.db.query<Row[]>(
          `SELECT 1 AS g, NULL::text AS caller, ${GROUP_KEY[by].key} AS key, ${SUMS}
             FROM report_campaign_day WHERE ${where}
            GROUP BY ${GROUP_KEY[by].by} ORDER BY 3`,
          params,
        ),
      ]).then(([callers, groups]) => [...callers, ...groups]);
    } else {
      figures = this.db.query<Row[]>(
        `SELECT GROUPING(caller_id) AS g, caller_id::text AS caller,
                ${by ? GROUP_KEY[by].key : 'NULL::text'} AS key, ${SUMS}
           FROM ${source.from}
          GROUP BY GROUPING SETS ((caller_id)${by ? `, (${GROUP_KEY[by].by})` : ''}) ORDER BY 1, 2, 3`,
        source.params,
      );
    }
    const [rows, hours]: [Row[], { key: string; hours: number }[]] = await Promise.all([
      figures,
      this.db.query(hoursSql, params),
    ]);
    const hoursOf = new Map(hours.map((h) => [h.key, h.hours]));
    for (const r of rows) r.hours = hoursOf.get(r.caller ?? '') ?? 0;
    return split(rows);
  }

  private groups(rows: GroupRow[], by: GroupBy, clientView: boolean, names: readonly RateName[]) {
    const labels = clientView && by === 'caller' ? anonymise(rows.map((r) => r.key)) : null;
    // A caller's group also has its working hours, and so its dials per caller-hour.
    const hoursOf = (r: GroupRow) => (by === 'caller' ? (r as CallerRow).hours : null);
    const out = rows.map((r) => {
      const hours = hoursOf(r);
      return {
        key: labels ? labels.get(r.key)! : r.key,
        totals: hours === null ? figuresOf(r) : { ...figuresOf(r), callerHours: round(hours, 2) },
        rates: rates(r, names, hours),
      };
    });
    if (by === 'pitch' || by === 'offer' || by === 'caller' || by === 'campaign') {
      // How sure is it that one beats another: every pair, on the success rate.
      const comparisons: { a: string; b: string; probabilityABetter: number }[] = [];
      for (let i = 0; i < rows.length; i++) {
        for (let j = i + 1; j < rows.length; j++) {
          const a = { k: rows[i].referrals, n: rows[i].dials };
          const b = { k: rows[j].referrals, n: rows[j].dials };
          comparisons.push({
            a: out[i].key,
            b: out[j].key,
            probabilityABetter: round(probabilityBetter(a, b), 4),
          });
        }
      }
      return out.map((g) => ({
        ...g,
        comparisons: comparisons
          .filter((c) => c.a === g.key || c.b === g.key)
          .map((c) =>
            c.a === g.key
              ? { other: c.b, probabilityBetter: c.probabilityABetter }
              : { other: c.a, probabilityBetter: round(1 - c.probabilityABetter, 4) },
          ),
      }));
    }
    return out;
  }

  /** Close rate of very_interested vs needs_work, per caller: is "hot" closing better? */
  private calibration(rows: CallerRow[], clientView: boolean) {
    const labels = clientView ? anonymise(rows.map((r) => r.key)) : null;
    return rows.map((r) => ({
      caller: labels ? labels.get(r.key)! : r.key,
      closeRateVeryInterested: rate(r.wonVeryInterested, r.finalVeryInterested),
      closeRateNeedsWork: rate(r.wonNeedsWork, r.finalNeedsWork),
      probabilityHotClosesBetter: round(
        probabilityBetter(
          { k: r.wonVeryInterested, n: r.finalVeryInterested },
          { k: r.wonNeedsWork, n: r.finalNeedsWork },
        ),
        4,
      ),
    }));
  }

  /** Publication to first contact per rep (median, p90), and close rate by how fast (decay). */
  private async followUp(scope: Scope & { kind: 'client' | 'campaign' }) {
    const rows: {
      rep_id: string;
      bucket: number;
      reached: number;
      final: number;
      won: number;
      name: string | null;
    }[] = await this.db.query(
      `SELECT f.rep_id, f.bucket, sum(f.reached)::int AS reached, sum(f.final)::int AS final, sum(f.won)::int AS won, s.name
           FROM report_followup f LEFT JOIN sales_reps s ON s.id = f.rep_id
          WHERE f.client_id = $1 ${scope.kind === 'campaign' ? 'AND f.campaign_id = $2' : ''}
          GROUP BY f.rep_id, f.bucket, s.name ORDER BY s.name, f.bucket`,
      scope.kind === 'campaign' ? [scope.clientId, scope.campaignId] : [scope.clientId],
    );
    const byRep = new Map<string, typeof rows>();
    for (const r of rows) byRep.set(r.rep_id, [...(byRep.get(r.rep_id) ?? []), r]);
    const histogram = (rs: typeof rows) =>
      FOLLOW_UP_BUCKETS.map((upTo, i) => ({
        upTo,
        count: rs.find((r) => r.bucket === i)?.reached ?? 0,
      }));
    const perRep = [...byRep.entries()].map(([repId, rs]) => ({
      repId: repId === '00000000-0000-0000-0000-000000000000' ? null : repId,
      name: rs[0].name,
      reached: rs.reduce((s, r) => s + r.reached, 0),
      ...percentile('median', histogramQuantileBound(histogram(rs), 0.5)),
      ...percentile('p90', histogramQuantileBound(histogram(rs), 0.9)),
    }));
    // Decay groups by whole days to first contact: 0, 1–2, 3–7, later (bucket bounds line up).
    const groups: [string, number[]][] = [
      ['same day', [0, 1, 2, 3]],
      ['1–2 days', [4, 5]],
      ['3–7 days', [6]],
      ['later', [7, 8, 9]],
    ];
    const decay = groups.map(([label, buckets]) => {
      const rs = rows.filter((r) => buckets.includes(r.bucket));
      return {
        latency: label,
        closeRate: rate(
          rs.reduce((s, r) => s + r.won, 0),
          rs.reduce((s, r) => s + r.final, 0),
        ),
      };
    });
    return {
      perRep,
      decay,
      // Kept per referral, not per day: a report's from and to do not narrow it.
      allTime: true,
      approximation: 'medians and p90 are interpolated within latency buckets',
    };
  }

  /**
   * What the rest of the list will yield: expected referrals and sales with 80% and 95% intervals,
   * from the contacts still callable; the finish date from the callers assigned and their measured
   * dials per hour; and, given a target, the caller-hours to reach it.
   */
  private async projection(
    campaignId: string,
    clientId: string,
    timeZone: string,
    target: number | undefined,
    allTime?: Promise<CallerRow[]>,
  ) {
    const [ownPerCaller, others, list] = await Promise.all([
      allTime ??
        this.perCaller({ kind: 'campaign', campaignId, clientId }, {}).then((r) => r.callers),
      this.otherCampaigns(clientId, campaignId),
      this.list(campaignId),
    ]);
    const ownHours = ownPerCaller.reduce((t, r) => t + r.hours, 0);
    const d = sumFigures(ownPerCaller);
    const successPrior =
      others.dials > 0
        ? priorFromHistory(
            others.referrals,
            others.dials,
            INDUSTRY_SUCCESS_PRIOR,
            "the client's other campaigns",
          )
        : INDUSTRY_SUCCESS_PRIOR;
    const closePrior =
      others.final > 0
        ? priorFromHistory(
            others.won,
            others.final,
            INDUSTRY_CLOSE_PRIOR,
            "the client's other campaigns",
          )
        : INDUSTRY_CLOSE_PRIOR;
    const success = posterior(successPrior, d.referrals, d.dials);
    const close = posterior(closePrior, d.won, d.won + d.lost);
    const { dials: dialsLeft, settleRate } = expectedDialsLeft(list.tally);
    const referrals = predictCount(success, dialsLeft);
    const sales = projectSales(success, dialsLeft, close);
    // Measured, steadied by the industry's figure worth RATE_PRIOR_HOURS caller-hours: two quick
    // dials in a first minute are not 120 an hour.
    const measuredDials = ownHours > 0 ? d.dials : 0;
    const dialsPerCallerHour =
      (measuredDials + INDUSTRY_DIALS_PER_HOUR * RATE_PRIOR_HOURS) / (ownHours + RATE_PRIOR_HOURS);
    const callers = list.callers;
    const days =
      callers > 0 ? Math.ceil(dialsLeft / (callers * dialsPerCallerHour * HOURS_PER_DAY)) : null;
    // A target counts the referrals made so far; the rest must come from the dials left.
    const toGo = target ? Math.max(0, target - d.referrals) : 0;
    const reach = target ? trialsForTarget(success, toGo, 0.8) : null;
    return {
      dialsLeft,
      openContacts: list.tally.open,
      referrals,
      sales,
      successRate: {
        mean: round(success.mean, 5),
        prior: success.prior,
        dataWeight: round(success.dataWeight, 4),
      },
      closeRate: {
        mean: round(close.mean, 5),
        prior: close.prior,
        dataWeight: round(close.dataWeight, 4),
      },
      // What dialsLeft rests on: the share of dials that settle their contact.
      settleRate: {
        mean: round(settleRate.mean, 5),
        prior: settleRate.prior,
        dataWeight: round(settleRate.dataWeight, 4),
      },
      dialsPerCallerHour: {
        value: round(dialsPerCallerHour, 2),
        source:
          ownHours > 0
            ? `measured over ${round(ownHours, 1)} caller-hours, with the industry's ${INDUSTRY_DIALS_PER_HOUR} an hour counted as ${RATE_PRIOR_HOURS} caller-hours`
            : `industry: about ${INDUSTRY_DIALS_PER_HOUR} calls an hour`,
        dataWeight: round(ownHours / (ownHours + RATE_PRIOR_HOURS), 4),
      },
      callersAssigned: callers,
      finishDate: days === null ? null : addWorkingDays(this.clock.now(), days, timeZone),
      assumptions: `${HOURS_PER_DAY} calling hours per caller per working day (Monday to Friday)`,
      ...(reach && target
        ? {
            target: {
              referrals: target,
              madeSoFar: d.referrals,
              toGo,
              // The chance the list holds them: toGo or more referrals from the dials left.
              probabilityWithinList: round(
                probabilityAtLeast(success.alpha, success.beta, dialsLeft, toGo),
                4,
              ),
              dialsExpected: Math.round(reach.expected),
              dialsAt80: Number.isFinite(reach.atConfidence) ? reach.atConfidence : null,
              callerHoursExpected: round(reach.expected / dialsPerCallerHour, 1),
              callerHoursAt80: Number.isFinite(reach.atConfidence)
                ? round(reach.atConfidence / dialsPerCallerHour, 1)
                : null,
            },
          }
        : {}),
    };
  }

  /** The client's other campaigns, for the prior: dials, referrals, won, and won or lost. */
  private async otherCampaigns(clientId: string, campaignId: string) {
    const [others]: { dials: number; referrals: number; won: number; final: number }[] =
      await this.db.query(
        `SELECT COALESCE(sum(dials), 0)::int AS dials, COALESCE(sum(referrals), 0)::int AS referrals,
                COALESCE(sum(won), 0)::int AS won, COALESCE(sum(won + lost), 0)::int AS final
           FROM report_monthly WHERE client_id = $1 AND campaign_id <> $2`,
        [clientId, campaignId],
      );
    return others;
  }

  /**
   * The campaign's list: dials its open contacts have left, closed contacts' attempts (from the
   * contact tallies, never a scan of the contacts), and its callers.
   */
  private async list(campaignId: string) {
    const [tally, [callers]] = await Promise.all([
      this.tallies.of(campaignId),
      this.db.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM campaign_callers WHERE campaign_id = $1',
        [campaignId],
      ),
    ]);
    return { tally, callers: callers.n };
  }
}

/** Checks the query before anything is read; answers the rates each group carries. */
function checkQuery(q: ReportQuery): readonly RateName[] {
  if (q.from && q.to && q.from > q.to) {
    throw new AppError('invalid', 'from is after to', [
      { field: 'from', message: 'must not be after to' },
    ]);
  }
  try {
    return groupRateNames(q.groupBy, q.rates);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new AppError('invalid', message, [{ field: 'rates', message }]);
  }
}

/** The scope's rows of report_daily / report_caller_day, within from and to. */
function daily(
  scope: Scope,
  q: Pick<ReportQuery, 'from' | 'to'>,
): { where: string; params: unknown[] } {
  const { where: scoped, params } = whose(scope);
  let where = scoped;
  if (q.from) {
    params.push(q.from);
    where += ` AND day >= $${params.length}::date`;
  }
  if (q.to) {
    params.push(q.to);
    where += ` AND day <= $${params.length}::date`;
  }
  return { where, params };
}

/** The columns both counter roll-ups share. */
const SHARED = [
  'client_id',
  'campaign_id',
  'caller_id',
  'pitch_key',
  'offer_key',
  ...COUNTERS,
].join(', ');

/**
 * The scope's figures within from and to, as a FROM item: whole months from report_monthly, the
 * days at the edges from report_daily.
 */
function monthsAndDays(
  scope: Scope,
  q: Pick<ReportQuery, 'from' | 'to'>,
): { from: string; params: unknown[] } {
  const { where, params } = whose(scope);
  const arg = (v: string) => {
    params.push(v);
    return `$${params.length}::date`;
  };
  const parts = periodParts(q.from, q.to);
  const selects: string[] = [];
  if (parts.months) {
    const { monthFrom, monthTo } = parts.months;
    selects.push(
      `SELECT ${SHARED} FROM report_monthly WHERE ${where}` +
        (monthFrom ? ` AND month >= ${arg(monthFrom)}` : '') +
        (monthTo ? ` AND month < ${arg(monthTo)}` : ''),
    );
  }
  if (parts.days) {
    const { from, to, before, after } = parts.days;
    const outside = [before && `day < ${arg(before)}`, after && `day >= ${arg(after)}`].filter(
      Boolean,
    );
    selects.push(
      `SELECT ${SHARED} FROM report_daily WHERE ${where}` +
        (from ? ` AND day >= ${arg(from)}` : '') +
        (to ? ` AND day <= ${arg(to)}` : '') +
        (outside.length ? ` AND (${outside.join(' OR ')})` : ''),
    );
  }
  return { from: `(${selects.join(' UNION ALL ')}) r`, params };
}

/** The scope's condition on a roll-up's client, campaign and caller columns. */
function whose(scope: Scope): { where: string; params: unknown[] } {
  let where: string;
  const params: unknown[] = [];
  switch (scope.kind) {
    case 'client':
      where = 'client_id = $1';
      params.push(scope.clientId);
      break;
    case 'campaign':
      where = 'campaign_id = $1';
      params.push(scope.campaignId);
      break;
    case 'caller':
      where = 'caller_id = $1';
      params.push(scope.callerId);
      if (scope.clientIds) {
        params.push(scope.clientIds);
        where += ` AND client_id = ANY($${params.length}::uuid[])`;
      }
      break;
  }
  return { where, params };
}

/** Rows of GROUPING SETS ((caller_id), (key)): the per-caller ones and the groups. */
function split(rows: (CallerRow & { g: number; caller: string | null })[]): {
  callers: CallerRow[];
  groups: GroupRow[];
} {
  const callers: CallerRow[] = [];
  const groups: GroupRow[] = [];
  for (const r of rows) {
    if (Number(r.g) === 0) callers.push({ ...figuresOf(r), key: r.caller!, hours: r.hours });
    else groups.push(r);
  }
  return { callers, groups };
}

/** The figures of a row, in order, nulls as 0. */
function figuresOf(r: Partial<Figures>): Figures {
  const out = {} as Figures;
  for (const f of FIGURES) out[f] = r[f] ?? 0;
  return out;
}

/** Adds up rows of figures (the per-caller rows give the totals). */
function sumFigures(rows: Figures[]): Figures {
  const out = figuresOf({});
  for (const r of rows) for (const f of FIGURES) out[f] += r[f] ?? 0;
  return out;
}

/** Caller ids as "Caller 1", "Caller 2", … (client users never see who the callers are). */
function anonymise(ids: string[]): Map<string, string> {
  return new Map([...new Set(ids)].sort().map((id, i) => [id, `Caller ${i + 1}`]));
}

/**
 * `<name>Seconds`, and `<name>AtLeast: true` when it fell among the latencies past the last
 * bucket's bound (then the figure is a floor: "31 days or more").
 */
function percentile(
  name: 'median' | 'p90',
  q: { value: number | null; atLeast: boolean },
): Record<string, number | boolean | null> {
  return {
    [`${name}Seconds`]: roundOrNull(q.value),
    ...(q.atLeast ? { [`${name}AtLeast`]: true } : {}),
  };
}

/**
 * The date (YYYY-MM-DD) `days` working days (Monday to Friday) after the day `from` falls on in
 * `timeZone` (the client's: a Thursday evening in Los Angeles is Friday in UTC).
 */
export function addWorkingDays(from: Date, days: number, timeZone = 'UTC'): string {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone }).format(from); // YYYY-MM-DD
  const d = new Date(`${local}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}
