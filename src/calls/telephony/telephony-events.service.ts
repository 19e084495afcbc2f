import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
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
 * A call event in one statement (no round trips inside a transaction): lock the call (it must be
 * the one whose browser leg is $2 and whose dialed leg is $3 or not yet known), store the event
 * once (key: call SID + sequence number; $9 says where it came from), and move the call when the
 * event is new and moves it. Status callbacks and the reconciliation both go through it.
 *
 * With `asyncCommit` the statement's own transaction commits with `synchronous_commit = off`
 * (`set_config(…, true)` is `SET LOCAL`: this transaction only, nothing else on the connection):
 * the 204 no longer waits for the WAL flush. A crash can then lose the last few hundred
 * milliseconds of acknowledged callbacks; a lost final one is recovered by the reconciliation
 * (CallReconciler), a lost earlier one is overtaken by the events after it.
 */
function applyEventSql(asyncCommit: boolean): string {
  return `WITH k AS (
         SELECT k.id, k.state, COALESCE(k.cap_seconds, g.talk_cap_seconds) AS cap
           FROM calls k JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.id = $1 AND k.parent_call_sid = $2 AND (k.provider_call_sid IS NULL OR k.provider_call_sid = $3)
          FOR UPDATE OF k
       ), t AS (
         SELECT k.*, ${nextCallStateSql('k.state', '$5::call_state')} AS next FROM k
       ), ins AS (
         INSERT INTO call_events (call_id, call_sid, sequence_number, status, duration_seconds, applied, received_at, source)
         SELECT t.id, $3, $4, $6, $7, t.next <> t.state, $8, $9 FROM t
         ON CONFLICT (call_sid, sequence_number) DO NOTHING
         RETURNING applied
       ), upd AS (
         UPDATE calls c SET
           provider_call_sid = COALESCE(c.provider_call_sid, NULLIF($3, c.parent_call_sid)),
           state = t.next,
           answered_at = CASE WHEN ins.applied AND t.next = 'in_progress' THEN $8 ELSE c.answered_at END,
           ended_at = CASE WHEN ins.applied AND t.next::text IN (${FINALS}) THEN $8 ELSE c.ended_at END,
           talk_seconds = CASE WHEN ins.applied AND t.next::text IN (${FINALS})
             THEN COALESCE($7, round(extract(epoch FROM $8 - c.answered_at))::int) ELSE c.talk_seconds END,
           hit_cap = c.hit_cap OR COALESCE(ins.applied AND t.next::text IN (${FINALS})
             AND COALESCE($7, round(extract(epoch FROM $8 - c.answered_at))::int) >= t.cap, false)
         FROM t, ins
         WHERE c.id = t.id AND (ins.applied OR c.provider_call_sid IS NULL)
         RETURNING c.id
       )
       SELECT (SELECT count(*) FROM k)::int AS known, (SELECT count(*) FROM upd)::int AS moved${
         asyncCommit ? `, set_config('synchronous_commit', 'off', true) AS commit_mode` : ''
       }`;
}
const APPLY_CALLBACK_SQL = applyEventSql(true);
const APPLY_RECONCILED_SQL = applyEventSql(false);

/** The sequence number of the one event a reconciliation stores per leg (callbacks count from 0). */
export const RECONCILED_SEQUENCE = -1;

const unknownCall = () => new AppError('forbidden', 'Unknown call');

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
    if (!Number.isInteger(seq) || seq < 0) {
      throw new AppError('invalid', 'SequenceNumber is required', [
        { field: 'SequenceNumber', message: 'must be a whole number from 0' },
      ]);
    }
    const durationRaw = field(p, 'CallDuration');
    const duration = durationRaw !== undefined && /^\d+$/.test(durationRaw) ? +durationRaw : null;
    const event = eventOfStatus(status);
    // The hot path of the webhooks: a named statement, so each pooled connection parses and
    // plans it once (planning this statement costs more than running it).
    const { rows } = await this.pool().query<{ known: number }>({
      name: 'telephony-status-callback',
      text: APPLY_CALLBACK_SQL,
      values: [
        callId,
        parent ?? null,
        sid,
        seq,
        event ? stateOfEvent(event) : null,
        status.slice(0, 20),
        duration,
        this.clock.now(),
        'callback' satisfies CallEventSource,
      ],
    });
    if (rows[0].known === 0) throw unknownCall();
  }

  /** TypeORM's own pg pool (the same connections, without its per-query wrapping). */
  private pool(): Pool {
    return (this.db.driver as PostgresDriver).master as Pool;
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
    const [row]: { moved: number }[] = await this.db.query(APPLY_RECONCILED_SQL, [
      call.id,
      call.parentCallSid,
      legSid,
      RECONCILED_SEQUENCE,
      stateOfEvent(eventOfStatus(status)!),
      status,
      durationSeconds,
      this.clock.now(),
      source,
    ]);
    return row.moved > 0;
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
