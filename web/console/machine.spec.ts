import { initialTransition, transition } from 'xstate';
import { type ConsoleEvent, consoleMachine } from './machine';

type Snap = ReturnType<typeof initialTransition<typeof consoleMachine>>[0];

const ALLOWED = { allowed: true, reason: null };
const FORBIDDEN = { allowed: false, reason: 'Oklahoma: automatic dialing needs written consent' };

/** Named ways to reach a state from a fresh console, as events. */
const PATHS: Record<string, ConsoleEvent[]> = {
  signedOut: [],
  restoring: [{ type: 'SIGNED_IN' }],
  idle: [{ type: 'SIGNED_IN' }, { type: 'NOTHING_TO_RESTORE' }],
  claiming: [{ type: 'SIGNED_IN' }, { type: 'NOTHING_TO_RESTORE' }, { type: 'NEXT' }],
  contact: [
    { type: 'SIGNED_IN' },
    { type: 'NOTHING_TO_RESTORE' },
    { type: 'NEXT' },
    { type: 'CLAIMED', callId: 'c1', autoDial: ALLOWED },
  ],
};
PATHS.contactChosen = [...PATHS.contact, { type: 'CHOOSE', disposition: 'do_not_call' }];
PATHS.dialing = [...PATHS.contact, { type: 'DIAL' }];
PATHS.ringing = [...PATHS.dialing, { type: 'RINGING' }];
PATHS.live = [...PATHS.ringing, { type: 'ANSWERED' }];
PATHS.wrapUp = [...PATHS.live, { type: 'ENDED' }];
PATHS.wrapUpChosen = [...PATHS.wrapUp, { type: 'CHOOSE', disposition: 'referral' }];
PATHS.saving = [...PATHS.wrapUpChosen, { type: 'SAVE' }];
PATHS.readyContact = [
  ...PATHS.idle,
  { type: 'READY' },
  { type: 'NEXT' },
  { type: 'CLAIMED', callId: 'c2', autoDial: ALLOWED },
];
PATHS.readyOklahoma = [
  ...PATHS.idle,
  { type: 'READY' },
  { type: 'NEXT' },
  { type: 'CLAIMED', callId: 'c3', autoDial: FORBIDDEN },
];
PATHS.onBreakSaving = [
  ...PATHS.idle,
  { type: 'READY' },
  { type: 'NEXT' },
  { type: 'CLAIMED', callId: 'c4', autoDial: ALLOWED },
  { type: 'DIAL' },
  { type: 'ENDED' },
  { type: 'PAUSE', reason: 'lunch' },
  { type: 'CHOOSE', disposition: 'no_answer' },
  { type: 'SAVE' },
];
PATHS.liveExtendRefused = [...PATHS.live, { type: 'EXTEND_REFUSED' }];

function reach(name: string): Snap {
  let [s] = initialTransition(consoleMachine);
  for (const e of PATHS[name]) {
    const before = JSON.stringify(s.value);
    const [next] = transition(consoleMachine, s, e);
    if (!s.can(e)) throw new Error(`path ${name}: ${e.type} refused in ${before}`);
    s = next;
  }
  return s;
}

const flow = (s: Snap) => (s.value as { flow: string }).flow;
const mode = (s: Snap) => (s.value as { mode: string }).mode;

const E = {
  next: { type: 'NEXT' },
  skip: { type: 'SKIP' },
  dial: { type: 'DIAL' },
  preview: { type: 'PREVIEW_ELAPSED' },
  hangUp: { type: 'HANG_UP' },
  ended: { type: 'ENDED' },
  choose: { type: 'CHOOSE', disposition: 'busy' },
  save: { type: 'SAVE' },
  saved: { type: 'SAVED' },
  saveFailed: { type: 'SAVE_FAILED' },
  signOut: { type: 'SIGN_OUT' },
  extend: { type: 'EXTEND' },
  mute: { type: 'MUTE' },
  key: { type: 'KEY' },
  expired: { type: 'WRAP_UP_EXPIRED', notice: 'expired' },
  notPlaced: { type: 'NOT_PLACED' },
  leaseLost: { type: 'LEASE_LOST', notice: 'lost' },
  answered: { type: 'ANSWERED' },
  ready: { type: 'READY' },
  pause: { type: 'PAUSE', reason: 'break' },
  sessionEnded: { type: 'SESSION_ENDED' },
  restoredLive: { type: 'RESTORED', callId: 'x', callState: 'in_progress', autoDial: ALLOWED },
  restoredEnded: { type: 'RESTORED', callId: 'x', callState: 'completed', autoDial: ALLOWED },
  restoredLeased: { type: 'RESTORED', callId: 'x', callState: 'leased', autoDial: ALLOWED },
  restoredRinging: { type: 'RESTORED', callId: 'x', callState: 'ringing', autoDial: ALLOWED },
} satisfies Record<string, ConsoleEvent>;

/** [from, event, the flow state after it, or 'refused' when the event must not be taken]. */
const TABLE: [string, keyof typeof E, string][] = [
  // Signing in, and coming back after a reload to the same call.
  ['restoring', 'restoredLive', 'live'],
  ['restoring', 'restoredEnded', 'wrapUp'],
  ['restoring', 'restoredLeased', 'contact'],
  ['restoring', 'restoredRinging', 'ringing'],
  ['signedOut', 'next', 'refused'],
  ['signedOut', 'dial', 'refused'],
  ['signedOut', 'ready', 'refused'],
  // Idle: only Next (and sign-out).
  ['idle', 'next', 'claiming'],
  ['idle', 'dial', 'refused'],
  ['idle', 'save', 'refused'],
  ['idle', 'choose', 'refused'],
  ['idle', 'signOut', 'signedOut'],
  // A claim in flight: nothing else.
  ['claiming', 'next', 'refused'],
  ['claiming', 'dial', 'refused'],
  ['claiming', 'signOut', 'refused'],
  // An undialed contact: call, skip, or an outcome without a call.
  ['contact', 'dial', 'dialing'],
  ['contact', 'next', 'claiming'],
  ['contact', 'skip', 'claiming'],
  ['contact', 'choose', 'contact'],
  ['contact', 'save', 'refused'],
  ['contactChosen', 'save', 'saving'],
  ['contact', 'hangUp', 'refused'],
  ['contact', 'extend', 'refused'],
  ['contact', 'signOut', 'signedOut'],
  ['contact', 'leaseLost', 'idle'],
  // Auto-advance: never dials by itself unless ready and allowed.
  ['contact', 'preview', 'refused'],
  ['readyContact', 'preview', 'dialing'],
  ['readyOklahoma', 'preview', 'refused'],
  ['readyOklahoma', 'dial', 'dialing'],
  // Dialing: the phone's events; no Next, no outcome, no sign-out while the call is placed.
  ['dialing', 'next', 'refused'],
  ['dialing', 'skip', 'refused'],
  ['dialing', 'save', 'refused'],
  ['dialing', 'choose', 'dialing'],
  ['dialing', 'signOut', 'refused'],
  ['dialing', 'dial', 'refused'],
  ['dialing', 'notPlaced', 'contact'],
  ['dialing', 'answered', 'live'],
  ['dialing', 'ended', 'wrapUp'],
  ['dialing', 'hangUp', 'dialing'],
  ['ringing', 'answered', 'live'],
  ['ringing', 'ended', 'wrapUp'],
  ['ringing', 'next', 'refused'],
  ['ringing', 'preview', 'refused'],
  // Live: no Next while live (problem 1), no outcome before hang-up.
  ['live', 'next', 'refused'],
  ['live', 'skip', 'refused'],
  ['live', 'dial', 'refused'],
  ['live', 'save', 'refused'],
  ['live', 'choose', 'live'],
  ['ringing', 'choose', 'ringing'],
  ['live', 'signOut', 'refused'],
  ['live', 'hangUp', 'live'],
  ['live', 'mute', 'live'],
  ['live', 'key', 'live'],
  ['live', 'extend', 'live'],
  ['liveExtendRefused', 'extend', 'refused'],
  ['live', 'ended', 'wrapUp'],
  // Wrap-up: only an outcome leaves (problem 3: `n` after hang-up), or the window's end.
  ['wrapUp', 'next', 'refused'],
  ['wrapUp', 'skip', 'refused'],
  ['wrapUp', 'dial', 'refused'],
  ['wrapUp', 'signOut', 'refused'],
  ['wrapUp', 'save', 'refused'],
  ['wrapUp', 'mute', 'refused'],
  ['wrapUp', 'key', 'refused'],
  ['wrapUp', 'choose', 'wrapUp'],
  ['wrapUpChosen', 'save', 'saving'],
  ['wrapUp', 'expired', 'idle'],
  // Saving: the answer decides.
  ['saving', 'saved', 'claiming'],
  ['saving', 'saveFailed', 'wrapUp'],
  ['saving', 'expired', 'idle'],
  ['saving', 'next', 'refused'],
  ['saving', 'save', 'refused'],
  ['saving', 'choose', 'refused'],
  ['onBreakSaving', 'saved', 'idle'],
  // Pausing with a contact on screen gives it back; on a call the pause waits for its end.
  ['readyContact', 'pause', 'idle'],
  ['contact', 'pause', 'refused'],
  // The session ends (the token expired) in any state: signed out, the call left as it is.
  ['live', 'sessionEnded', 'signedOut'],
  ['wrapUp', 'sessionEnded', 'signedOut'],
  ['contact', 'sessionEnded', 'signedOut'],
];

describe('the console state machine', () => {
  it.each(TABLE)('%s + %s → %s', (from, event, to) => {
    const s = reach(from);
    const e = E[event];
    if (to === 'refused') {
      expect(s.can(e)).toBe(false);
      const [after] = transition(consoleMachine, s, e);
      expect(flow(after)).toBe(flow(s));
    } else {
      expect(s.can(e)).toBe(true);
      const [after] = transition(consoleMachine, s, e);
      expect(flow(after)).toBe(to);
    }
  });

  it('forgets the disposition and the extension refusal with each new contact', () => {
    let s = reach('wrapUpChosen');
    expect(s.context.disposition).toBe('referral');
    [s] = transition(consoleMachine, s, { type: 'SAVE' });
    [s] = transition(consoleMachine, s, { type: 'SAVED' });
    [s] = transition(consoleMachine, s, { type: 'CLAIMED', callId: 'c9', autoDial: ALLOWED });
    expect(s.context).toMatchObject({
      callId: 'c9',
      disposition: null,
      dialed: false,
      extendRefused: false,
    });
  });

  it('keeps the outcome chosen when saving fails, so the caller can try again', () => {
    let s = reach('saving');
    [s] = transition(consoleMachine, s, { type: 'SAVE_FAILED' });
    expect(flow(s)).toBe('wrapUp');
    expect(s.context.disposition).toBe('referral');
    expect(s.can({ type: 'SAVE' })).toBe(true);
  });

  it('pauses with a reason, and Ready clears it; sign-out returns to paused', () => {
    let s = reach('readyContact');
    expect(mode(s)).toBe('ready');
    [s] = transition(consoleMachine, s, { type: 'PAUSE', reason: 'training' });
    expect([mode(s), s.context.pauseReason]).toEqual(['paused', 'training']);
    expect(s.can({ type: 'PREVIEW_ELAPSED' })).toBe(false);
    [s] = transition(consoleMachine, s, { type: 'READY' });
    expect([mode(s), s.context.pauseReason]).toEqual(['ready', null]);
    [s] = transition(consoleMachine, s, { type: 'SIGN_OUT' });
    expect([flow(s), mode(s)]).toEqual(['signedOut', 'paused']);
  });

  it('marks a restored call as dialed unless it is only leased', () => {
    let [s] = transition(consoleMachine, reach('restoring'), E.restoredEnded);
    expect(s.context).toMatchObject({ callId: 'x', dialed: true });
    [s] = transition(consoleMachine, reach('restoring'), E.restoredLeased);
    expect(s.context).toMatchObject({ callId: 'x', dialed: false });
  });
});
