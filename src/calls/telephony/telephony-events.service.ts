import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import type { CallState } from '../call.entity';
import { type CallEvent, FINAL_STATES, nextCallState } from '../call-states';
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

interface StatusRow {
  id: string;
  state: CallState;
  parent_call_sid: string | null;
  provider_call_sid: string | null;
  answered_at: Date | null;
  cap_seconds: number | null;
  talk_cap_seconds: number;
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
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const [call]: StatusRow[] = await m.query(
        `SELECT k.id, k.state, k.parent_call_sid, k.provider_call_sid, k.answered_at, k.cap_seconds, g.talk_cap_seconds
           FROM calls k JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.id = $1 FOR UPDATE OF k`,
        [callId],
      );
      if (
        !call ||
        !call.parent_call_sid ||
        parent !== call.parent_call_sid ||
        (call.provider_call_sid !== null && call.provider_call_sid !== sid)
      ) {
        throw unknownCall();
      }
      const event = STATUS_EVENTS[status] ?? null;
      const next = event ? nextCallState(call.state, event) : call.state;
      const applied = next !== call.state;
      const stored: unknown[] = await m.query(
        `INSERT INTO call_events (call_id, call_sid, sequence_number, status, duration_seconds, applied, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (call_sid, sequence_number) DO NOTHING RETURNING id`,
        [callId, sid, seq, status.slice(0, 20), duration, applied, now],
      );
      if (stored.length === 0) return; // a retry of an event already stored
      if (!applied) {
        if (call.provider_call_sid === null)
          await m.query('UPDATE calls SET provider_call_sid = $2 WHERE id = $1', [callId, sid]);
        return;
      }
      const answeredAt = next === 'in_progress' ? now : call.answered_at;
      const ended = FINAL_STATES.includes(next);
      const talk = !ended
        ? null
        : (duration ??
          (answeredAt
            ? Math.max(0, Math.round((now.getTime() - new Date(answeredAt).getTime()) / 1000))
            : null));
      const cap = call.cap_seconds ?? call.talk_cap_seconds;
      await m.query(
        `UPDATE calls SET state = $2, answered_at = $3, provider_call_sid = COALESCE(provider_call_sid, $4),
                ended_at = CASE WHEN $5 THEN $6::timestamptz ELSE ended_at END,
                talk_seconds = COALESCE($7, talk_seconds), hit_cap = hit_cap OR COALESCE($7 >= $8, false)
          WHERE id = $1`,
        [callId, next, answeredAt, sid, ended, now, talk, cap],
      );
    });
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
