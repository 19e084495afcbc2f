import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { CallState } from '../call.entity';
import { LIVE_STATES } from '../call-states';
import { ParentLegs } from './parent-leg';
import { isFinalStatus, TelephonyEvents } from './telephony-events.service';
import { type ProviderCall, Telephony } from './telephony';

/** A call is asked about again at most this often while the provider cannot close it. */
export const RECONCILE_RETRY_SECONDS = 60;
/** Calls looked at per sweep (the next sweep takes the rest). */
const BATCH = 50;

const LIVE = LIVE_STATES.map((s) => `'${s}'`).join(', ');

interface StuckCall {
  id: string;
  state: CallState;
  parent_call_sid: string;
  provider_call_sid: string | null;
  answered_at: Date | null;
  dialed_at: Date | null;
  cap_seconds: number | null;
}

/** How a stuck call ended, as far as can be known. */
interface Ending {
  legSid: string;
  status: string;
  durationSeconds: number | null;
  source: 'provider' | 'synthetic';
  /** Set when Twilio says no dialed leg was ever made: the call is closed as not dialed. */
  undialed?: boolean;
  /** Set when the provider never answered and the call was closed anyway: why. */
  givenUp?: string;
}

/** The provider's word on a call that is not over there yet: what it reports. */
interface Pending {
  pending: string;
}

/**
 * Closes calls whose final status callback never arrived (Twilio gave up delivering it, or the
 * database lost it: status callbacks commit with `synchronous_commit = off`). A call still on
 * the line (dialing after its voice request, ringing, in progress) whose start (answer, else
 * dial) is older than the longest cap it can have plus `RECONCILE_MARGIN_SECONDS` cannot be live
 * any more, since Twilio's `timeLimit` has ended it; the sweep then asks the provider how it
 * ended and applies that through the same statement as a status callback, stored as one event
 * (sequence number -1, source `provider`), so a late real callback afterwards changes nothing.
 *
 * - twilio: `GET Calls/{dialed leg}` (or the browser leg's children when no callback named the
 *   dialed leg). A status that is not final yet, or a failed request, leaves the call as it is
 *   and it is asked about again after `RECONCILE_RETRY_SECONDS`. A call Twilio does not know
 *   (404) is closed `failed`; a browser leg that ended with no dialed leg, `failed` and not
 *   dialed (ParentLegs.closeUndialed), which ParentLegs does much sooner when Twilio tells it the
 *   browser leg ended.
 * - giving up: once the call's start is `RECONCILE_GIVE_UP_SECONDS` old (default 6 h), an
 *   attempt that still gets no final status (the request failed, or Twilio reports the call not
 *   over) closes it as the simulated phone would (below), with a synthetic event, and logs an
 *   error naming the call and the last failure or status. A final status Twilio gives after that
 *   age is still applied as its answer.
 * - simulated: the phone is in the process and loses nothing, but a console closed mid-call
 *   leaves its call open; it is closed with a synthetic event: `completed` with the talk time
 *   known (answer to now, at most the call's cap) if it was answered, else `failed`.
 *
 * Instances share the work like the cap sweep: rows taken with SKIP LOCKED and marked with the
 * attempt's time, so two sweeps never ask about the same call at once.
 */
@Injectable()
export class CallReconciler {
  private readonly log = new Logger('CallReconciler');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly telephony: Telephony,
    private readonly events: TelephonyEvents,
    private readonly parentLegs: ParentLegs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Looks at the calls due; answers how many it closed. */
  async reconcile(): Promise<number> {
    // Calls whose browser leg ended with no dialed leg known are not left to the long wait.
    const settled = await this.parentLegs.settle();
    const now = this.clock.now();
    // The longest the call may have run: its cap, the campaign's, or the extended cap when the
    // campaign allows extensions (what the voice request gave Twilio as `timeLimit`).
    const [due]: [StuckCall[], number] = await this.db.query(
      `UPDATE calls SET reconcile_attempted_at = $1
        WHERE id IN (
          SELECT k.id FROM calls k JOIN campaigns g ON g.id = k.campaign_id
           WHERE k.state IN (${LIVE}) AND k.parent_call_sid IS NOT NULL
             AND COALESCE(k.answered_at, k.dialed_at) + make_interval(secs => $2 + GREATEST(
                   COALESCE(k.cap_seconds, 0), g.talk_cap_seconds,
                   CASE WHEN g.extend_allowance_pct > 0 THEN g.extended_cap_seconds ELSE 0 END)) <= $1
             AND (k.reconcile_attempted_at IS NULL
                  OR k.reconcile_attempted_at <= $1::timestamptz - make_interval(secs => $3))
           ORDER BY k.dialed_at LIMIT ${BATCH}
           FOR UPDATE OF k SKIP LOCKED)
        RETURNING id, state, parent_call_sid, provider_call_sid, answered_at, dialed_at, cap_seconds`,
      [now, this.config.reconcileMarginSeconds, RECONCILE_RETRY_SECONDS],
    );
    let closed = settled;
    for (const call of due) {
      try {
        const ending = await this.ending(call, now);
        if (!ending) continue;
        const moved = ending.undialed
          ? await this.parentLegs.closeUndialed(call.id, call.parent_call_sid, ending.source)
          : await this.events.reconciled(
              { id: call.id, parentCallSid: call.parent_call_sid },
              ending.legSid,
              ending.status,
              ending.durationSeconds,
              ending.source,
            );
        if (moved) {
          closed++;
          if (ending.givenUp) {
            this.log.error(
              `call ${call.id} closed by reconciliation without the provider's answer: ` +
                `${ending.status} (${ending.source}); ${ending.givenUp}`,
            );
          } else {
            this.log.warn(
              `call ${call.id} closed by reconciliation: ${ending.status} (${ending.source})`,
            );
          }
        }
      } catch (e) {
        this.log.warn(`could not reconcile call ${call.id}, will retry: ${String(e)}`);
      }
    }
    return closed;
  }

  /**
   * How the call ended: Twilio's answer (simulated: what is known), or null to ask again later.
   * Past the give-up age a call Twilio gives no final status for is closed as the simulated phone
   * would; a failed request before that age throws.
   */
  private async ending(call: StuckCall, now: Date): Promise<Ending | null> {
    if (this.telephony.mode === 'simulated') return this.synthetic(call, now);
    const age = secondsSinceStart(call, now);
    const pastGiveUp = age !== null && age >= this.config.reconcileGiveUpSeconds;
    let why: string;
    try {
      const answer = await this.asked(call, now);
      if (!('pending' in answer)) return answer;
      why = answer.pending;
    } catch (e) {
      if (!pastGiveUp) throw e;
      why = `the last request failed: ${String(e)}`;
    }
    if (!pastGiveUp) return null;
    return {
      ...this.synthetic(call, now),
      givenUp: `no final status from Twilio ${age} s after the call's start (give-up ${this.config.reconcileGiveUpSeconds} s): ${why}`,
    };
  }

  /** Twilio's answer, or what it reports while the call is not over there (asked again later). */
  private async asked(call: StuckCall, now: Date): Promise<Ending | Pending> {
    let leg: ProviderCall | null;
    if (call.provider_call_sid) {
      leg = await this.telephony.fetchCall(call.provider_call_sid);
      if (!leg) return this.unknownToProvider(call);
    } else {
      [leg] = await this.telephony.childCalls(call.parent_call_sid);
      if (!leg) {
        // No dialed leg was ever made: once the browser leg is over, nothing was dialed.
        const parent = await this.telephony.fetchCall(call.parent_call_sid);
        if (!parent) return this.unknownToProvider(call);
        if (!isFinalStatus(parent.status)) {
          return { pending: `Twilio reports the browser leg ${parent.sid} ${parent.status}` };
        }
        return {
          legSid: call.parent_call_sid,
          status: 'failed',
          durationSeconds: null,
          source: 'provider',
          undialed: true,
        };
      }
    }
    if (!isFinalStatus(leg.status)) {
      return { pending: `Twilio reports the dialed leg ${leg.sid} ${leg.status}` };
    }
    return {
      legSid: leg.sid,
      status: leg.status,
      // Twilio gives the duration of a completed call; without it, what is known.
      durationSeconds:
        leg.status === 'completed' ? (leg.durationSeconds ?? talkedUpTo(call, now)) : null,
      source: 'provider',
    };
  }

  private unknownToProvider(call: StuckCall): Ending {
    return {
      legSid: call.provider_call_sid ?? call.parent_call_sid,
      status: 'failed',
      durationSeconds: null,
      source: 'synthetic',
    };
  }

  /** What is known without a provider to ask: answered = talked until now or the cap. */
  private synthetic(call: StuckCall, now: Date): Ending {
    const legSid = call.provider_call_sid ?? call.parent_call_sid;
    if (!call.answered_at) {
      return { legSid, status: 'failed', durationSeconds: null, source: 'synthetic' };
    }
    return {
      legSid,
      status: 'completed',
      durationSeconds: talkedUpTo(call, now),
      source: 'synthetic',
    };
  }
}

/** Seconds from the call's start (answer, else dial) to now; null if it never started. */
function secondsSinceStart(
  call: Pick<StuckCall, 'answered_at' | 'dialed_at'>,
  now: Date,
): number | null {
  const start = call.answered_at ?? call.dialed_at;
  if (!start) return null;
  return Math.floor((now.getTime() - new Date(start).getTime()) / 1000);
}

/** Seconds from answer to now, at most the call's cap (where the cut would have ended it); null if never answered. */
function talkedUpTo(
  call: Pick<StuckCall, 'answered_at' | 'cap_seconds'>,
  now: Date,
): number | null {
  if (!call.answered_at) return null;
  const talked = Math.max(
    0,
    Math.round((now.getTime() - new Date(call.answered_at).getTime()) / 1000),
  );
  return Math.min(talked, call.cap_seconds ?? talked);
}
