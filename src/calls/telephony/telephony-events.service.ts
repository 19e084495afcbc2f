import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
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

/**
 * A status callback in one statement (no round trips inside a transaction): lock the call (it
 * must be the one whose browser leg is $2 and whose dialed leg is $3 or not yet known), store the
 * event once, and move the call when the event is new and moves it.
 */
const APPLY_STATUS_SQL = `WITH k AS (
         SELECT k.id, k.state, COALESCE(k.cap_seconds, g.talk_cap_seconds) AS cap
           FROM calls k JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.id = $1 AND k.parent_call_sid = $2 AND (k.provider_call_sid IS NULL OR k.provider_call_sid = $3)
          FOR UPDATE OF k
       ), t AS (
         SELECT k.*, ${nextCallStateSql('k.state', '$5::call_state')} AS next FROM k
       ), ins AS (
         INSERT INTO call_events (call_id, call_sid, sequence_number, status, duration_seconds, applied, received_at)
         SELECT t.id, $3, $4, $6, $7, t.next <> t.state, $8 FROM t
         ON CONFLICT (call_sid, sequence_number) DO NOTHING
         RETURNING applied
       ), upd AS (
         UPDATE calls c SET
           provider_call_sid = COALESCE(c.provider_call_sid, $3),
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
       SELECT (SELECT count(*) FROM k)::int AS known, (SELECT count(*) FROM upd)::int AS moved`;

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
    const event = STATUS_EVENTS[status] ?? null;
    const [row]: { known: number }[] = await this.db.query(APPLY_STATUS_SQL, [
      callId,
      parent ?? null,
      sid,
      seq,
      event ? stateOfEvent(event) : null,
      status.slice(0, 20),
      duration,
      this.clock.now(),
    ]);
    if (row.known === 0) throw unknownCall();
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
