import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type DayTime, type ReportDay, stretchEnd, timeInStates } from '../calls/caller-states';
import { CallerStatesRepository } from '../calls/caller-states.repository';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** The zone of a caller's days when the report names none (the clients' default zone too). */
export const DEFAULT_CALLER_ZONE = 'America/New_York';
/** Days covered without `from`: this many up to `to`; at most MAX_DAYS in any case. */
const DEFAULT_DAYS = 31;
const MAX_DAYS = 366;

/** A caller's time by state over a report's days (the `time` of GET /reports/callers/:id). */
export interface CallerTime {
  timezone: string;
  from: string;
  to: string;
  talkSeconds: number;
  dialSeconds: number;
  waitSeconds: number;
  wrapUpSeconds: number;
  pauseSeconds: number;
  /** The days with any time, oldest first. */
  days: DayTime[];
}

/**
 * Where a caller's working time went, day by day in one zone: from their declared stretches
 * (caller_state_intervals: ready → wait, paused → pause) and their dialed calls (talk from
 * answer to hang-up, dial before the answer, wrap-up from hang-up to the outcome capped by the
 * window), which win over a declared state (timeInStates). Read from those tables directly: a
 * caller's days are a few hundred rows.
 */
@Injectable()
export class CallerTimeReport {
  constructor(
    private readonly db: DataSource,
    private readonly states: CallerStatesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async of(
    callerId: string,
    q: { from?: string; to?: string; timezone?: string },
    now: Date,
  ): Promise<CallerTime> {
    const zone = q.timezone ?? DEFAULT_CALLER_ZONE;
    let days: ReportDay[];
    try {
      days = await this.db.query(
        `WITH bounds AS (
           SELECT COALESCE($2::date, ($4::timestamptz AT TIME ZONE $3)::date) AS last)
         SELECT to_char(d, 'YYYY-MM-DD') AS day, d AT TIME ZONE $3 AS start,
                (d + interval '1 day') AT TIME ZONE $3 AS "end"
           FROM bounds, generate_series(
                  GREATEST(COALESCE($1::date, last - ${DEFAULT_DAYS - 1}), last - ${MAX_DAYS - 1})::timestamp,
                  last::timestamp, interval '1 day') d
          ORDER BY d`,
        [q.from ?? null, q.to ?? null, zone, now],
      );
    } catch (e) {
      // A zone Intl knows and PostgreSQL does not.
      if ((e as { code?: string }).code === '22023') {
        throw new AppError('invalid', `Unknown time zone ${zone}`, [
          { field: 'timezone', message: 'must be an IANA time zone such as America/Chicago' },
        ]);
      }
      throw e;
    }
    const range = { timezone: zone, from: days[0]?.day ?? '', to: days.at(-1)?.day ?? '' };
    if (days.length === 0) return { ...range, ...sums([]), days: [] };
    const from = days[0].start;
    const to = days[days.length - 1].end;
    const wrapUp = this.config.wrapUpSeconds;
    const [stretches, calls, latest] = await Promise.all([
      this.states.stretchesBetween(callerId, from, to),
      this.states.callsBetween(callerId, from, to),
      this.states.latestCall(this.db, callerId),
    ]);
    const resolved = stretches.map((s) => {
      const end = stretchEnd(s, latest, wrapUp);
      return { state: s.state, startedAt: s.startedAt, until: end < now ? end : now };
    });
    const perDay = timeInStates(resolved, calls, days, now, wrapUp);
    const worked = perDay.filter(
      (d) => d.talkSeconds + d.dialSeconds + d.waitSeconds + d.wrapUpSeconds + d.pauseSeconds > 0,
    );
    return { ...range, ...sums(perDay), days: worked };
  }
}

function sums(days: DayTime[]): Omit<DayTime, 'day'> {
  const total = (k: keyof Omit<DayTime, 'day'>) => days.reduce((t, d) => t + d[k], 0);
  return {
    talkSeconds: total('talkSeconds'),
    dialSeconds: total('dialSeconds'),
    waitSeconds: total('waitSeconds'),
    wrapUpSeconds: total('wrapUpSeconds'),
    pauseSeconds: total('pauseSeconds'),
  };
}
