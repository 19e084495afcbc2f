import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import { mayCallNow } from '../campaigns/calling-hours';
import { callsInLastDay } from '../campaigns/contact-queue';
import { AppError } from '../common/app-error';
import type { ErrorCode, ExtendRefusalCode } from '../common/error-codes';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { CallState } from './call.entity';
import { LIVE_STATES } from './call-states';
import { CONNECT_TIMEOUT_SECONDS } from './telephony/cap-enforcer';
import { Telephony } from './telephony/telephony';
import { onDoNotCall } from '../campaigns/dnc-rule';

export interface DialAnswer {
  mode: 'twilio' | 'simulated';
  /** What the console passes to `device.connect`. */
  params: { callId: string };
  capSeconds: number;
}

export interface CallStatus {
  callId: string;
  state: CallState;
  answeredAt: Date | null;
  endedAt: Date | null;
  talkSeconds: number | null;
  capSeconds: number | null;
  extended: boolean;
  hitCap: boolean;
}

interface LockedCall {
  id: string;
  state: CallState;
  caller_id: string;
  lease_expires_at: Date;
  answered_at: Date | null;
  cap_seconds: number | null;
  extended: boolean;
  contact_id: string;
  campaign_id: string;
  client_id: string;
  phone: string;
  leased_to: string | null;
  state_code: string | null;
  time_zones: string[];
  window_start: string;
  window_end: string;
  kind: string;
  talk_cap_seconds: number;
  extended_cap_seconds: number;
  extend_allowance_pct: number;
  campaign_status: string;
  assigned: boolean;
  cut_requested_at: Date | null;
}

/** A refusal of the dial or of taking it back: its stable code and its words. */
interface Refusal {
  reason: ErrorCode;
  message: string;
}

/** The answer of `POST /calls/:callId/extend`: a refusal is an answer (200), not an error. */
export interface ExtendAnswer {
  granted: boolean;
  capSeconds: number;
  /** Why it was refused, for people. */
  reason?: string;
  /** Why it was refused, for the console: stable. */
  code?: ExtendRefusalCode;
}

/** Seconds a dialed number may ring before the provider gives up (Twilio's default is 30). */
const RING_SECONDS = 60;

/**
 * The call on the line: the dial (with every claim rule checked again at dial time), its status,
 * and the extended talk cap. The provider's events go through `TelephonyEvents`.
 */
@Injectable()
export class DialingService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get mode(): 'twilio' | 'simulated' {
    return this.telephony.mode;
  }

  /**
   * Starts the call. Refused (409, in words) when the lease was lost, the campaign stopped or the
   * caller was taken off it since the claim, the number went on a do-not-call list (the lease is
   * then dropped), the contact's local time left the calling window, or the caller is already
   * on another call. A dial stretches the contact's lease over the longest the call and its
   * wrap-up can last, so no claim hands the contact to anyone else while the caller talks or
   * records the outcome (the outcome ends the lease).
   */
  async dial(p: Principal, callId: string): Promise<DialAnswer> {
    const callerId = callerOf(p);
    const now = this.clock.now();
    const refusal = await this.db.transaction(async (m): Promise<Refusal | null> => {
      const call = await this.lock(m, callId, callerId);
      // First: taking a caller off a campaign also ends their lease, and this says why.
      if (!call.assigned) {
        return {
          reason: 'not_on_campaign',
          message: 'You are no longer assigned to this campaign',
        };
      }
      if (
        call.state !== 'leased' ||
        call.leased_to !== callerId ||
        new Date(call.lease_expires_at) <= now
      ) {
        return {
          reason: 'lease_lost',
          message: 'Your hold on this contact has ended; take the next contact',
        };
      }
      if (call.campaign_status !== 'active') {
        return {
          reason: 'campaign_not_active',
          message: `The campaign is ${call.campaign_status} now; nothing of it is called`,
        };
      }
      const live: unknown[] = await m.query(
        `SELECT 1 FROM calls WHERE caller_id = $1 AND state = ANY($2::call_state[]) AND id <> $3
            AND NOT (state = 'dialing' AND parent_call_sid IS NULL AND dialed_at <= $4::timestamptz - make_interval(secs => $5))`,
        [callerId, LIVE_STATES, callId, now, CONNECT_TIMEOUT_SECONDS],
      );
      if (live.length) {
        return { reason: 'call_live', message: 'You are already on a call; hang up first' };
      }
      const [dnc]: { listed: boolean }[] = await m.query(
        `SELECT ${onDoNotCall('$1', '$2', '$3')} AS listed`,
        [call.phone, call.client_id, call.kind === 'consumer'],
      );
      if (dnc.listed) {
        await m.query(`UPDATE calls SET state = 'dropped' WHERE id = $1`, [callId]);
        await m.query(
          `UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL WHERE id = $1`,
          [call.contact_id],
        );
        return {
          reason: 'on_do_not_call',
          message: 'This number is on a do-not-call list now; it will not be called',
        };
      }
      const window = { start: call.window_start, end: call.window_end };
      if (!mayCallNow({ zones: call.time_zones, state: call.state_code }, window, now)) {
        return {
          reason: 'outside_calling_hours',
          message: "It is outside calling hours in the contact's time zone now",
        };
      }
      const state = call.state_code?.trim().toUpperCase() ?? '';
      const limit = this.config.stateDailyCallLimits[state];
      if (limit !== undefined) {
        // Dials of one number from two campaigns at the same instant would each count the
        // other's call as not made yet: they take turns on the number until commit.
        await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('dial-limit:' || $1, 0))`, [
          call.phone,
        ]);
        const [made]: { n: number }[] = await m.query(
          `SELECT (${callsInLastDay('$1', '$2')})::int AS n`,
          [call.phone, now],
        );
        if (made.n >= limit) {
          return {
            reason: 'daily_limit',
            message: `This number has had ${made.n} calls in 24 hours, the most ${state} allows`,
          };
        }
      }
      await m.query(
        `UPDATE calls SET state = 'dialing', dialed_at = $2, cap_seconds = $3 WHERE id = $1`,
        [callId, now, call.talk_cap_seconds],
      );
      const longest =
        CONNECT_TIMEOUT_SECONDS +
        RING_SECONDS +
        Math.max(call.talk_cap_seconds, call.extended_cap_seconds) +
        this.config.capSweepSeconds +
        this.config.wrapUpSeconds;
      await m.query(
        `UPDATE contacts SET lease_expires_at = GREATEST(lease_expires_at, $2) WHERE id = $1 AND leased_to = $3`,
        [call.contact_id, new Date(now.getTime() + longest * 1000), callerId],
      );
      return null;
    });
    if (refusal) throw new AppError('conflict', refusal.message, { reason: refusal.reason });
    const [row]: { cap_seconds: number }[] = await this.db.query(
      'SELECT cap_seconds FROM calls WHERE id = $1',
      [callId],
    );
    return { mode: this.mode, params: { callId }, capSeconds: row.cap_seconds };
  }

  /**
   * Takes back a dial the phone never placed (the browser's device failed before the provider
   * asked for the call: a refused microphone, a lost connection): the call is leased again, so
   * the caller can dial once more or record an outcome, instead of waiting out the connect
   * timeout. Once the provider has asked for the call (it has a SID), it is too late: hang up.
   */
  async cancelDial(p: Principal, callId: string): Promise<void> {
    const callerId = callerOf(p);
    const refusal = await this.db.transaction(async (m): Promise<Refusal | null> => {
      const call = await this.lock(m, callId, callerId);
      const [placed]: { parent_call_sid: string | null }[] = await m.query(
        'SELECT parent_call_sid FROM calls WHERE id = $1',
        [callId],
      );
      if (call.state !== 'dialing' || placed.parent_call_sid) {
        return call.state === 'leased'
          ? null
          : {
              reason: 'call_placed',
              message: 'The call was placed; hang up instead (or record its outcome)',
            };
      }
      // A caller holds one lease at a time: one taken since cannot be doubled by this one.
      const other: unknown[] = await m.query(
        `SELECT 1 FROM calls WHERE caller_id = $1 AND state = 'leased' AND id <> $2`,
        [callerId, callId],
      );
      if (other.length) {
        return {
          reason: 'another_contact_taken',
          message: 'You have taken another contact since; this dial can no longer be taken back',
        };
      }
      await m.query(
        `UPDATE calls SET state = 'leased', dialed_at = NULL, cap_seconds = NULL WHERE id = $1`,
        [callId],
      );
      return null;
    });
    if (refusal) throw new AppError('conflict', refusal.message, { reason: refusal.reason });
  }

  /**
   * The extended cap, granted while the campaign's allowance lasts: an allowance of p% lets the
   * campaign extend ⌈p% × max(dialed calls, 10)⌉ calls, so one of its first ten at 10% (see
   * `extensionsAllowed`). Asking twice answers the same. A refusal is an answer with its `code`.
   */
  async extend(p: Principal, callId: string): Promise<ExtendAnswer> {
    const callerId = callerOf(p);
    return this.db.transaction(async (m): Promise<ExtendAnswer> => {
      const call = await this.lock(m, callId, callerId);
      if (call.extended)
        return { granted: true, capSeconds: call.cap_seconds ?? call.extended_cap_seconds };
      if (!LIVE_STATES.includes(call.state)) {
        return {
          granted: false,
          capSeconds: call.cap_seconds ?? call.talk_cap_seconds,
          reason: 'the call is not on the line',
          code: 'not_live',
        };
      }
      // Past the cap the call is being cut: an extension then would only use up the allowance.
      const cap = call.cap_seconds ?? call.talk_cap_seconds;
      const now = this.clock.now();
      if (
        call.cut_requested_at !== null ||
        (call.answered_at !== null &&
          new Date(call.answered_at).getTime() + cap * 1000 <= now.getTime())
      ) {
        return {
          granted: false,
          capSeconds: cap,
          reason: 'the talk cap has passed',
          code: 'cap_passed',
        };
      }
      // Serialise the allowance per campaign, so two callers cannot both take the last extension.
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 11))', [call.campaign_id]);
      const [counts]: { dialed: number; extended: number }[] = await m.query(
        `SELECT count(*)::int AS dialed, count(*) FILTER (WHERE extended)::int AS extended
           FROM calls WHERE campaign_id = $1 AND dialed_at IS NOT NULL`,
        [call.campaign_id],
      );
      if (counts.extended >= extensionsAllowed(call.extend_allowance_pct, counts.dialed)) {
        return {
          granted: false,
          capSeconds: call.cap_seconds ?? call.talk_cap_seconds,
          reason: `the campaign's allowance of ${call.extend_allowance_pct}% extended calls is used up`,
          code: 'allowance_used',
        };
      }
      await m.query('UPDATE calls SET extended = true, cap_seconds = $2 WHERE id = $1', [
        callId,
        call.extended_cap_seconds,
      ]);
      return { granted: true, capSeconds: call.extended_cap_seconds };
    });
  }

  async status(callId: string): Promise<CallStatus> {
    const [r]: Record<string, never>[] = await this.db.query(
      `SELECT id, state, answered_at, ended_at, talk_seconds, cap_seconds, extended, hit_cap FROM calls WHERE id = $1`,
      [callId],
    );
    return {
      callId: r.id,
      state: r.state,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      talkSeconds: r.talk_seconds,
      capSeconds: r.cap_seconds,
      extended: r.extended,
      hitCap: r.hit_cap,
    };
  }

  private async lock(m: EntityManager, callId: string, callerId?: string): Promise<LockedCall> {
    const [call]: LockedCall[] = await m.query(
      `SELECT k.id, k.state, k.caller_id, k.lease_expires_at, k.answered_at, k.cap_seconds, k.extended, k.contact_id,
              k.cut_requested_at,
              k.campaign_id, k.client_id, k.phone, c.leased_to, c.state AS state_code, c.time_zones,
              g.window_start, g.window_end, g.kind, g.talk_cap_seconds, g.extended_cap_seconds, g.extend_allowance_pct,
              g.status AS campaign_status,
              EXISTS (SELECT 1 FROM campaign_callers cc WHERE cc.campaign_id = k.campaign_id AND cc.user_id = k.caller_id) AS assigned
         FROM calls k JOIN contacts c ON c.id = k.contact_id JOIN campaigns g ON g.id = k.campaign_id
        WHERE k.id = $1 AND ($2::uuid IS NULL OR k.caller_id = $2)
        FOR UPDATE OF k`,
      [callId, callerId ?? null],
    );
    if (!call) throw AppError.notFound('Call');
    return call;
  }
}

/** The fewest dialed calls the extension allowance is counted over. */
const EXTENSION_FLOOR_CALLS = 10;

/**
 * How many calls a campaign may extend: ⌈pct% × max(dialed, 10)⌉. The floor of ten dialed calls
 * lets a fresh campaign extend one of its first calls (10% of 0 would be none).
 */
export function extensionsAllowed(pct: number, dialed: number): number {
  return Math.floor((pct * Math.max(dialed, EXTENSION_FLOOR_CALLS) + 99) / 100);
}

function callerOf(p: Principal): string {
  if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers make calls');
  return p.userId;
}
