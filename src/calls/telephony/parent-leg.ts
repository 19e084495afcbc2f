import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { CallEventSource } from '../call-event.entity';
import { LIVE_STATES } from '../call-states';
import { Telephony } from './telephony';
import { isFinalStatus, RECONCILED_SEQUENCE, TelephonyEvents } from './telephony-events.service';
import { hangupTwiml } from './twiml';
import { field, type FormParams } from './webhook-params';

const LIVE = LIVE_STATES.map((s) => `'${s}'`).join(', ');
/** Calls settled per sweep (the next sweep takes the rest). */
const BATCH = 50;
/** A leg SID as Twilio writes it (the column holds 40 characters). */
const CALL_SID = /^CA[0-9A-Za-z]{1,38}$/;

const unknownCall = () => new AppError('forbidden', 'Unknown call', { reason: 'unknown_call' });

interface EndedCall {
  id: string;
  parent_call_sid: string;
  parent_ended_at: Date;
}

/**
 * The browser (parent) leg. When the caller's browser leg ends before Twilio has made the
 * contact's (dialed) leg — a hang-up while connecting, a microphone refused late, a lost network
 * — no callback of a dialed leg ever comes, and the call would stay `dialing`, holding the
 * caller, until the reconciliation's long timeout. Two signals say the browser leg is over:
 *
 * - the `<Dial action>` request (the service's own TwiML asks for it, with `?callId=`): Twilio
 *   makes it when the dial is over, with `DialCallSid` when a dialed leg existed;
 * - the TwiML App's status callback (set in the Twilio console, app-wide, so found by the browser
 *   leg's `CallSid`), a final `CallStatus` of the browser leg.
 *
 * Either marks the call's `parent_ended_at`. A call still on the line with no dialed leg known is
 * then given `PARENT_END_GRACE_SECONDS` for a late callback of a dialed leg (callbacks come in any
 * order: a dialed leg's events still apply as usual, and one that arrives in time ends this),
 * after which Twilio's REST API decides (`GET Calls.json?ParentCallSid=`): no dialed leg → the call
 * is closed `failed` and not dialed (`dialed_at` cleared: nothing reached the contact, so the dial
 * counts toward no daily limit and no extension allowance; the contact loses no attempt, and the
 * caller records an outcome within the wrap-up window or takes the next contact); a dialed leg →
 * its final status is applied as the reconciliation would, or, not over yet, its SID is adopted
 * and its own callbacks end the call.
 *
 * The wait is an in-process timer; the reconciliation's sweep (every `CAP_SWEEP_SECONDS`) runs
 * `settle()` too, so a restart loses nothing, and it asks again every grace period while the REST
 * API fails. `PARENT_END_GIVE_UP_SECONDS` after the browser leg ended, a call whose REST request
 * still fails is closed `failed` anyway (a synthetic event; `dialed_at` is kept, since whether a
 * leg was dialed is unknown) and an error is logged: the browser leg is over, so nobody can be
 * talking on it. Instances share the work as the reconciliation does (rows taken with SKIP
 * LOCKED, each attempt marked in `reconcile_attempted_at`).
 */
@Injectable()
export class ParentLegs implements BeforeApplicationShutdown {
  private readonly log = new Logger('ParentLegs');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
    private readonly events: TelephonyEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The `<Dial action>` request: the dial of this call is over. Answers the TwiML that ends the
   * browser leg (as the end of the voice TwiML did before). A dialed leg Twilio names is adopted
   * if no callback named one yet; with none, the call is settled after the grace period.
   */
  async dialAction(callId: string | undefined, p: FormParams): Promise<string> {
    const parent = field(p, 'CallSid');
    if (!callId || !isUUID(callId) || !parent) throw unknownCall();
    const dialed = field(p, 'DialCallSid');
    const [rows]: [{ state: string; provider_call_sid: string | null }[], number] =
      await this.db.query(
        `UPDATE calls SET parent_ended_at = COALESCE(parent_ended_at, $3),
                provider_call_sid = CASE WHEN state IN (${LIVE}) THEN COALESCE(provider_call_sid, $4)
                                         ELSE provider_call_sid END
          WHERE id = $1 AND parent_call_sid = $2
          RETURNING state, provider_call_sid`,
        [callId, parent, this.clock.now(), dialed && CALL_SID.test(dialed) ? dialed : null],
      );
    const [row] = rows;
    if (!row) throw unknownCall();
    if (isLive(row.state) && !row.provider_call_sid) this.schedule(callId);
    return hangupTwiml();
  }

  /**
   * The TwiML App's status callback for a browser leg (no call id: the URL is app-wide). A final
   * status marks the live call of that leg; anything else, or a leg of no live call (refused by
   * the voice request, or long closed), changes nothing.
   */
  async parentStatus(p: FormParams): Promise<void> {
    const parent = field(p, 'CallSid');
    if (!parent || !isFinalStatus(field(p, 'CallStatus') ?? '')) return;
    const [rows]: [{ id: string; provider_call_sid: string | null }[], number] =
      await this.db.query(
        `UPDATE calls SET parent_ended_at = COALESCE(parent_ended_at, $2)
          WHERE parent_call_sid = $1 AND state IN (${LIVE})
          RETURNING id, provider_call_sid`,
        [parent, this.clock.now()],
      );
    for (const row of rows) if (!row.provider_call_sid) this.schedule(row.id);
  }

  /**
   * Settles the calls whose browser leg ended at least the grace period ago with no dialed leg
   * known (`callId`: that call only, whatever its age: its timer did the waiting). Answers how
   * many it closed.
   */
  async settle(callId?: string): Promise<number> {
    const now = this.clock.now();
    const grace = this.config.parentEndGraceSeconds;
    const [due]: [EndedCall[], number] = await this.db.query(
      `UPDATE calls SET reconcile_attempted_at = $1
        WHERE id IN (
          SELECT id FROM calls
           WHERE state IN (${LIVE}) AND provider_call_sid IS NULL
             AND parent_call_sid IS NOT NULL AND parent_ended_at IS NOT NULL
             AND ($3::uuid IS NULL AND parent_ended_at <= $1::timestamptz - make_interval(secs => $2)
                  OR id = $3::uuid)
             AND (reconcile_attempted_at IS NULL
                  OR reconcile_attempted_at <= $1::timestamptz - make_interval(secs => $4))
           ORDER BY parent_ended_at LIMIT ${BATCH}
           FOR UPDATE SKIP LOCKED)
        RETURNING id, parent_call_sid, parent_ended_at`,
      [now, grace, callId ?? null, Math.max(1, grace)],
    );
    let closed = 0;
    for (const call of due) {
      try {
        if (await this.settleOne(call, now)) closed++;
      } catch (e) {
        this.log.error(`could not settle call ${call.id}: ${String(e)}`);
      }
    }
    return closed;
  }

  /** One call whose browser leg ended: Twilio's word on its dialed legs decides. */
  private async settleOne(call: EndedCall, now: Date): Promise<boolean> {
    let legs: Awaited<ReturnType<Telephony['childCalls']>>;
    try {
      // The simulated phone never leaves a browser leg without its dialed leg: nothing to ask.
      legs =
        this.telephony.mode === 'twilio'
          ? await this.telephony.childCalls(call.parent_call_sid)
          : [];
    } catch (e) {
      const age = (now.getTime() - new Date(call.parent_ended_at).getTime()) / 1000;
      if (age < this.config.parentEndGiveUpSeconds) {
        this.log.warn(`could not ask Twilio about call ${call.id}, will retry: ${String(e)}`);
        return false;
      }
      const moved = await this.events.reconciled(
        { id: call.id, parentCallSid: call.parent_call_sid },
        call.parent_call_sid,
        'failed',
        null,
        'synthetic',
      );
      if (moved) {
        this.log.error(
          `call ${call.id} closed without Twilio's answer ${Math.round(age)} s after its browser leg ended ` +
            `(give-up ${this.config.parentEndGiveUpSeconds} s): the last request failed: ${String(e)}`,
        );
      }
      return moved;
    }
    const [leg] = legs;
    if (!leg) {
      const moved = await this.closeUndialed(
        call.id,
        call.parent_call_sid,
        this.telephony.mode === 'twilio' ? 'provider' : 'synthetic',
      );
      if (moved) this.log.warn(`call ${call.id} closed: its browser leg ended with nothing dialed`);
      return moved;
    }
    if (isFinalStatus(leg.status)) {
      return this.events.reconciled(
        { id: call.id, parentCallSid: call.parent_call_sid },
        leg.sid,
        leg.status,
        leg.status === 'completed' ? leg.durationSeconds : null,
        'provider',
      );
    }
    // A dialed leg not over yet (its browser leg is, so it soon will be): its callbacks end it,
    // else the reconciliation, which now knows which leg to ask about.
    await this.db.query(
      'UPDATE calls SET provider_call_sid = $2 WHERE id = $1 AND provider_call_sid IS NULL',
      [call.id, leg.sid],
    );
    return false;
  }

  /**
   * Closes a call no dialed leg was ever made for: `failed`, hung up now (the wrap-up window opens)
   * and not dialed (`dialed_at` cleared), with one event of the browser leg (sequence number -1,
   * as the reconciliation stores). Only a call still on the line with no dialed leg known moves:
   * a callback that named a dialed leg first wins (the row lock orders the two). Answers whether
   * the call moved.
   */
  async closeUndialed(
    callId: string,
    parentCallSid: string,
    source: Exclude<CallEventSource, 'callback'>,
  ): Promise<boolean> {
    const [rows]: [{ id: string }[], number] = await this.db.query(
      `WITH k AS (
         SELECT id FROM calls
          WHERE id = $1 AND parent_call_sid = $2 AND provider_call_sid IS NULL
            AND answered_at IS NULL AND state IN (${LIVE})
          FOR UPDATE
       ), ins AS (
         INSERT INTO call_events (call_id, call_sid, sequence_number, status, duration_seconds, applied, received_at, source)
         SELECT id, $2, $4, 'failed', NULL, true, $3, $5 FROM k
         ON CONFLICT (call_sid, sequence_number) DO NOTHING
         RETURNING call_id
       )
       UPDATE calls c SET state = 'failed', ended_at = $3, dialed_at = NULL
         FROM ins WHERE c.id = ins.call_id
       RETURNING c.id`,
      [callId, parentCallSid, this.clock.now(), RECONCILED_SEQUENCE, source],
    );
    return rows.length > 0;
  }

  /** Settles the call after the grace period, in this process (the sweep is the backstop). */
  private schedule(callId: string): void {
    if (this.stopped || this.timers.has(callId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(callId);
      const run = this.settle(callId)
        .catch((e: unknown) => this.log.error(`could not settle call ${callId}: ${String(e)}`))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, this.config.parentEndGraceSeconds * 1000);
    timer.unref();
    this.timers.set(callId, timer);
  }

  /** Pending waits are dropped (the sweep of the next instance takes them); running ones finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }
}

function isLive(state: string): boolean {
  return (LIVE_STATES as readonly string[]).includes(state);
}
