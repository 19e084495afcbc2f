/**
 * How a report period (days `from`–`to`, inclusive, either open-ended) splits between the
 * roll-ups: the whole calendar months inside it, read from report_monthly, and the days at its
 * edges, read from report_daily. Dates are 'YYYY-MM-DD' strings.
 */
export interface PeriodParts {
  /** Whole months: month >= monthFrom (when set) and month < monthTo (when set); null = none. */
  months: { monthFrom: string | null; monthTo: string | null } | null;
  /**
   * Days: within from–to and outside the whole months (before `before`, or on or after
   * `after`, when set); null = none.
   */
  days: {
    from: string | null;
    to: string | null;
    before: string | null;
    after: string | null;
  } | null;
}

/** The first day of the month after the one of `day`. */
function nextMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** The last day of the month of `day`. */
function lastOfMonth(day: string): string {
  const d = new Date(`${nextMonth(day)}T00:00:00Z`);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

export function periodParts(from?: string, to?: string): PeriodParts {
  // The whole months: from the first month starting on or after `from`, up to (not including)
  // the first month that does not end on or before `to`.
  const monthFrom = from === undefined ? null : from.endsWith('-01') ? from : nextMonth(from);
  const monthTo =
    to === undefined ? null : to === lastOfMonth(to) ? nextMonth(to) : `${to.slice(0, 7)}-01`;
  if (monthFrom !== null && monthTo !== null && monthFrom >= monthTo) {
    return {
      months: null,
      days: { from: from ?? null, to: to ?? null, before: null, after: null },
    };
  }
  const edges = monthFrom !== null || monthTo !== null;
  return {
    months: { monthFrom, monthTo },
    days: edges ? { from: from ?? null, to: to ?? null, before: monthFrom, after: monthTo } : null,
  };
}
