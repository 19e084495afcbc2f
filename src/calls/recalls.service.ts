import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { localDateTime, mayCallNow } from '../campaigns/calling-hours';
import type { Variant } from '../campaigns/campaign.entity';
import {
  callsInLastDay,
  REGISTRY_MAX_AGE_DAYS,
  registryScrubOk,
  releaseLeases,
} from '../campaigns/contact-queue';
import { onDoNotCall } from '../campaigns/dnc-rule';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { transactionRetryingDeadlocks } from '../database/transaction';
import { LIVE_STATES } from './call-states';
import { pickOne } from './calls.service';
import { CONNECT_TIMEOUT_SECONDS } from './telephony/cap-enforcer';

/** One of the caller's scheduled callbacks (`GET /callers/me/recalls`). */
export interface Recall {
  contactId: string;
  /** The call whose `recall` outcome booked it. */
  callId: string;
  campaign: { id: string; name: string };
  company: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  phone: string;
  /** When the contact asked to be called back (ISO 8601, UTC). */
  recallAt: string;
  /** Every zone the contact may be in. */
  timezones: string[];
  /** The recall time on the contact's clock in each candidate zone, `YYYY-MM-DDTHH:MM`. */
  localTimes: { zone: string; localTime: string }[];
  /** The recall time has come: `POST /calls/next {contactId}` takes it. */
  due: boolean;
  /** The notes of the call that booked it. */
  notes: string | null;
}

/** How many recalls the list shows at most (the soonest). */
export const RECALLS_SHOWN = 500;

/**
 * SQL: the last call of contact `c` with an outcome (by `calls_contact_id_idx`). A contact is the
 * caller's recall while it waits in the recall rank and that call is their `recall` outcome.
 */
const LAST_OUTCOME = `SELECT k.id, k.caller_id, k.disposition, k.outcome->>'notes' AS notes FROM calls k
                        WHERE k.contact_id = c.id AND k.disposition IS NOT NULL
                        ORDER BY k.outcome_at DESC, k.id DESC LIMIT 1`;

interface LockedRecall {
  id: string;
  campaign_id: string;
  client_id: string;
  phone: string;
  status: string;
  queue_rank: number;
  next_call_at: Date | null;
  attempts: number;
  leased_to: string | null;
  lease_expires_at: Date | null;
  time_zones: string[];
  state: string | null;
  campaign_status: string;
  window_start: string;
  window_end: string;
  max_attempts: number;
  lease_seconds: number;
  pitches: Variant[];
  offers: Variant[];
  assigned: boolean;
  registry_ok: boolean;
  listed: boolean;
  calls_last_day: number;
  booked_by: string | null;
  last_disposition: string | null;
  held_call: string | null;
}

/**
 * The caller's own recalls: the contacts that asked them to call back, listed with the time on
 * the contact's clock, and taken first when due. A recall is also in the shared queue once due
 * (any caller of the campaign may get it from a claim); taking it here is asking for it by name.
 */
@Injectable()
export class RecallsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The caller's scheduled callbacks on the active campaigns they work, soonest first (due ones
   * first), without those another caller holds right now.
   */
  async list(p: Principal): Promise<Recall[]> {
    const callerId = callerOf(p);
    const now = this.clock.now();
    const rows: {
      contact_id: string;
      call_id: string;
      campaign_id: string;
      campaign_name: string;
      company: string | null;
      first_name: string | null;
      last_name: string | null;
      title: string | null;
      phone: string;
      next_call_at: Date;
      time_zones: string[];
      notes: string | null;
    }[] = await this.db.query(
      // By the queue index: each campaign's recall rank (queue_at = the recall time).
      `SELECT c.id AS contact_id, b.id AS call_id, g.id AS campaign_id, g.name AS campaign_name,
              c.company, c.first_name, c.last_name, c.title, c.phone, c.next_call_at, c.time_zones, b.notes
         FROM campaign_callers cc
         JOIN campaigns g ON g.id = cc.campaign_id AND g.status = 'active'
         JOIN contacts c ON c.campaign_id = g.id AND c.status = 'open' AND c.queue_rank = 0
         CROSS JOIN LATERAL (${LAST_OUTCOME}) b
        WHERE cc.user_id = $1 AND b.caller_id = $1 AND b.disposition = 'recall'
          AND c.next_call_at IS NOT NULL
          AND (c.leased_to IS NULL OR c.leased_to = $1 OR c.lease_expires_at <= $2)
        ORDER BY c.next_call_at, c.id
        LIMIT $3`,
      [callerId, now, RECALLS_SHOWN],
    );
    return rows.map((r) => {
      const at = new Date(r.next_call_at);
      const zones = r.time_zones ?? [];
      return {
        contactId: String(r.contact_id),
        callId: r.call_id,
        campaign: { id: r.campaign_id, name: r.campaign_name },
        company: r.company,
        firstName: r.first_name,
        lastName: r.last_name,
        title: r.title,
        phone: r.phone,
        recallAt: at.toISOString(),
        timezones: zones,
        localTimes: zones.map((zone) => ({ zone, localTime: localDateTime(zone, at) })),
        due: at.getTime() <= now.getTime(),
        notes: r.notes,
      };
    });
  }

  /**
   * Leases one's own due recall to the caller and answers its call id; a lease the caller holds
   * on another contact, not dialed, is released. Asking again while holding it answers the same
   * call. Refused (409) while the caller is on a call (`call_live`), and with `no_contact_now`
   * when the contact is not their recall, not due, held by someone else, or may not be called now
   * by the claim's rules (campaign active and theirs, attempts, registry, do-not-call, calling
   * hours in every candidate zone and the state's window, the state's daily limit).
   */
  async take(p: Principal, contactId: string, campaignId: string | null): Promise<string> {
    const callerId = callerOf(p);
    const now = this.clock.now();
    const live: unknown[] = await this.db.query(
      `SELECT 1 FROM calls WHERE caller_id = $1 AND state = ANY($2::call_state[])
          AND NOT (state = 'dialing' AND parent_call_sid IS NULL AND dialed_at <= $3::timestamptz - make_interval(secs => $4))
        LIMIT 1`,
      [callerId, LIVE_STATES, now, CONNECT_TIMEOUT_SECONDS],
    );
    if (live.length) {
      throw new AppError('conflict', 'You are on a call; hang up and record its outcome first', {
        reason: 'call_live',
      });
    }
    const refused = (message: string) =>
      new AppError('conflict', message, { reason: 'no_contact_now' });
    try {
      return await transactionRetryingDeadlocks(this.db, async (m) => {
        const [c]: LockedRecall[] = await m.query(
          `SELECT c.id, c.campaign_id, c.client_id, c.phone, c.status, c.queue_rank, c.next_call_at, c.attempts,
                  c.leased_to, c.lease_expires_at, c.time_zones, c.state,
                  g.status AS campaign_status, g.window_start, g.window_end, g.max_attempts, g.lease_seconds,
                  g.pitches, g.offers,
                  EXISTS (SELECT 1 FROM campaign_callers cc WHERE cc.campaign_id = g.id AND cc.user_id = $2) AS assigned,
                  (${registryScrubOk('g', '$3', '$4')}) AS registry_ok,
                  ${onDoNotCall('c.phone', 'c.client_id', `g.kind = 'consumer'`)} AS listed,
                  (${callsInLastDay('c.phone', '$3')})::int AS calls_last_day,
                  b.caller_id AS booked_by, b.disposition AS last_disposition,
                  (SELECT k.id FROM calls k WHERE k.contact_id = c.id AND k.caller_id = $2 AND k.state = 'leased'
                      AND k.lease_expires_at > $3 LIMIT 1) AS held_call
             FROM contacts c JOIN campaigns g ON g.id = c.campaign_id
             LEFT JOIN LATERAL (${LAST_OUTCOME}) b ON true
            WHERE c.id = $1::bigint
            FOR UPDATE OF c`,
          [contactId, callerId, now, REGISTRY_MAX_AGE_DAYS],
        );
        if (
          !c ||
          c.status !== 'open' ||
          c.queue_rank !== 0 ||
          c.booked_by !== callerId ||
          c.last_disposition !== 'recall'
        ) {
          throw refused('This contact is not a recall of yours');
        }
        if (campaignId && c.campaign_id !== campaignId) {
          throw refused('This recall belongs to another campaign');
        }
        if (!c.assigned) throw refused('You are no longer on the campaign of this recall');
        if (c.campaign_status !== 'active') {
          throw refused(`The campaign is ${c.campaign_status} now; nothing of it is called`);
        }
        if (c.held_call) return c.held_call;
        if (c.leased_to && c.lease_expires_at && new Date(c.lease_expires_at) > now) {
          throw refused(
            c.leased_to === callerId
              ? 'Your call to this contact is still waiting for its outcome'
              : 'Another caller has this contact now',
          );
        }
        if (!c.next_call_at || new Date(c.next_call_at) > now) {
          throw refused(
            `The recall is due at ${c.next_call_at ? new Date(c.next_call_at).toISOString() : 'an unknown time'}, not yet`,
          );
        }
        if (c.attempts >= c.max_attempts) throw refused('This contact has had all its attempts');
        if (!c.registry_ok) {
          throw refused("The campaign's registry scrub is out of date; nothing of it is called");
        }
        if (c.listed) throw refused('This number is on a do-not-call list; it will not be called');
        const window = { start: c.window_start, end: c.window_end };
        if (!mayCallNow({ zones: c.time_zones ?? [], state: c.state }, window, now)) {
          throw refused(
            "It is outside calling hours in the contact's time zone (or one of them) now",
          );
        }
        const state = c.state?.trim().toUpperCase() ?? '';
        const limit = this.config.stateDailyCallLimits[state];
        if (limit !== undefined && c.calls_last_day >= limit) {
          throw refused(
            `This number has had ${c.calls_last_day} calls in 24 hours, the most ${state} allows`,
          );
        }
        // An expired lease on the contact ends (unless its request holds it: as the claim does).
        await m.query(
          `UPDATE calls SET state = 'expired'
            WHERE id IN (SELECT o.id FROM calls o WHERE o.contact_id = $1 AND o.state = 'leased'
                          FOR UPDATE OF o SKIP LOCKED)`,
          [c.id],
        );
        await releaseLeases(m, callerId);
        const leaseExpiresAt = new Date(now.getTime() + c.lease_seconds * 1000);
        await m.query(`UPDATE contacts SET leased_to = $2, lease_expires_at = $3 WHERE id = $1`, [
          c.id,
          callerId,
          leaseExpiresAt,
        ]);
        const [call]: { id: string }[] = await m.query(
          `INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, pitch_key, offer_key, lease_expires_at)
           VALUES ($1, $2, $3, $4, $5, 'leased', $6, $7, $8)
           RETURNING id`,
          [
            c.client_id,
            c.campaign_id,
            c.id,
            callerId,
            c.phone,
            pickOne(c.pitches ?? [])?.key ?? null,
            pickOne(c.offers ?? [])?.key ?? null,
            leaseExpiresAt,
          ],
        );
        return call.id;
      });
    } catch (e) {
      // A claim of the same caller took another contact at the same instant (one lease each).
      const err = e as { code?: string; driverError?: { code?: string } };
      if ((err.driverError?.code ?? err.code) === '23505') {
        throw refused('You took another contact at the same moment; ask again');
      }
      throw e;
    }
  }
}

function callerOf(p: Principal): string {
  if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers have recalls');
  return p.userId;
}
