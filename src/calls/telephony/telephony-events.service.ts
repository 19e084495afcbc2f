import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error';
import { Batcher } from '../../common/batcher';
import { Clock } from '../../common/clock';
import { namedQuery } from '../../database/pg-pool';
import type { CallEventSource } from '../call-event.entity';
import type { CallState } from '../call.entity';
import { type CallEvent, FINAL_STATES, nextCallStateSql, stateOfEvent } from '../call-states';
import { Telephony, userOfIdentity } from './telephony';
import { dialTwiml, noticeTwiml, refuseTwiml } from './twiml';
import { field, type FormParams } from './webhook-params';

/** Twilio's `CallStatus` values and the event each one is for the call (null: no change). */
const STATUS_EVENTS: Record<string, CallEvent | null> = {
  queued: null,
  initiated: null,
  ringing: 'ringing',
  'in-progress': 'answered',
  answered: 'answered',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

const FINALS = FINAL_STATES.map((x) => `'${x}'`).join(', ');

/** Whether a Twilio call status is final (`completed`, `busy`, `no-answer`, `failed`, `canceled`). */
export function isFinalStatus(status: string): boolean {
  const event = eventOfStatus(status);
  return !!event && FINAL_STATES.includes(stateOfEvent(event));
}

/** The event a Twilio status is for the call (null: none, or not a status). */
function eventOfStatus(status: string): CallEvent | null {
  return Object.hasOwn(STATUS_EVENTS, status) ? STATUS_EVENTS[status] : null;
}

/**
 * Call events in one statement (no round trips inside a transaction), for one or many calls at
 * once: each event's call is locked (it must be the one whose browser leg is the event's parent
 * SID and whose dialed leg is the event's SID or not yet known; locked in id order, so two
 * batches never deadlock), each event stored once (key: call SID + sequence number; $2 says
 * where it came from), and each call moved when its event is new and moves it. One event per
 * call per statement (the batcher keeps a second one for the next statement). Status callbacks
 * and the reconciliation both go through it. Answers per event whether its call was known and
 * whether it moved.
 *
 * With `asyncCommit` the statement's own transaction commits with `synchronous_commit = off`
 * (`set_config(…, true)` is `SET LOCAL`: this transaction only, nothing else on the connection):
 * the 204 no longer waits for the WAL flush. A crash can then lose the last few hundred
 * milliseconds of acknowledged callbacks; a lost final one is recovered by the reconciliation
 * (CallReconciler), a lost earlier one is overtaken by the events after it.
 */
function applyEventsSql(asyncCommit: boolean): string {
  return `WITH e AS (
         SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::int[], $7::call_state[], $8::text[], $9::int[])
             AS e(call_id, parent_sid, sid, seq, target, status, duration)
       ), k AS (
         SELECT k.id, k.state, COALESCE(k.cap_seconds, g.talk_cap_seconds) AS cap,
                e.sid, e.seq, e.target, e.status, e.duration
           FROM e JOIN calls k ON k.id = e.call_id JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.parent_call_sid = e.parent_sid AND (k.provider_call_sid IS NULL OR k.provider_call_sid = e.sid)
          ORDER BY k.id
          FOR UPDATE OF k
       ), t AS (
         SELECT k.*, ${nextCallStateSql('k.state', 'k.target')} AS next FROM k
       ), ins AS (
         INSERT INTO call_events (call_id, call_sid, sequence_number, status, duration_seconds, applied, received_at, source)
         SELECT t.id, t.sid, t.seq, t.status, t.duration, t.next <> t.state, $1, $2 FROM t
         ON CONFLICT (call_sid, sequence_number) DO NOTHING
         RETURNING call_id, applied
       ), upd AS (
         UPDATE calls c SET
           provider_call_sid = COALESCE(c.provider_call_sid, NULLIF(t.sid, c.parent_call_sid)),
           state = t.next,
           answered_at = CASE WHEN ins.applied AND t.next = 'in_progress' THEN $1 ELSE c.answered_at END,
           ended_at = CASE WHEN ins.applied AND t.next::text IN (${FINALS}) THEN $1 ELSE c.ended_at END,
           talk_seconds = CASE WHEN ins.applied AND t.next::text IN (${FINALS})
             THEN COALESCE(t.duration, round(extract(epoch FROM $1 - c.answered_at))::int) ELSE c.talk_seconds END,
           hit_cap = c.hit_cap OR COALESCE(ins.applied AND t.next::text IN (${FINALS})
             AND COALESCE(t.duration, round(extract(epoch FROM $1 - c.answered_at))::int) >= t.cap, false)
         FROM t JOIN ins ON ins.call_id = t.id
         WHERE c.id = t.id AND (ins.applied OR c.provider_call_sid IS NULL)
         RETURNING c.id
       )
       SELECT e.call_id,
              EXISTS (SELECT 1 FROM k WHERE k.id = e.call_id) AS known,
              EXISTS (SELECT 1 FROM upd WHERE upd.id = e.call_id) AS moved${
                asyncCommit ? `, set_config('synchronous_commit', 'off', true) AS commit_mode` : ''
              }
         FROM e`;
}

const APPLY_CALLBACK_SQL = applyEventsSql(true);
const APPLY_RECONCILED_SQL = applyEventsSql(false);

/** The sequence number of the one event a reconciliation stores per leg (callbacks count from 0). */
export const RECONCILED_SEQUENCE = -1;

/** The largest value of an `int` column. */
const INT_MAX = 2_147_483_647;

/** One call event as the statement takes it. */
interface EventRow {
  callId: string;
  /** The browser leg's SID the call must have. */
  parentSid: string | null;
  /** The leg the event is for (its SID with `seq` is the event's key). */
  sid: string;
  seq: number;
  /** The state the event moves the call to, if it moves it forward (null: no move). */
  target: CallState | null;
  status: string;
  duration: number | null;
}

const unknownCall = () => new AppError('forbidden', 'Unknown call', { reason: 'unknown_call' });

interface VoiceRow {
  id: string;
  state: CallState;
  phone: string;
  parent_call_sid: string | null;
  cap_seconds: number | null;
  number: string | null;
  talk_cap_seconds: number;
  extended_cap_seconds: number;
  extend_allowance_pct: number;
  record_calls: boolean;
}

/**
 * What the telephony provider tells us, after the signature guard: the voice request (answered
 * with TwiML that dials the leased contact), status callbacks (stored once each, applied in
 * order-proof fashion) and recording callbacks. The simulated phone goes through the same code.
 */
@Injectable()
export class TelephonyEvents {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
  ) {}

  /**
   * TwiML for Twilio's voice request from the console's device: the number dialed is the one
   * leased to that caller for that call, never one the browser sends.
   */
  async voice(p: FormParams): Promise<string> {
    const callId = field(p, 'callId');
    const userId = userOfIdentity(field(p, 'From'));
    const sid = field(p, 'CallSid');
    if (!callId || !isUUID(callId) || !userId || !sid) throw unknownCall();
    return this.db.transaction(async (m) => {
      const [row]: VoiceRow[] = await m.query(
        `SELECT k.id, k.state, k.phone, k.parent_call_sid, k.cap_seconds, g.caller_id AS number,
                g.talk_cap_seconds, g.extended_cap_seconds, g.extend_allowance_pct, g.record_calls
           FROM calls k JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.id = $1 AND k.caller_id = $2
          FOR UPDATE OF k`,
        [callId, userId],
      );
      if (!row) throw unknownCall();
      if (row.state !== 'dialing' || (row.parent_call_sid && row.parent_call_sid !== sid)) {
        return refuseTwiml('This call can no longer be placed. Take the next contact.');
      }
      if (!row.number) return refuseTwiml('This campaign has no caller ID number.');
      await m.query('UPDATE calls SET parent_call_sid = $2 WHERE id = $1', [callId, sid]);
      // Twilio cannot raise a running call's limit, so the limit is the most this call may
      // reach; the service ends it at the normal cap unless the extension was granted.
      const hardCap =
        row.extend_allowance_pct > 0
          ? Math.max(row.extended_cap_seconds, row.cap_seconds ?? row.talk_cap_seconds)
          : (row.cap_seconds ?? row.talk_cap_seconds);
      const q = `?callId=${callId}`;
      return dialTwiml({
        number: row.phone,
        callerId: row.number,
        timeLimit: hardCap,
        statusCallback: this.telephony.publicUrl(`/telephony/twilio/status${q}`),
        action: this.telephony.publicUrl(`/telephony/twilio/dial-action${q}`),
        recording: row.record_calls
          ? {
              noticeUrl: this.telephony.publicUrl(`/telephony/twilio/notice${q}`),
              statusCallback: this.telephony.publicUrl(`/telephony/twilio/recording${q}`),
            }
          : undefined,
      });
    });
  }

  /**
   * A status callback for the dialed leg. Each (call SID, sequence number) is stored once; the
   * call only moves forward and never leaves a final state; talk time comes from the final
   * event's `CallDuration`.
   */
  async status(callId: string | undefined, p: FormParams): Promise<void> {
    const sid = field(p, 'CallSid');
    const parent = field(p, 'ParentCallSid');
    const status = field(p, 'CallStatus') ?? '';
    const seq = Number(field(p, 'SequenceNumber'));
    if (!callId || !isUUID(callId) || !sid) throw unknownCall();
    if (!Number.isInteger(seq) || seq < 0 || seq > INT_MAX) {
      throw new AppError('invalid', 'SequenceNumber is required', [
        { field: 'SequenceNumber', message: `must be a whole number from 0 to ${INT_MAX}` },
      ]);
    }
    const durationRaw = field(p, 'CallDuration');
    const duration = durationRaw !== undefined && /^\d+$/.test(durationRaw) ? +durationRaw : null;
    // Checked here, not left to the column: a value the statement cannot take would fail the
    // whole batch it shares with other calls' callbacks (each is then retried alone).
    if (duration !== null && duration > INT_MAX) {
      throw new AppError('invalid', 'CallDuration is out of range', [
        { field: 'CallDuration', message: `must be a whole number of seconds up to ${INT_MAX}` },
      ]);
    }
    const event = eventOfStatus(status);
    const { known } = await this.callbacks.submit({
      callId,
      parentSid: parent ?? null,
      sid,
      seq,
      target: event ? stateOfEvent(event) : null,
      status: status.slice(0, 20),
      duration,
    });
    if (!known) throw unknownCall();
  }

  /**
   * Status callbacks go to the database in batches (see Batcher): at most 2 statements at once
   * out of the pool's 10 connections, each for up to 64 callbacks that arrived meanwhile, one per
   * call. Under load one statement and one commit serve many callbacks; a lone callback is
   * applied at once. (Measured at 64 senders: 2,000 callbacks a second one statement each,
   * 2,800–4,500 batched; 2 in flight did no worse than 4 on 2 cores.) Two callbacks of one call
   * in two batches at once are fine: the statement is order-proof.
   */
  private readonly callbacks = new Batcher<EventRow, { known: boolean; moved: boolean }>(
    (events) => this.apply(events, 'callback'),
    (e) => e.callId,
    { inFlight: 2, maxBatch: 64 },
  );

  /** Applies events (one per call) in one named statement. Answers per event, in order. */
  private async apply(
    events: EventRow[],
    source: CallEventSource,
  ): Promise<{ known: boolean; moved: boolean }[]> {
    const callback = source === 'callback';
    const rows = await namedQuery<{ call_id: string; known: boolean; moved: boolean }>(
      this.db,
      callback ? 'telephony-status-callbacks' : 'telephony-reconciled',
      callback ? APPLY_CALLBACK_SQL : APPLY_RECONCILED_SQL,
      [
        this.clock.now(),
        source,
        events.map((e) => e.callId),
        events.map((e) => e.parentSid),
        events.map((e) => e.sid),
        events.map((e) => e.seq),
        events.map((e) => e.target),
        events.map((e) => e.status),
        events.map((e) => e.duration),
      ],
    );
    const byCall = new Map(rows.map((r) => [r.call_id, r]));
    return events.map((e) => {
      const r = byCall.get(e.callId);
      return { known: r?.known ?? false, moved: r?.moved ?? false };
    });
  }

  /**
   * A call's final status learnt other than by its callback (the reconciliation): stored as an
   * event of the leg with sequence number -1 and the given source, once, and applied exactly as
   * a final status callback would be (a call already in a final state does not move). `legSid`
   * is the dialed leg's SID, or the browser leg's when no dialed leg exists. Answers whether the
   * call moved; a non-final status is refused (the reconciliation only closes calls).
   */
  async reconciled(
    call: { id: string; parentCallSid: string },
    legSid: string,
    status: string,
    durationSeconds: number | null,
    source: Exclude<CallEventSource, 'callback'>,
  ): Promise<boolean> {
    if (!isFinalStatus(status)) throw new Error(`not a final call status: ${status}`);
    const [row] = await this.apply(
      [
        {
          callId: call.id,
          parentSid: call.parentCallSid,
          sid: legSid,
          seq: RECONCILED_SEQUENCE,
          target: stateOfEvent(eventOfStatus(status)!),
          status,
          duration: durationSeconds,
        },
      ],
      source,
    );
    return row.moved;
  }

  /** A recording callback: the finished recording's SID, URL and length go on the call, once. */
  async recording(callId: string | undefined, p: FormParams): Promise<void> {
    const sid = field(p, 'CallSid');
    if (!callId || !isUUID(callId) || !sid) throw unknownCall();
    const [call]: { id: string }[] = await this.db.query(
      'SELECT id FROM calls WHERE id = $1 AND (parent_call_sid = $2 OR provider_call_sid = $2)',
      [callId, sid],
    );
    if (!call) throw unknownCall();
    const recordingSid = field(p, 'RecordingSid');
    if (field(p, 'RecordingStatus') !== 'completed' || !recordingSid) return;
    const seconds = Number(field(p, 'RecordingDuration'));
    await this.db.query(
      `UPDATE calls SET recording_sid = $2, recording_url = $3, recording_seconds = $4
        WHERE id = $1 AND (recording_sid IS NULL OR recording_sid = $2)`,
      [
        callId,
        recordingSid.slice(0, 40),
        field(p, 'RecordingUrl') ?? null,
        Number.isInteger(seconds) ? seconds : null,
      ],
    );
  }

  /** The notice the called party hears before a recorded call connects. */
  async notice(callId: string | undefined): Promise<string> {
    if (!callId || !isUUID(callId)) throw unknownCall();
    const [call]: unknown[] = await this.db.query(
      'SELECT 1 FROM calls WHERE id = $1 AND parent_call_sid IS NOT NULL',
      [callId],
    );
    if (!call) throw unknownCall();
    return noticeTwiml();
  }
}
