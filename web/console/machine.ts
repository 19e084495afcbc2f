import { and, assign, not, or, setup, stateIn } from 'xstate';

/**
 * The caller console's one call flow: every state the console can be in, every transition, and
 * therefore every control's enabled state (a control is enabled when its event `can` be taken) and
 * every shortcut. No DOM here: the page sends events, performs the side effects (API calls, the
 * phone) and renders from the snapshot; `machine.spec.ts` tests the table, refusals included.
 *
 * Two regions run side by side:
 * - `flow`: signedOut → restoring → idle ⇄ claiming → contact → dialing → ringing → live →
 *   wrapUp → saving → claiming …; a dialed contact leaves only through an outcome (or its wrap-up
 *   running out); an undialed one may be skipped.
 * - `mode`: `paused` (with a reason, or none right after sign-in: the caller works by hand) or
 *   `ready` (auto-advance: after an outcome the next contact is claimed and, after the preview
 *   countdown, dialed where the law allows it).
 */

export const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'other'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/** The server's word on whether a contact may be dialed without a person pressing Call. */
export interface AutoDial {
  allowed: boolean;
  reason: string | null;
}

export interface FlowContext {
  /** The call (lease) on screen, if any. */
  callId: string | null;
  /** Whether this call was dialed (then only an outcome, or the wrap-up's end, leaves it). */
  dialed: boolean;
  disposition: string | null;
  autoDial: AutoDial;
  /** Why the caller paused; null while ready, or paused right after sign-in (working by hand). */
  pauseReason: PauseReason | null;
  /** The extension was refused for this call: Extend stays disabled. */
  extendRefused: boolean;
  /** A word for the caller about what just happened (wrap-up expired, lease lost…). */
  notice: string | null;
  /** No contact may be called right now (the last claim found none). */
  empty: boolean;
}

/** The state of a call as `GET /calls/current` answers it. */
export type ServerCallState =
  | 'leased'
  | 'dialing'
  | 'ringing'
  | 'in_progress'
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'canceled'
  | string;

export type ConsoleEvent =
  | { type: 'SIGNED_IN' }
  | { type: 'SIGN_OUT' }
  /** The token expired or was refused: signed out at once, the call left as it is on the server. */
  | { type: 'SESSION_ENDED' }
  | { type: 'RESTORED'; callId: string; callState: ServerCallState; autoDial: AutoDial }
  | { type: 'NOTHING_TO_RESTORE' }
  | { type: 'NEXT' }
  | { type: 'SKIP' }
  | { type: 'CLAIMED'; callId: string; autoDial: AutoDial }
  | { type: 'NO_CONTACT' }
  | { type: 'CLAIM_FAILED' }
  | { type: 'DIAL' }
  | { type: 'PREVIEW_ELAPSED' }
  | { type: 'DIAL_REFUSED'; notice: string }
  | { type: 'NOT_PLACED' }
  | { type: 'RINGING' }
  | { type: 'ANSWERED' }
  | { type: 'HANG_UP' }
  | { type: 'ENDED' }
  | { type: 'MUTE' }
  | { type: 'KEY' }
  | { type: 'EXTEND' }
  | { type: 'EXTEND_REFUSED' }
  | { type: 'CHOOSE'; disposition: string }
  | { type: 'SAVE' }
  | { type: 'SAVED' }
  | { type: 'SAVE_FAILED' }
  | { type: 'WRAP_UP_EXPIRED'; notice: string }
  | { type: 'LEASE_LOST'; notice: string }
  | { type: 'READY' }
  | { type: 'PAUSE'; reason: PauseReason };

export const initialContext: FlowContext = {
  callId: null,
  dialed: false,
  disposition: null,
  autoDial: { allowed: true, reason: null },
  pauseReason: null,
  extendRefused: false,
  notice: null,
  empty: false,
};

const LIVE_ON_SERVER = ['dialing', 'ringing', 'in_progress'];

export const consoleMachine = setup({
  types: { context: {} as FlowContext, events: {} as ConsoleEvent },
  guards: {
    hasDisposition: ({ context }) => context.disposition !== null,
    wasDialed: ({ context }) => context.dialed,
    /** Auto-advance dials by itself only when ready and where the law allows it. */
    mayDialByItself: and([
      stateIn({ mode: 'ready' }),
      ({ context }) => context.autoDial.allowed && !context.dialed,
    ]),
    /** After an outcome the next contact comes at once, unless the caller has paused with a reason. */
    notOnBreak: ({ context }) => context.pauseReason === null,
    maySignOut: or([stateIn({ flow: 'idle' }), stateIn({ flow: 'contact' })]),
    restoredLeased: ({ event }) => event.type === 'RESTORED' && event.callState === 'leased',
    restoredDialing: ({ event }) => event.type === 'RESTORED' && event.callState === 'dialing',
    restoredRinging: ({ event }) => event.type === 'RESTORED' && event.callState === 'ringing',
    restoredLive: ({ event }) => event.type === 'RESTORED' && event.callState === 'in_progress',
    restoredEnded: ({ event }) =>
      event.type === 'RESTORED' && !LIVE_ON_SERVER.includes(event.callState),
  },
  actions: {
    /** Taken, changing nothing here: the page does the work (xstate's `can` needs an action). */
    allowed: () => undefined,
    forgetCall: assign({
      callId: null,
      dialed: false,
      disposition: null,
      extendRefused: false,
      autoDial: { allowed: true, reason: null },
    }),
    clearNotice: assign({ notice: null, empty: false }),
    markDialed: assign({ dialed: true, notice: null }),
    restore: assign(({ event }) =>
      event.type === 'RESTORED'
        ? {
            ...initialContext,
            callId: event.callId,
            autoDial: event.autoDial,
            dialed: event.callState !== 'leased',
          }
        : {},
    ),
  },
}).createMachine({
  id: 'console',
  type: 'parallel',
  context: initialContext,
  states: {
    flow: {
      initial: 'signedOut',
      on: { SESSION_ENDED: { target: '.signedOut' } },
      states: {
        signedOut: {
          on: {
            SIGNED_IN: { target: 'restoring', actions: assign(() => ({ ...initialContext })) },
          },
        },
        /** Asking the server for an open lease or call (`GET /calls/current`). */
        restoring: {
          on: {
            NOTHING_TO_RESTORE: 'idle',
            RESTORED: [
              { guard: 'restoredLeased', target: 'contact', actions: 'restore' },
              { guard: 'restoredDialing', target: 'dialing', actions: 'restore' },
              { guard: 'restoredRinging', target: 'ringing', actions: 'restore' },
              { guard: 'restoredLive', target: 'live', actions: 'restore' },
              { guard: 'restoredEnded', target: 'wrapUp', actions: 'restore' },
            ],
          },
        },
        idle: {
          on: {
            NEXT: { target: 'claiming', actions: 'clearNotice' },
            SIGN_OUT: 'signedOut',
          },
        },
        claiming: {
          on: {
            CLAIMED: {
              target: 'contact',
              actions: assign(({ event }) => ({
                ...initialContext,
                callId: event.callId,
                autoDial: event.autoDial,
              })),
            },
            NO_CONTACT: { target: 'idle', actions: ['forgetCall', assign({ empty: true })] },
            CLAIM_FAILED: { target: 'idle', actions: 'forgetCall' },
          },
        },
        /** A contact on screen, not dialed: call it, skip it, or record an outcome without a call. */
        contact: {
          on: {
            DIAL: { target: 'dialing', actions: 'markDialed' },
            PREVIEW_ELAPSED: { guard: 'mayDialByItself', target: 'dialing', actions: 'markDialed' },
            NEXT: { target: 'claiming', actions: 'clearNotice' },
            SKIP: { target: 'claiming', actions: 'clearNotice' },
            CHOOSE: { actions: assign(({ event }) => ({ disposition: event.disposition })) },
            SAVE: { guard: 'hasDisposition', target: 'saving' },
            LEASE_LOST: {
              target: 'idle',
              actions: ['forgetCall', assign(({ event }) => ({ notice: event.notice }))],
            },
            // A break: the undialed contact goes back (nobody holds a contact over lunch).
            PAUSE: { guard: stateIn({ mode: 'ready' }), target: 'idle', actions: 'forgetCall' },
            SIGN_OUT: 'signedOut',
          },
        },
        dialing: {
          on: {
            CHOOSE: { actions: assign(({ event }) => ({ disposition: event.disposition })) },
            RINGING: 'ringing',
            ANSWERED: 'live',
            ENDED: 'wrapUp',
            HANG_UP: { actions: 'allowed' },
            NOT_PLACED: { target: 'contact', actions: assign({ dialed: false }) },
            DIAL_REFUSED: {
              target: 'contact',
              actions: assign(({ event }) => ({ dialed: false, notice: event.notice })),
            },
            LEASE_LOST: {
              target: 'idle',
              actions: ['forgetCall', assign(({ event }) => ({ notice: event.notice }))],
            },
          },
        },
        ringing: {
          on: {
            ANSWERED: 'live',
            ENDED: 'wrapUp',
            HANG_UP: { actions: 'allowed' },
            CHOOSE: { actions: assign(({ event }) => ({ disposition: event.disposition })) },
          },
        },
        /** On the line: the caller may choose the outcome and fill the form while talking. */
        live: {
          on: {
            CHOOSE: { actions: assign(({ event }) => ({ disposition: event.disposition })) },
            ENDED: 'wrapUp',
            HANG_UP: { actions: 'allowed' },
            MUTE: { actions: 'allowed' },
            KEY: { actions: 'allowed' },
            EXTEND: { guard: ({ context }) => !context.extendRefused, actions: 'allowed' },
            EXTEND_REFUSED: { actions: assign({ extendRefused: true }) },
          },
        },
        /** After the call: only an outcome leaves, or the window running out. */
        wrapUp: {
          on: {
            CHOOSE: { actions: assign(({ event }) => ({ disposition: event.disposition })) },
            SAVE: { guard: 'hasDisposition', target: 'saving' },
            WRAP_UP_EXPIRED: {
              target: 'idle',
              actions: ['forgetCall', assign(({ event }) => ({ notice: event.notice }))],
            },
          },
        },
        saving: {
          on: {
            SAVED: [
              { guard: 'notOnBreak', target: 'claiming', actions: 'forgetCall' },
              { target: 'idle', actions: 'forgetCall' },
            ],
            SAVE_FAILED: [{ guard: 'wasDialed', target: 'wrapUp' }, { target: 'contact' }],
            WRAP_UP_EXPIRED: {
              target: 'idle',
              actions: ['forgetCall', assign(({ event }) => ({ notice: event.notice }))],
            },
          },
        },
      },
    },
    mode: {
      initial: 'paused',
      states: {
        paused: {
          on: {
            READY: {
              guard: not(stateIn({ flow: 'signedOut' })),
              target: 'ready',
              actions: assign({ pauseReason: null }),
            },
          },
        },
        ready: {
          on: {
            PAUSE: {
              target: 'paused',
              actions: assign(({ event }) => ({ pauseReason: event.reason })),
            },
            // Signing out ends the working session: back to paused, working by hand, next time.
            SIGN_OUT: { guard: 'maySignOut', target: 'paused' },
          },
        },
      },
    },
  },
});

export type FlowState =
  | 'signedOut'
  | 'restoring'
  | 'idle'
  | 'claiming'
  | 'contact'
  | 'dialing'
  | 'ringing'
  | 'live'
  | 'wrapUp'
  | 'saving';
