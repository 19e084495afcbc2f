import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import type { CallState } from '../call.entity';
import type { CallEvent } from '../call-states';
import { fakeCallSid, identityOf, Telephony } from './telephony';

/** The status Twilio reports for each event of the phone. */
const TWILIO_STATUS: Record<CallEvent, string> = {
  ringing: 'ringing',
  answered: 'in-progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

interface SimCall {
  id: string;
  caller_id: string;
  state: CallState;
  parent_call_sid: string | null;
  provider_call_sid: string | null;
  answered_at: Date | null;
  cap_seconds: number | null;
}

/**
 * The phone for everyone without a Twilio account. It plays Twilio's part: it requests the voice
 * webhook as Twilio would (a fake `CA…` SID, `From=client:<identity>`, the call id), then posts
 * status callbacks signed with the boot-time token. Both go through the HTTP stack in process
 * (Fastify's inject), so the signature guard and the handlers are exactly Twilio's path.
 */
@Injectable()
export class SimulatedPhone {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
    private readonly http: HttpAdapterHost,
  ) {}

  /** An event of the console's fake device (ringing, answered, completed, busy, …). */
  async event(callId: string, callerId: string, event: CallEvent): Promise<void> {
    const call = await this.load(callId, callerId);
    if (call.state === 'leased') {
      throw new AppError('conflict', 'The call has not been dialed', { reason: 'not_dialed' });
    }
    const legs = await this.connect(call);
    await this.report(call, legs, event);
  }

  /** Ends a call at its cap, as Twilio's `timeLimit` or the REST cut would. */
  async hangUpAtCap(callId: string): Promise<void> {
    const call = await this.load(callId);
    if (!call.parent_call_sid || !call.provider_call_sid) return;
    await this.report(
      call,
      { parent: call.parent_call_sid, child: call.provider_call_sid },
      'completed',
    );
  }

  private async load(callId: string, callerId?: string): Promise<SimCall> {
    const [call]: SimCall[] = await this.db.query(
      `SELECT id, caller_id, state, parent_call_sid, provider_call_sid, answered_at, cap_seconds
         FROM calls WHERE id = $1 AND ($2::uuid IS NULL OR caller_id = $2)`,
      [callId, callerId ?? null],
    );
    if (!call) throw AppError.notFound('Call');
    return call;
  }

  /** Requests the voice webhook once per call, as Twilio does when the device connects. */
  private async connect(call: SimCall): Promise<{ parent: string; child: string }> {
    if (call.parent_call_sid) {
      return { parent: call.parent_call_sid, child: call.provider_call_sid ?? fakeCallSid() };
    }
    const parent = fakeCallSid();
    const res = await this.post('/telephony/twilio/voice', {
      CallSid: parent,
      AccountSid: 'AC' + '0'.repeat(32),
      From: `client:${identityOf(call.caller_id)}`,
      Direction: 'inbound',
      CallStatus: 'ringing',
      callId: call.id,
    });
    if (res.statusCode !== 200 || !res.body.includes('<Dial')) {
      throw new AppError('conflict', 'The call could not be placed: ' + summary(res.body), {
        reason: 'call_not_placed',
      });
    }
    const child = fakeCallSid();
    const first = await this.post(`/telephony/twilio/status?callId=${call.id}`, {
      CallSid: child,
      ParentCallSid: parent,
      CallStatus: 'initiated',
      SequenceNumber: '0',
    });
    if (first.statusCode !== 204) throw new Error(`simulated status answered ${first.statusCode}`);
    return { parent, child };
  }

  private async report(
    call: SimCall,
    legs: { parent: string; child: string },
    event: CallEvent,
  ): Promise<void> {
    const [{ next }]: { next: number }[] = await this.db.query(
      'SELECT COALESCE(max(sequence_number) + 1, 0)::int AS next FROM call_events WHERE call_sid = $1',
      [legs.child],
    );
    const params: Record<string, string> = {
      CallSid: legs.child,
      ParentCallSid: legs.parent,
      CallStatus: TWILIO_STATUS[event],
      SequenceNumber: String(next),
    };
    if (event === 'completed') {
      // What Twilio would report: time since answer, cut at the call's cap.
      const [fresh]: Pick<SimCall, 'answered_at' | 'cap_seconds'>[] = await this.db.query(
        'SELECT answered_at, cap_seconds FROM calls WHERE id = $1',
        [call.id],
      );
      const talked = fresh.answered_at
        ? Math.round((this.clock.now().getTime() - new Date(fresh.answered_at).getTime()) / 1000)
        : 0;
      params.CallDuration = String(Math.max(0, Math.min(talked, fresh.cap_seconds ?? talked)));
    }
    const res = await this.post(`/telephony/twilio/status?callId=${call.id}`, params);
    if (res.statusCode !== 204) throw new Error(`simulated status answered ${res.statusCode}`);
  }

  private async post(
    path: string,
    params: Record<string, string>,
  ): Promise<{ statusCode: number; body: string }> {
    const signature = twilio.getExpectedTwilioSignature(
      this.telephony.webhookAuthToken,
      this.telephony.publicUrl(path),
      params,
    );
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    return fastify.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
      payload: new URLSearchParams(params).toString(),
    });
  }
}

function summary(twiml: string): string {
  return /<Say>([^<]*)<\/Say>/.exec(twiml)?.[1] ?? 'the voice webhook refused it';
}
