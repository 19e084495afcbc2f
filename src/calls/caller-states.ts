import type { DeclaredState, PauseReason } from './caller-state.entity';

/**
 * A caller's state: what they declared (`ready`, `paused`), unless a call says otherwise
 * (`on_call` from dial to hang-up, `wrap_up` from hang-up until the outcome or the end of the
 * wrap-up window), or `signed_out` after SILENCE_SECONDS without a word.
 */
export const CALLER_STATES = ['ready', 'paused', 'on_call', 'wrap_up', 'signed_out'] as const;
export type CallerState = (typeof CALLER_STATES)[number];

/** A caller not heard from for this long is signed out (the console speaks every 30 s). */
export const SILENCE_SECONDS = 90;

/** A stretch of declared state, as caller_state_intervals keeps it. */
export interface DeclaredStretch {
  state: DeclaredState;
  reason: PauseReason | null;
  startedAt: Date;
  endedAt: Date | null;
  lastSeenAt: Date;
}

/** What the states read of a dialed call. */
export interface CallSpan {
  id: string;
  dialedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  outcomeAt: Date | null;
}

export interface CallerStateNow {
  state: CallerState;
  /** Why, for `paused`; else null. */
  reason: PauseReason | null;
  /** Since when the caller is in this state; null for a caller never seen. */
  since: Date | null;
  /** The call, for `on_call` and `wrap_up`. */
  callId: string | null;
  /** When the wrap-up window ends, for `wrap_up`. */
  wrapUpEndsAt: Date | null;
  /** What the caller last declared and still holds (their Ready / Pause switch), else null. */
  declared: { state: DeclaredState; reason: PauseReason | null } | null;
  /** The caller's last word (heartbeat) in that declared state. */
  lastSeenAt: Date | null;
}

const ms = (d: Date) => d.getTime();
const later = (a: Date, b: Date | null) => (b && ms(b) > ms(a) ? b : a);

/**
 * When a call stops occupying its caller: its outcome, or the end of its wrap-up window,
 * whichever comes first; null while it is on the line.
 */
export function busyUntil(call: CallSpan, wrapUpSeconds: number): Date | null {
  if (!call.endedAt) return null;
  const windowEnd = new Date(ms(call.endedAt) + wrapUpSeconds * 1000);
  return call.outcomeAt && ms(call.outcomeAt) < ms(windowEnd)
    ? later(call.endedAt, call.outcomeAt)
    : windowEnd;
}

/**
 * When an open stretch ends by silence: SILENCE_SECONDS after the caller's last word, a
 * heartbeat or the end of their latest call's wrap-up (an outcome is a word too, and a console
 * busy with a call may not beat). Closed stretches end when they say.
 */
export function stretchEnd(
  stretch: DeclaredStretch,
  latestCall: CallSpan | null,
  wrapUpSeconds: number,
): Date {
  if (stretch.endedAt) return stretch.endedAt;
  const callEnd = latestCall ? busyUntil(latestCall, wrapUpSeconds) : null;
  const lastWord = later(stretch.lastSeenAt, callEnd);
  return new Date(ms(lastWord) + SILENCE_SECONDS * 1000);
}

/**
 * The caller's state at `now`, from their latest declared stretch and their latest dialed call
 * (a caller has one call on the line at a time): the call first, then what they declared, then
 * signed out.
 */
export function callerStateNow(
  stretch: DeclaredStretch | null,
  latestCall: CallSpan | null,
  now: Date,
  wrapUpSeconds: number,
): CallerStateNow {
  const base = { reason: null, callId: null, wrapUpEndsAt: null };
  const heldEnd = stretch ? stretchEnd(stretch, latestCall, wrapUpSeconds) : null;
  const holds = stretch !== null && heldEnd !== null && ms(now) < ms(heldEnd);
  const declared = holds ? { state: stretch.state, reason: stretch.reason } : null;
  const seen = { declared, lastSeenAt: stretch?.lastSeenAt ?? null };
  if (latestCall && ms(latestCall.dialedAt) <= ms(now)) {
    if (!latestCall.endedAt || ms(now) < ms(latestCall.endedAt)) {
      return {
        ...base,
        ...seen,
        state: 'on_call',
        since: latestCall.dialedAt,
        callId: latestCall.id,
      };
    }
    const until = busyUntil(latestCall, wrapUpSeconds)!;
    if (ms(now) < ms(until)) {
      return {
        ...base,
        ...seen,
        state: 'wrap_up',
        since: latestCall.endedAt,
        callId: latestCall.id,
        wrapUpEndsAt: new Date(ms(latestCall.endedAt) + wrapUpSeconds * 1000),
      };
    }
  }
  const callEnd = latestCall ? busyUntil(latestCall, wrapUpSeconds) : null;
  const pastCallEnd = callEnd && ms(callEnd) <= ms(now) ? callEnd : null;
  if (holds) {
    return {
      ...base,
      ...seen,
      state: stretch.state,
      reason: stretch.state === 'paused' ? stretch.reason : null,
      since: later(stretch.startedAt, pastCallEnd),
    };
  }
  const signedOutAt = heldEnd && ms(heldEnd) <= ms(now) ? heldEnd : null;
  return {
    ...base,
    ...seen,
    state: 'signed_out',
    since: signedOutAt ? later(signedOutAt, pastCallEnd) : pastCallEnd,
  };
}

/** A stretch of declared state with its real end (stretchEnd, or now for one still held). */
export interface ResolvedStretch {
  state: DeclaredState;
  startedAt: Date;
  until: Date;
}

/** A day of the report: its label and its bounds (midnight to midnight in the report's zone). */
export interface ReportDay {
  day: string;
  start: Date;
  end: Date;
}

/** A caller's time on one day, in whole seconds. */
export interface DayTime {
  day: string;
  /** On a call, from answer to hang-up. */
  talkSeconds: number;
  /** On a call not (yet) answered: dialing and ringing. */
  dialSeconds: number;
  /** Ready, and neither on a call nor in wrap-up. */
  waitSeconds: number;
  /** From hang-up to the outcome, at most the wrap-up window. */
  wrapUpSeconds: number;
  /** Paused, and neither on a call nor in wrap-up. */
  pauseSeconds: number;
}

/** What each moment counts as, most important first: a call's time wins over a declared state. */
const KINDS = ['talk', 'dial', 'wrapUp', 'wait', 'pause'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Where a caller's time went on each day: talk and dial (the call on the line), wrap-up (after
 * hang-up until the outcome, capped by the window), and outside calls, wait (ready) and pause.
 * Calls count whatever the caller declared (a call placed through the API counts too); time
 * neither on a call nor declared is signed out and not counted. Nothing after `now` counts.
 */
export function timeInStates(
  stretches: readonly ResolvedStretch[],
  calls: readonly CallSpan[],
  days: readonly ReportDay[],
  now: Date,
  wrapUpSeconds: number,
): DayTime[] {
  const events: { at: number; kind: Kind; delta: 1 | -1 }[] = [];
  const add = (kind: Kind, from: Date, to: Date | null) => {
    const end = Math.min(to ? ms(to) : ms(now), ms(now));
    if (end <= ms(from)) return;
    events.push({ at: ms(from), kind, delta: 1 }, { at: end, kind, delta: -1 });
  };
  for (const c of calls) {
    add('dial', c.dialedAt, c.answeredAt ?? c.endedAt);
    if (c.answeredAt) add('talk', c.answeredAt, c.endedAt);
    if (c.endedAt) add('wrapUp', c.endedAt, busyUntil(c, wrapUpSeconds));
  }
  for (const s of stretches) add(s.state === 'ready' ? 'wait' : 'pause', s.startedAt, s.until);
  events.sort((a, b) => a.at - b.at);

  const totals = days.map(() => ({ talk: 0, dial: 0, wrapUp: 0, wait: 0, pause: 0 }));
  const active: Record<Kind, number> = { talk: 0, dial: 0, wrapUp: 0, wait: 0, pause: 0 };
  /** Adds [from, to) to the kind in force, split over the days it overlaps. */
  const count = (from: number, to: number) => {
    const kind = KINDS.find((k) => active[k] > 0);
    if (!kind || to <= from) return;
    days.forEach((d, i) => {
      const overlap = Math.min(to, ms(d.end)) - Math.max(from, ms(d.start));
      if (overlap > 0) totals[i][kind] += overlap;
    });
  };
  let at = events.length ? events[0].at : 0;
  for (const e of events) {
    count(at, e.at);
    at = e.at;
    active[e.kind] += e.delta;
  }
  const seconds = (x: number) => Math.round(x / 1000);
  return days.map((d, i) => ({
    day: d.day,
    talkSeconds: seconds(totals[i].talk),
    dialSeconds: seconds(totals[i].dial),
    waitSeconds: seconds(totals[i].wait),
    wrapUpSeconds: seconds(totals[i].wrapUp),
    pauseSeconds: seconds(totals[i].pause),
  }));
}
