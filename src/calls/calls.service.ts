import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import type { AutoDialAnswer } from '../campaigns/auto-dial';
import { AutoDialCheck } from '../campaigns/auto-dial-check';
import { effectiveWindow, localTime, zonesOutsideWindow } from '../campaigns/calling-hours';
import type { Variant } from '../campaigns/campaign.entity';
import {
  callableAltPhones,
  type ClaimCampaign,
  type ClaimedContact,
  ContactQueue,
  EARLIER_CALLS,
  releaseLeases,
} from '../campaigns/contact-queue';
import { DncService } from '../campaigns/dnc.service';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { OutcomeDto } from './dto/outcome.dto';
import { ReferralsService } from '../referrals/referrals.service';
import { RollupsService } from '../reports/rollups.service';
import { transactionRetryingDeadlocks } from '../database/transaction';
import type { CallState } from './call.entity';
import { FINAL_STATES, LIVE_STATES } from './call-states';
import { type Disposition, moveContact } from './outcome-rules';

/** Calls that ended before any conversation could need an outcome: their state is kept. */
const ENDED_WITHOUT_CALL = ['released', 'expired', 'dropped', 'no_outcome'];

export interface NextContact {
  callId: string;
  leaseExpiresAt: Date;
  contact: {
    id: string;
    company: string | null;
    firstName: string | null;
    lastName: string | null;
    title: string | null;
    phone: string;
    altPhones: string[];
    email: string | null;
    website: string | null;
    /** The address as the list gave it (`zip` is the postal code, `country` ISO 3166 alpha-2). */
    street: string | null;
    city: string | null;
    state: string | null;
    zip: string | null;
    country: string | null;
    /** The list's own columns that are no contact field (e.g. `{"CRM Note": "call after 2 pm"}`). */
    custom: Record<string, string>;
    /** The first candidate zone; see `localTimes` when there are several. */
    timezone: string | null;
    timezones: string[];
    localTime: string | null;
    /** The local time now in every candidate zone (the contact may be in any of them). */
    localTimes: { zone: string; localTime: string }[];
    attempts: number;
  };
  campaign: {
    id: string;
    name: string;
    script: string;
    talkCapSeconds: number;
    /** Seconds the console previews the contact before dialing it by itself (0 = at once). */
    previewSeconds: number;
    /** For the script's `{product}` and `{client}` placeholders. */
    product: string | null;
    clientName: string | null;
  };
  pitch: Variant | null;
  offer: Variant | null;
  /** The contact's earlier calls with an outcome, newest first (at most `EARLIER_CALLS`). */
  earlierCalls: EarlierCall[];
  /**
   * Whether the console may dial this contact without the caller pressing Call (mayAutoDial:
   * Oklahoma, Maryland, and Florida for consumer campaigns need written consent); when not
   * allowed, `reason` says why and the countdown waits for Call.
   */
  autoDial: AutoDialAnswer;
}

/** An earlier call of the claimed contact, as the console shows it under the contact. */
export interface EarlierCall {
  at: Date;
  /** The caller's display name (agency staff); null when they have none. */
  caller: string | null;
  /** Whether the caller asking made that call. */
  byYou: boolean;
  disposition: Disposition;
  notes: string | null;
}

interface CallRow {
  id: string;
  state: string;
  disposition: Disposition | null;
  outcome: Record<string, unknown> | null;
  dialed_at: Date | null;
  ended_at: Date | null;
  lease_expires_at: Date;
  contact_id: string;
  client_id: string;
  campaign_id: string;
  phone: string;
  attempts: number;
  leased_to: string | null;
  max_attempts: number;
  min_retry_minutes: number;
  time_zones: string[];
  contact_state: string | null;
  window_start: string;
  window_end: string;
  /** The caller still works the call's campaign. */
  assigned: boolean;
}

export interface OutcomeResult {
  callId: string;
  disposition: Disposition;
  /** False when the call was never dialed through the platform (skipped, or another phone). */
  dialed: boolean;
  contact: { id: string; status: 'queued' | 'recall' | 'closed'; nextCallAt: Date | null };
  /** The referral a `referral` outcome created, and whether it was published or waits for review. */
  referralId: string | null;
  referralStatus: 'needs_review' | 'returned' | 'published' | null;
}

/** The call part of `GET /calls/current`'s answer. */
export interface CurrentCallState {
  state: CallState;
  dialedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** `endedAt` + the wrap-up window: the outcome is taken until then (null until hang-up). */
  wrapUpEndsAt: Date | null;
  /** The call's talk cap (null until dialed; the campaign's is `campaign.talkCapSeconds`). */
  capSeconds: number | null;
  extended: boolean;
  hitCap: boolean;
  /**
   * Seconds left of the talk cap while the contact is on the line, and of the wrap-up window after
   * hang-up (null otherwise), on the service's clock: a browser's own clock may be off.
   */
  capSecondsLeft: number | null;
  wrapUpSecondsLeft: number | null;
}

/** `GET /calls/current`: the claim's answer for the caller's open call, with where the call is. */
export interface CurrentCall extends NextContact {
  call: CurrentCallState;
}

/** Objects with their keys sorted, so that two equal outcomes compare equal as JSON. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}

/** The caller's loop. This part: the next contact, leased, and giving it back. */
@Injectable()
export class CallsService {
  constructor(
    private readonly db: DataSource,
    private readonly queue: ContactQueue,
    private readonly clock: Clock,
    private readonly dnc: DncService,
    private readonly referrals: ReferralsService,
    private readonly rollups: RollupsService,
    private readonly autoDial: AutoDialCheck,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The caller's next contact, or undefined when none may be called now. A caller holds one
   * lease at a time: asking again returns the same one until it expires. Claims of one caller
   * are serialised by an advisory lock; claims of different callers never wait on each other.
   */
  async next(p: Principal, campaignId?: string): Promise<NextContact | undefined> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers take contacts');
    const callerId = p.userId;
    const now = this.clock.now();
    // No transaction: the plan and the claim are each one atomic statement. A caller racing
    // themself is stopped by the unique index on their open call (then the held lease is returned).
    const plan = await this.queue.prepare(callerId, campaignId ?? null, now);
    if (!plan.assigned) throw AppError.notFound('Campaign');
    if (plan.heldCallId)
      return this.withEarlierCalls(await this.describe(plan.heldCallId), callerId);
    for (const campaign of plan.campaigns) {
      if (!campaign.registryOk) continue;
      const pitch = pickOne(campaign.pitches) ?? null;
      const offer = pickOne(campaign.offers) ?? null;
      let claimed: ClaimedContact | undefined;
      try {
        claimed = await this.queue.claimNext(campaign, callerId, now, {
          pitchKey: pitch?.key ?? null,
          offerKey: offer?.key ?? null,
        });
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        const again = await this.queue.prepare(callerId, campaign.id, now);
        if (again.heldCallId) {
          return this.withEarlierCalls(await this.describe(again.heldCallId), callerId);
        }
        throw e;
      }
      if (claimed) {
        return this.present(claimed, campaign, pitch, offer, now);
      }
    }
    return undefined;
  }

  /**
   * The claim's answer for a lease the caller holds (e.g. one's own recall, taken by
   * `RecallsService.take`), with the contact's earlier calls.
   */
  async held(p: Principal, callId: string): Promise<NextContact> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers take contacts');
    return this.withEarlierCalls(await this.describe(callId), p.userId);
  }

  /**
   * Records the outcome of a call and moves its contact, in one transaction: retry after the
   * gap, scheduled recall, or closed (a do-not-call outcome also lists the number for the
   * client and drops other leases on it). Accepted while the caller holds the lease (not dialed
   * through the platform) or within the wrap-up window after hang-up; a repeat with the same
   * body answers the same result, a different one 409.
   */
  async recordOutcome(p: Principal, callId: string, dto: OutcomeDto): Promise<OutcomeResult> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers record outcomes');
    if (dto.disposition !== 'referral' && dto.referral) {
      throw new AppError('invalid', 'A referral goes with the referral disposition', [
        { field: 'referral', message: 'only with disposition referral' },
      ]);
    }
    if (dto.disposition !== 'recall' && dto.recallAt) {
      throw new AppError('invalid', 'A recall time goes with the recall disposition', [
        { field: 'recallAt', message: 'only with disposition recall' },
      ]);
    }
    const now = this.clock.now();
    const recallAt = dto.recallAt ? new Date(dto.recallAt) : undefined;
    const outcome = canonical({
      notes: dto.notes ?? null,
      recallAt: recallAt?.toISOString() ?? null,
      referral: dto.referral ?? null,
    });
    const result = await transactionRetryingDeadlocks(this.db, async (m) => {
      const [call]: CallRow[] = await m.query(
        `SELECT k.id, k.state, k.disposition, k.outcome, k.dialed_at, k.ended_at, k.lease_expires_at, k.contact_id,
                k.client_id, k.campaign_id, k.phone, c.attempts, c.leased_to, g.max_attempts, g.min_retry_minutes,
                c.time_zones, c.state AS contact_state, g.window_start, g.window_end,
                EXISTS (SELECT 1 FROM campaign_callers cc
                         WHERE cc.campaign_id = k.campaign_id AND cc.user_id = k.caller_id) AS assigned
           FROM calls k JOIN contacts c ON c.id = k.contact_id JOIN campaigns g ON g.id = k.campaign_id
          WHERE k.id = $1 AND k.caller_id = $2
          FOR UPDATE OF k, c`,
        [callId, p.userId],
      );
      if (!call) throw AppError.notFound('Call');
      if (call.disposition) {
        if (
          call.disposition === dto.disposition &&
          JSON.stringify(canonical(call.outcome)) === JSON.stringify(outcome)
        ) {
          return this.resultOf(m, callId);
        }
        throw new AppError('conflict', `This call already has the outcome ${call.disposition}`, {
          reason: 'outcome_recorded',
        });
      }
      // Checked for a new outcome only: a repeat of one already recorded answers the same, even
      // once its recall time has come.
      if (recallAt && recallAt.getTime() <= now.getTime()) {
        throw new AppError('invalid', 'The recall time has passed', [
          { field: 'recallAt', message: 'must be in the future' },
        ]);
      }
      const outside = recallAt && recallOutsideHours(call, recallAt);
      if (outside) {
        throw new AppError('invalid', 'The recall time is outside calling hours for the contact', {
          reason: 'outside_calling_hours',
          details: [{ field: 'recallAt', message: outside }],
        });
      }
      if (!call.ended_at && (LIVE_STATES as readonly string[]).includes(call.state)) {
        throw new AppError('conflict', 'The call is still on the line; hang up first', {
          reason: 'call_live',
        });
      }
      // A contact held and not dialed takes an outcome only from a caller still on its campaign
      // (taking a caller off ends such leases at once); a call dialed keeps its wrap-up.
      const open = call.ended_at
        ? now.getTime() <= new Date(call.ended_at).getTime() + this.config.wrapUpSeconds * 1000
        : call.state === 'leased' &&
          call.assigned &&
          new Date(call.lease_expires_at).getTime() > now.getTime();
      if (!open) {
        await this.closeWithoutOutcome(m, call, p.userId);
        return call.ended_at || call.assigned ? ('too_late' as const) : ('taken_off' as const);
      }
      const move = moveContact(
        dto.disposition,
        { attempts: call.attempts },
        { maxAttempts: call.max_attempts, minRetryMinutes: call.min_retry_minutes },
        now,
        recallAt,
      );
      const nextCallAt =
        move.kind === 'retry' ? move.nextCallAt : move.kind === 'recall' ? move.recallAt : null;
      await m.query(
        `UPDATE contacts SET attempts = $2, last_attempt_at = $3, status = $4::contact_status,
                queue_rank = $5, queue_at = COALESCE($6, queue_at), next_call_at = $6,
                -- The outcome ends this caller's hold, never another's (a dial holds the contact
                -- through the call and its wrap-up, so this is only a safeguard).
                leased_to = CASE WHEN leased_to = $7 THEN NULL ELSE leased_to END,
                lease_expires_at = CASE WHEN leased_to = $7 THEN NULL ELSE lease_expires_at END
          WHERE id = $1`,
        [
          call.contact_id,
          move.attempts,
          now,
          move.kind === 'closed' ? 'closed' : 'open',
          move.kind === 'recall' ? 0 : 2,
          nextCallAt,
          p.userId,
        ],
      );
      await m.query(
        `UPDATE calls SET disposition = $2, outcome = $3, outcome_at = $4,
                state = CASE WHEN state = 'leased' THEN 'completed'::call_state ELSE state END
          WHERE id = $1`,
        [callId, dto.disposition, JSON.stringify(outcome), now],
      );
      // A referral may be published in this transaction: the feed lock before the roll-ups,
      // in the order a publication takes them.
      if (dto.disposition === 'referral') await this.referrals.lockFeed(m, call.client_id);
      await this.rollups.outcome(m, callId);
      if (dto.disposition === 'referral' && dto.referral) {
        await this.referrals.createFromOutcome(m, call, p.userId, dto.referral);
      }
      if (dto.disposition === 'do_not_call') {
        await this.dnc.addNumbers(
          [call.phone],
          { clientId: call.client_id, source: 'outcome', addedBy: p.userId },
          m,
        );
      }
      return this.resultOf(m, callId);
    });
    // The `no_outcome` mark is committed before the refusal.
    if (result === 'taken_off') {
      throw new AppError(
        'conflict',
        'You were taken off this campaign: the contact went back to the queue and takes no outcome from you',
        { reason: 'wrap_up_over' },
      );
    }
    if (result === 'too_late') {
      throw new AppError(
        'conflict',
        'Too late for an outcome: the wrap-up window or the lease has ended; the contact is back in the queue',
        { reason: 'wrap_up_over' },
      );
    }
    return result;
  }

  /**
   * Past the window: a call that was leased or that ended on the line is marked `no_outcome`, and
   * its contact goes back to the queue, unless the contact is held by a newer call (the same
   * caller may have it again: that hold stays). Calls released, expired or dropped stay so.
   */
  private async closeWithoutOutcome(
    m: EntityManager,
    call: CallRow,
    callerId: string,
  ): Promise<void> {
    await m.query(
      `UPDATE calls SET state = 'no_outcome'
        WHERE id = $1 AND disposition IS NULL AND state <> ALL($2::call_state[])`,
      [call.id, ENDED_WITHOUT_CALL],
    );
    await m.query(
      `UPDATE contacts c SET leased_to = NULL, lease_expires_at = NULL
        WHERE c.id = $1 AND c.leased_to = $2
          AND NOT EXISTS (SELECT 1 FROM calls o WHERE o.contact_id = c.id AND o.id <> $3
                             AND o.state = ANY($4::call_state[]))`,
      [call.contact_id, callerId, call.id, ['leased', ...LIVE_STATES]],
    );
  }

  private async resultOf(m: EntityManager, callId: string): Promise<OutcomeResult> {
    const [r]: {
      disposition: Disposition;
      dialed_at: Date | null;
      contact_id: string;
      status: string;
      next_call_at: Date | null;
      queue_rank: number;
      referral_id: string | null;
      referral_status: string | null;
    }[] = await m.query(
      `SELECT k.disposition, k.dialed_at, k.contact_id, c.status, c.next_call_at, c.queue_rank,
              r.id AS referral_id, r.status AS referral_status
         FROM calls k JOIN contacts c ON c.id = k.contact_id LEFT JOIN referrals r ON r.call_id = k.id
        WHERE k.id = $1`,
      [callId],
    );
    return {
      callId,
      disposition: r.disposition,
      dialed: r.dialed_at !== null,
      contact: {
        id: String(r.contact_id),
        status: r.status === 'closed' ? 'closed' : r.queue_rank === 0 ? 'recall' : 'queued',
        nextCallAt: r.status === 'closed' ? null : r.next_call_at,
      },
      referralId: r.referral_id,
      referralStatus: r.referral_status as OutcomeResult['referralStatus'],
    };
  }

  /**
   * Gives a leased contact back untouched (the caller skips it): no attempt is counted, and it is
   * eligible again at once, behind the contacts already waiting.
   */
  async release(p: Principal, callId: string): Promise<void> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers hold contacts');
    // Skipped: behind the contacts queued until now, so the next claim moves on.
    const ended = await releaseLeases(this.db.manager, p.userId, callId, this.clock.now());
    if (!ended) throw AppError.notFound('Leased call');
  }

  /**
   * The caller's open call, so a reloaded console comes back to it: one on the line, else one
   * ended whose wrap-up window is still open (no outcome yet), else a lease still held (on an
   * active campaign the caller still works, as the claim would return it). A call that needs an
   * outcome comes before a lease taken since; among equals, the newest. Undefined when none.
   */
  async current(p: Principal): Promise<CurrentCall | undefined> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers hold contacts');
    const now = this.clock.now();
    const [row]: {
      id: string;
      state: CallState;
      dialed_at: Date | null;
      answered_at: Date | null;
      ended_at: Date | null;
      cap_seconds: number | null;
      extended: boolean;
      hit_cap: boolean;
      held_until: Date;
    }[] = await this.db.query(
      // Three branches, each by its own partial index (live calls, calls awaiting an outcome, the
      // caller's lease), ranked: on the line, then in wrap-up, then held.
      `WITH open AS (
         SELECT id, 0 AS rank FROM calls
          WHERE caller_id = $1 AND state = ANY($3::call_state[]) AND ended_at IS NULL AND disposition IS NULL
         UNION ALL
         SELECT id, 1 FROM calls
          WHERE caller_id = $1 AND state = ANY($5::call_state[]) AND disposition IS NULL
            AND ended_at >= $2::timestamptz - make_interval(secs => $4)
         UNION ALL
         SELECT k.id, 2 FROM calls k
          WHERE k.caller_id = $1 AND k.state = 'leased' AND k.lease_expires_at > $2 AND k.disposition IS NULL
            AND EXISTS (SELECT 1 FROM campaigns g JOIN campaign_callers cc ON cc.campaign_id = g.id
                         WHERE g.id = k.campaign_id AND g.status = 'active' AND cc.user_id = $1)
       )
       SELECT k.id, k.state, k.dialed_at, k.answered_at, k.ended_at, k.cap_seconds, k.extended, k.hit_cap,
              -- A dial stretches the contact's lease over the call and its wrap-up.
              GREATEST(k.lease_expires_at,
                       CASE WHEN c.leased_to = k.caller_id THEN c.lease_expires_at END) AS held_until
         FROM open o JOIN calls k ON k.id = o.id JOIN contacts c ON c.id = k.contact_id
        ORDER BY o.rank, k.created_at DESC, k.id
        LIMIT 1`,
      [p.userId, now, LIVE_STATES, this.config.wrapUpSeconds, FINAL_STATES],
    );
    if (!row) return undefined;
    const answer = await this.withEarlierCalls(await this.describe(row.id), p.userId);
    const endedAt = row.ended_at ? new Date(row.ended_at) : null;
    const wrapUpEndsAt = endedAt
      ? new Date(endedAt.getTime() + this.config.wrapUpSeconds * 1000)
      : null;
    const answeredAt = row.answered_at ? new Date(row.answered_at) : null;
    const secondsUntil = (t: number) => Math.max(0, Math.round((t - now.getTime()) / 1000));
    return {
      ...answer,
      leaseExpiresAt: row.held_until,
      call: {
        state: row.state,
        dialedAt: row.dialed_at,
        answeredAt: row.answered_at,
        endedAt,
        wrapUpEndsAt,
        capSeconds: row.cap_seconds,
        extended: row.extended,
        hitCap: row.hit_cap,
        capSecondsLeft:
          answeredAt && !endedAt && row.cap_seconds !== null
            ? secondsUntil(answeredAt.getTime() + row.cap_seconds * 1000)
            : null,
        wrapUpSecondsLeft: wrapUpEndsAt ? secondsUntil(wrapUpEndsAt.getTime()) : null,
      },
    };
  }

  /**
   * The contact's earlier calls with an outcome, in a small query of its own after the claim (by
   * `calls_contact_id_idx`), so the claim statement stays as it is. A contact belongs to one
   * campaign, so these are all calls of the same client.
   */
  private async withEarlierCalls(answer: NextContact, callerId: string): Promise<NextContact> {
    const rows: {
      at: Date;
      caller: string | null;
      by_you: boolean;
      disposition: Disposition;
      notes: string | null;
    }[] = await this.db.query(
      `SELECT k.outcome_at AS at, u.name AS caller, k.caller_id = $2 AS by_you, k.disposition,
              k.outcome->>'notes' AS notes
         FROM calls k JOIN users u ON u.id = k.caller_id
        WHERE k.contact_id = $1 AND k.disposition IS NOT NULL
        ORDER BY k.outcome_at DESC, k.id
        LIMIT $3`,
      [answer.contact.id, callerId, EARLIER_CALLS],
    );
    answer.earlierCalls = rows.map((r) => ({
      at: r.at,
      caller: r.caller,
      byYou: r.by_you,
      disposition: r.disposition,
      notes: r.notes,
    }));
    return answer;
  }

  /** The answer for a fresh claim, from what the claim returned (earlier calls included). */
  private present(
    claimed: ClaimedContact,
    campaign: ClaimCampaign,
    pitch: Variant | null,
    offer: Variant | null,
    now: Date,
  ): NextContact {
    const r = claimed.row as Record<string, never>;
    return {
      callId: claimed.callId,
      leaseExpiresAt: claimed.leaseExpiresAt,
      contact: contactOf(r, now),
      campaign: {
        id: campaign.id,
        name: campaign.name,
        script: campaign.script,
        talkCapSeconds: campaign.talkCapSeconds,
        previewSeconds: campaign.previewSeconds,
        product: campaign.product ?? null,
        clientName: campaign.clientName ?? null,
      },
      pitch,
      offer,
      earlierCalls: (claimed.row.earlier_calls as (Omit<EarlierCall, 'at'> & { at: string })[]).map(
        (e) => ({ ...e, at: new Date(e.at) }),
      ),
      autoDial: this.autoDial.of(r, campaign),
    };
  }

  /** The answer for a lease already held, read back from the database. */
  private async describe(callId: string): Promise<NextContact> {
    const [r]: Record<string, never>[] = await this.db.query(
      `SELECT k.id AS call_id, k.lease_expires_at, k.pitch_key, k.offer_key, c.*, g.name AS campaign_name,
              g.script, g.talk_cap_seconds, g.preview_seconds, g.kind AS campaign_kind, g.pitches, g.offers,
              g.product, cl.name AS client_name,
              ${callableAltPhones('k.client_id', `g.kind = 'consumer'`)} AS callable_alt_phones
         FROM calls k JOIN contacts c ON c.id = k.contact_id JOIN campaigns g ON g.id = k.campaign_id
              JOIN clients cl ON cl.id = k.client_id
        WHERE k.id = $1`,
      [callId],
    );
    const pitches: Variant[] = r.pitches ?? [];
    const offers: Variant[] = r.offers ?? [];
    return {
      callId: r.call_id,
      leaseExpiresAt: r.lease_expires_at,
      contact: contactOf({ ...r, alt_phones: r.callable_alt_phones }, this.clock.now()),
      campaign: {
        id: r.campaign_id,
        name: r.campaign_name,
        script: r.script,
        talkCapSeconds: r.talk_cap_seconds,
        previewSeconds: r.preview_seconds,
        product: r.product,
        clientName: r.client_name,
      },
      pitch: pitches.find((v) => v.key === r.pitch_key) ?? null,
      offer: offers.find((v) => v.key === r.offer_key) ?? null,
      earlierCalls: [],
      autoDial: this.autoDial.of(r, { kind: r.campaign_kind }),
    };
  }
}

function contactOf(r: Record<string, never>, now: Date): NextContact['contact'] {
  const zones: string[] = r.time_zones ?? [];
  return {
    id: String(r.id),
    company: r.company,
    firstName: r.first_name,
    lastName: r.last_name,
    title: r.title,
    phone: r.phone,
    altPhones: r.alt_phones ?? [],
    email: r.email,
    website: r.website,
    street: r.street ?? null,
    city: r.city,
    state: r.state,
    zip: r.zip ?? null,
    country: r.country ?? null,
    custom: r.custom ?? {},
    timezone: zones[0] ?? null,
    timezones: zones,
    localTime: zones[0] ? localTime(zones[0], now) : null,
    localTimes: zones.map((zone) => ({ zone, localTime: localTime(zone, now) })),
    attempts: r.attempts,
  };
}

/**
 * Why a recall time is refused, or null: it must be inside the campaign's calling window (and the
 * state's own) in every zone the contact may be in, as a claim would need at that time.
 */
function recallOutsideHours(
  call: Pick<CallRow, 'time_zones' | 'contact_state' | 'window_start' | 'window_end'>,
  recallAt: Date,
): string | null {
  const campaignWindow = { start: call.window_start, end: call.window_end };
  const contact = { zones: call.time_zones ?? [], state: call.contact_state };
  const outside = zonesOutsideWindow(contact, campaignWindow, recallAt);
  if (!outside.length) return null;
  const window = effectiveWindow(campaignWindow, call.contact_state);
  const there = outside.map((zone) => {
    try {
      return `${localTime(zone, recallAt)} in ${zone}`;
    } catch {
      return `an unknown time in ${zone}`;
    }
  });
  return window
    ? `must be within ${window.start}-${window.end} in every zone the contact may be in; it is ${there.join(' and ')}`
    : 'no calling hours are left for this contact';
}

/** Pitches and offers are handed out at random, evenly, so that their results can be compared. */
export function pickOne<T>(items: T[]): T | undefined {
  return items.length ? items[Math.floor(Math.random() * items.length)] : undefined;
}
