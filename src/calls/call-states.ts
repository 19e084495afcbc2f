import type { CallState } from './call.entity';

/** Events a phone reports about a call (Twilio's call statuses; the simulated phone sends the same). */
export const CALL_EVENTS = [
  'ringing',
  'answered',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;
export type CallEvent = (typeof CALL_EVENTS)[number];

/** States the provider's events end a call in; it can no longer leave them. */
export const FINAL_STATES: readonly CallState[] = [
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
];
/** States of a call on the line (one per caller at a time); only these move on an event. */
export const LIVE_STATES: readonly CallState[] = ['dialing', 'ringing', 'in_progress'];

/** How far along a call is: a call only moves to a state further along. */
const RANK: Partial<Record<CallState, number>> = {
  dialing: 0,
  ringing: 1,
  in_progress: 2,
  ...Object.fromEntries(FINAL_STATES.map((s) => [s, 3])),
};

/** The state an event points to. */
export function stateOfEvent(event: CallEvent): CallState {
  return event === 'answered' ? 'in_progress' : event;
}

/**
 * The state a call moves to on an event, or the same state when the event changes nothing: only
 * a call on the line moves, and only forward (a late `ringing` after `answered` is ignored, a
 * final state never changes), so duplicated and out-of-order events are harmless.
 */
export function nextCallState(current: CallState, event: CallEvent | null): CallState {
  if (!event || !LIVE_STATES.includes(current)) return current;
  const target = stateOfEvent(event);
  return (RANK[target] ?? -1) > (RANK[current] ?? -1) ? target : current;
}

/**
 * `nextCallState` as an SQL expression over a `call_state` column and a `call_state` target
 * (NULL for an event that moves nothing), built from the same tables, so a status callback can
 * apply it in one statement. A test checks both agree on every pair.
 */
export function nextCallStateSql(current: string, target: string): string {
  const rank = (x: string) =>
    `CASE ${x}::text ${Object.entries(RANK)
      .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
      .join(' ')} ELSE -1 END`;
  const live = LIVE_STATES.map((s) => `'${s}'`).join(', ');
  return `CASE WHEN ${current}::text IN (${live}) AND ${target} IS NOT NULL AND ${rank(target)} > ${rank(current)} THEN ${target} ELSE ${current} END`;
}
