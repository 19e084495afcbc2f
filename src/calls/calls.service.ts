import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { localTime } from '../campaigns/calling-hours';
import type { Variant } from '../campaigns/campaign.entity';
import { type ClaimCampaign, type ClaimedContact, ContactQueue } from '../campaigns/contact-queue';

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
    city: string | null;
    state: string | null;
    timezone: string | null;
    timezones: string[];
    localTime: string | null;
    attempts: number;
  };
  campaign: { id: string; name: string; script: string; talkCapSeconds: number };
  pitch: Variant | null;
  offer: Variant | null;
}

/** The caller's loop. This part: the next contact, leased, and giving it back. */
@Injectable()
export class CallsService {
  constructor(
    private readonly db: DataSource,
    private readonly queue: ContactQueue,
    private readonly clock: Clock,
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
    if (plan.heldCallId) return this.describe(plan.heldCallId);
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
        if (again.heldCallId) return this.describe(again.heldCallId);
        throw e;
      }
      if (claimed) return this.present(claimed, campaign, pitch, offer, now);
    }
    return undefined;
  }

  /** Gives a leased contact back untouched (the caller skips it); it is eligible again at once. */
  async release(p: Principal, callId: string): Promise<void> {
    if (p.kind !== 'user') throw new AppError('forbidden', 'Only callers hold contacts');
    await this.db.transaction(async (m) => {
      // TypeORM answers an UPDATE with [rows, count].
      const [rows]: [{ contact_id: string }[], number] = await m.query(
        `UPDATE calls SET state = 'released' WHERE id = $1 AND caller_id = $2 AND state = 'leased' RETURNING contact_id`,
        [callId, p.userId],
      );
      const call = rows[0];
      if (!call) throw AppError.notFound('Leased call');
      await m.query(
        `UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL WHERE id = $1 AND leased_to = $2`,
        [call.contact_id, p.userId],
      );
    });
  }

  /** The answer for a fresh claim, from what the claim returned: no second query. */
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
      },
      pitch,
      offer,
    };
  }

  /** The answer for a lease already held, read back from the database. */
  private async describe(callId: string): Promise<NextContact> {
    const [r]: Record<string, never>[] = await this.db.query(
      `SELECT k.id AS call_id, k.lease_expires_at, k.pitch_key, k.offer_key, c.*, g.name AS campaign_name,
              g.script, g.talk_cap_seconds, g.pitches, g.offers
         FROM calls k JOIN contacts c ON c.id = k.contact_id JOIN campaigns g ON g.id = k.campaign_id
        WHERE k.id = $1`,
      [callId],
    );
    const pitches: Variant[] = r.pitches ?? [];
    const offers: Variant[] = r.offers ?? [];
    return {
      callId: r.call_id,
      leaseExpiresAt: r.lease_expires_at,
      contact: contactOf(r, this.clock.now()),
      campaign: {
        id: r.campaign_id,
        name: r.campaign_name,
        script: r.script,
        talkCapSeconds: r.talk_cap_seconds,
      },
      pitch: pitches.find((v) => v.key === r.pitch_key) ?? null,
      offer: offers.find((v) => v.key === r.offer_key) ?? null,
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
    city: r.city,
    state: r.state,
    timezone: zones[0] ?? null,
    timezones: zones,
    localTime: zones[0] ? localTime(zones[0], now) : null,
    attempts: r.attempts,
  };
}

/** Pitches and offers are handed out at random, evenly, so that their results can be compared. */
function pickOne<T>(items: T[]): T | undefined {
  return items.length ? items[Math.floor(Math.random() * items.length)] : undefined;
}
