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

/** States a call can no longer leave. */
export const FINAL_STATES: readonly CallState[] = [
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
];
/** States of a call on the line (one per caller at a time). */
export const LIVE_STATES: readonly CallState[] = ['dialing', 'ringing', 'in_progress'];

const ORDER: Partial<Record<CallState, number>> = { dialing: 0, ringing: 1, in_progress: 2 };

/**
 * The state a call moves to on an event, or the same state when the event changes nothing:
 * a final state never moves back, and a late `ringing` after `answered` is ignored, so
 * duplicated and out-of-order events are harmless.
 */
export function nextCallState(current: CallState, event: CallEvent): CallState {
  if (FINAL_STATES.includes(current)) return current;
  const target: CallState = event === 'answered' ? 'in_progress' : event;
  const from = ORDER[current];
  const to = ORDER[target];
  if (from !== undefined && to !== undefined && to <= from) return current;
  return target;
}
