import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import type { GroupBy, ReportQuery } from './dto';
import {
  INDUSTRY_CLOSE_PRIOR,
  INDUSTRY_SUCCESS_PRIOR,
  posterior,
  predictCount,
  priorFromHistory,
  projectSales,
  trialsForTarget,
} from './projection';
import { COUNTERS, FOLLOW_UP_BUCKETS } from './rollups.service';
import { histogramQuantile, probabilityBetter, type RateEstimate, ratio, wilson } from './stats';

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
  sum(sale_value)::float8 AS "saleValue", sum(talk_seconds)::float8 AS "talkSeconds",
  sum(hit_cap)::int AS "hitCap", sum(extended)::int AS extended`;

const RAW_SUMS = COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(', ');

/** Adds up rows of figures (the per-caller rows give the totals). */
function sumRows(rows: Row[]): Row {
  const out: Record<string, number> = Object.fromEntries(
    [
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
    ].map((k) => [k, 0]),
  );
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (k === 'key' || k === 'hours') continue;
      out[k] = (out[k] ?? 0) + Number(v ?? 0);
    }
  }
  return out as unknown as Row;
}

type Row = Omit<Totals, 'callerHours'> & {
  wonVeryInterested: number;
  wonNeedsWork: number;
  finalVeryInterested: number;
  finalNeedsWork: number;
  key?: string;
};

const HOURS_PER_DAY = 6;

/**
 * Reports read from the roll-ups (never the calls): totals, rates with 80% and 95% intervals,
 * groups, follow-up, decay and rating calibration, and for campaigns the projection.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    private readonly clock: Clock,
  ) {}

  async client(p: Principal, clientId: string, q: ReportQuery) {
    await this.tenants.assertClient(p, clientId);
    return this.build(p, { sql: 'client_id = $1', param: clientId, clientId }, q);
  }

  async campaign(p: Principal, campaignId: string, q: ReportQuery) {
    const [c]: { client_id: string }[] = await this.db.query(
      'SELECT client_id FROM campaigns WHERE id = $1',
      [campaignId],
    );
    if (!c || !(await this.tenants.canSee(p, c.client_id))) throw AppError.notFound('Campaign');
    const report = await this.build(
      p,
      { sql: 'campaign_id = $1', param: campaignId, clientId: c.client_id },
      q,
    );
    return { ...report, projection: await this.projection(campaignId, c.client_id, q.target) };
  }

  /** A caller's own figures (callers: only themselves; account managers: within their clients). */
  async caller(p: Principal, callerId: string, q: ReportQuery) {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Not for API keys');
    if (p.role === 'caller' && p.userId !== callerId) throw AppError.notFound('Caller');
    const scope = await this.tenants.scopeOf(p);
    if (p.role === 'client') throw new AppError('forbidden', 'Caller reports are for staff');
    const where =
      p.role === 'caller' || scope.all
        ? { sql: 'caller_id = $1', param: callerId }
        : {
            sql: `caller_id = $1 AND client_id = ANY('{${scope.ids.join(',')}}'::uuid[])`,
            param: callerId,
          };
    const [exists]: unknown[] = await this.db.query(
      `SELECT 1 FROM users WHERE id = $1 AND role = 'caller'`,
      [callerId],
    );
    if (!exists) throw AppError.notFound('Caller');
    return this.build(p, { ...where, clientId: null }, q);
  }

  private async build(
    p: Principal,
    scope: { sql: string; param: string; clientId: string | null },
    q: ReportQuery,
  ) {
    if (q.from && q.to && q.from > q.to) {
      throw new AppError('invalid', 'from is after to', [
        { field: 'from', message: 'must not be after to' },
      ]);
    }
    const clientView = p.kind === 'api_key' || (p.kind === 'user' && p.role === 'client');
    let where = scope.sql;
    const params: unknown[] = [scope.param];
    if (q.from) {
      params.push(q.from);
      where += ` AND day >= $${params.length}::date`;
    }
    if (q.to) {
      params.push(q.to);
      where += ` AND day <= $${params.length}::date`;
    }
    // One pass over the roll-up rows: per caller (with their working hours); the totals and the
    // calibration both come from it.
    const perCaller = await this.perCaller(where, params);
    const totalsRow = sumRows(perCaller);
    const exactHours = perCaller.reduce((t, r) => t + r.hours, 0);
    const totals = { ...zeroed(totalsRow), callerHours: round(exactHours, 2) };
    const groups = q.groupBy ? await this.groups(where, params, q.groupBy, clientView) : [];
    const calibration = this.calibration(perCaller, clientView);
    const followUp =
      scope.clientId || scope.sql.startsWith('campaign_id')
        ? await this.followUp(
            scope.sql.startsWith('campaign_id') ? 'campaign_id = $1' : 'client_id = $1',
            scope.param,
          )
        : null;
    return {
      from: q.from ?? null,
      to: q.to ?? null,
      groupBy: q.groupBy ?? null,
      totals: { ...totals, saleValue: round(totals.saleValue, 2) },
      rates: rates(totalsRow, exactHours),
      groups,
      ...(followUp ? { followUp } : {}),
      calibration,
    };
  }

  /**
   * The figures per caller, with their working hours: each caller-day runs from the first to the
   * last outcome, stretched by one average gap (the last call took time too); a day of a single
   * call counts as 1/18 h (the industry's 18 calls an hour).
   */
  private perCaller(
    where: string,
    params: unknown[],
  ): Promise<(Row & { key: string; hours: number })[]> {
    return this.db.query(
      `SELECT caller_id::text AS key, ${SUMS},
              COALESCE(sum(CASE WHEN dials > 1 THEN span * dials / (dials - 1) ELSE 200 END) / 3600.0, 0)::float8 AS hours
         FROM (SELECT caller_id, day, ${RAW_SUMS},
                      extract(epoch FROM max(last_at) - min(first_at)) AS span
                 FROM report_daily WHERE ${where} GROUP BY caller_id, day) d
        GROUP BY caller_id ORDER BY 1`,
      params,
    );
  }

  private async groups(where: string, params: unknown[], by: GroupBy, clientView: boolean) {
    const expr: Record<GroupBy, string> = {
      day: `to_char(day, 'YYYY-MM-DD')`,
      week: `to_char(date_trunc('week', day), 'YYYY-MM-DD')`,
      pitch: `pitch_key`,
      offer: `offer_key`,
      caller: `caller_id::text`,
      campaign: `campaign_id::text`,
    };
    const rows: Row[] = await this.db.query(
      `SELECT ${expr[by]} AS key, ${SUMS} FROM report_daily WHERE ${where} GROUP BY 1 ORDER BY 1`,
      params,
    );
    const labels = clientView && by === 'caller' ? anonymise(rows.map((r) => r.key!)) : null;
    const out = rows.map((r) => ({
      key: labels ? labels.get(r.key!)! : r.key!,
      totals: zeroed(r),
      rates: rates(r, null),
    }));
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
  private calibration(rows: (Row & { key: string })[], clientView: boolean) {
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
  private async followUp(where: string, param: string) {
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
          WHERE f.${where} GROUP BY f.rep_id, f.bucket, s.name ORDER BY s.name, f.bucket`,
      [param],
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
      medianSeconds: roundOrNull(histogramQuantile(histogram(rs), 0.5)),
      p90Seconds: roundOrNull(histogramQuantile(histogram(rs), 0.9)),
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
      approximation: 'medians and p90 are interpolated within latency buckets',
    };
  }

  /**
   * What the rest of the list will yield: expected referrals and sales with 80% and 95% intervals,
   * from the contacts still callable; the finish date from the callers assigned and their measured
   * dials per hour; and, given a target, the caller-hours to reach it.
   */
  private async projection(campaignId: string, clientId: string, target?: number) {
    const ownPerCaller = await this.perCaller('campaign_id = $1', [campaignId]);
    const ownHours = ownPerCaller.reduce((t, r) => t + r.hours, 0);
    const [others]: { dials: number; referrals: number; won: number; final: number }[] =
      await this.db.query(
        `SELECT COALESCE(sum(dials), 0)::int AS dials, COALESCE(sum(referrals), 0)::int AS referrals,
              COALESCE(sum(won), 0)::int AS won, COALESCE(sum(won + lost), 0)::int AS final
         FROM report_daily WHERE client_id = $1 AND campaign_id <> $2`,
        [clientId, campaignId],
      );
    const [list]: {
      remaining_dials: number;
      open_contacts: number;
      callers: number;
      closed: number;
      closed_attempts: number;
    }[] = await this.db.query(
      `SELECT COALESCE(sum(GREATEST(g.max_attempts - c.attempts, 0)) FILTER (WHERE c.status = 'open'), 0)::float8 AS remaining_dials,
                count(*) FILTER (WHERE c.status = 'open')::int AS open_contacts,
                count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
                COALESCE(sum(c.attempts) FILTER (WHERE c.status = 'closed'), 0)::int AS closed_attempts,
                (SELECT count(*)::int FROM campaign_callers cc WHERE cc.campaign_id = g.id) AS callers
           FROM campaigns g LEFT JOIN contacts c ON c.campaign_id = g.id
          WHERE g.id = $1 GROUP BY g.id, g.max_attempts`,
      [campaignId],
    );
    const d = zeroed(sumRows(ownPerCaller));
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
    // Dials left: each open contact's remaining attempts, scaled by the share of attempts that
    // closed contacts actually used (a contact that answers is not called again).
    const maxRemaining = list?.remaining_dials ?? 0;
    const usedShare =
      list && list.closed > 0 && list.open_contacts > 0
        ? Math.min(
            1,
            list.closed_attempts / list.closed / Math.max(1, maxRemaining / list.open_contacts),
          )
        : 1;
    const dialsLeft = Math.round(maxRemaining * usedShare);
    const referrals = predictCount(success, dialsLeft);
    const sales = projectSales(referrals, close);
    const dialsPerCallerHour = ownHours > 0 && d.dials > 0 ? d.dials / ownHours : 18;
    const callers = list?.callers ?? 0;
    const days =
      callers > 0 ? Math.ceil(dialsLeft / (callers * dialsPerCallerHour * HOURS_PER_DAY)) : null;
    const reach = target ? trialsForTarget(success, target, 0.8) : null;
    return {
      dialsLeft,
      openContacts: list?.open_contacts ?? 0,
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
      dialsPerCallerHour: {
        value: round(dialsPerCallerHour, 2),
        source: ownHours > 0 && d.dials > 0 ? 'measured' : 'industry: about 18 calls an hour',
      },
      callersAssigned: callers,
      finishDate: days === null ? null : addWorkingDays(this.clock.now(), days),
      assumptions: `${HOURS_PER_DAY} calling hours per caller per working day (Monday to Friday)`,
      ...(reach && target
        ? {
            target: {
              referrals: target,
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
}

/** A rate with its interval, to 4 decimals (what a person reads; a daily table stays small). */
function rate(k: number, n: number): RateEstimate {
  const e = wilson(k, n);
  return {
    ...e,
    value: e.value === null ? null : round(e.value, 4),
    lower80: round(e.lower80, 4),
    upper80: round(e.upper80, 4),
    lower95: round(e.lower95, 4),
    upper95: round(e.upper95, 4),
  };
}

function rates(r: Row, callerHours: number | null) {
  const t = zeroed(r);
  const out: Record<string, RateEstimate | { value: number | null; n: number }> = {
    successRate: rate(t.referrals, t.dials),
    referralsPerConnect: rate(t.referrals, t.connects),
    connectRate: rate(t.connects, t.dials),
    hotShare: rate(t.veryInterested, t.referrals),
    publishedShare: rate(t.published, t.referrals),
    closeRate: rate(t.won, t.won + t.lost),
    closeRateVeryInterested: rate(t.wonVeryInterested, t.finalVeryInterested),
    closeRateNeedsWork: rate(t.wonNeedsWork, t.finalNeedsWork),
    capShare: rate(t.hitCap, t.dialedHere),
    extendedShare: rate(t.extended, t.dialedHere),
    coldContactsPerReferral: { value: roundOrNull(ratio(t.dials, t.referrals), 2), n: t.dials },
    referralsPerSale: { value: roundOrNull(ratio(t.won + t.lost, t.won), 2), n: t.won + t.lost },
  };
  if (callerHours !== null) {
    out.dialsPerCallerHour = { value: roundOrNull(ratio(t.dials, callerHours), 2), n: t.dials };
  }
  return out;
}

function zeroed<T extends Record<string, unknown>>(r: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k !== 'key') out[k] = v ?? 0;
  return out as T;
}

/** Caller ids as "Caller 1", "Caller 2", … (client users never see who the callers are). */
function anonymise(ids: string[]): Map<string, string> {
  return new Map([...new Set(ids)].sort().map((id, i) => [id, `Caller ${i + 1}`]));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
function roundOrNull(x: number | null, digits = 0): number | null {
  return x === null ? null : round(x, digits);
}

/** The date (YYYY-MM-DD) `days` working days (Monday to Friday) after `from`. */
export function addWorkingDays(from: Date, days: number): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}
