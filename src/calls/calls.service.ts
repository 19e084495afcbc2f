import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { localTime } from '../campaigns/calling-hours';
import { CampaignCaller } from '../campaigns/campaign-caller.entity';
import { Campaign, type Variant } from '../campaigns/campaign.entity';
import { ContactQueue } from '../campaigns/contact-queue';

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
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [callerId]);
      const assigned = await m.find(CampaignCaller, { where: { userId: callerId } });
      if (campaignId && !assigned.some((a) => a.campaignId === campaignId))
        throw AppError.notFound('Campaign');

      const held: { id: string; contact_id: string }[] = await m.query(
        `SELECT k.id, k.contact_id FROM calls k JOIN contacts c ON c.id = k.contact_id
          WHERE k.caller_id = $1 AND k.state = 'leased' AND k.lease_expires_at > $2
            AND c.leased_to = $1 AND ($3::uuid IS NULL OR k.campaign_id = $3)`,
        [callerId, now, campaignId ?? null],
      );
      if (held[0]) return this.describe(m, held[0].id);
      // Whatever this caller still held is over: expired, or in another campaign they now leave.
      await m.query(
        `UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL
                      WHERE id IN (SELECT contact_id FROM calls WHERE caller_id = $1 AND state = 'leased') AND leased_to = $1`,
        [callerId],
      );
      await m.query(
        `UPDATE calls SET state = 'expired' WHERE caller_id = $1 AND state = 'leased'`,
        [callerId],
      );

      const ids = campaignId ? [campaignId] : assigned.map((a) => a.campaignId);
      const campaigns = ids.length
        ? await m.find(Campaign, {
            where: { id: In(ids), status: 'active' },
            order: { name: 'ASC', id: 'ASC' },
          })
        : [];
      for (const campaign of campaigns) {
        if (!(await this.queue.registryFresh(m, campaign, now))) continue;
        const claimed = await this.queue.claimNext(m, campaign, callerId, now, {
          pitchKey: pickOne(campaign.pitches)?.key ?? null,
          offerKey: pickOne(campaign.offers)?.key ?? null,
        });
        if (claimed) return this.describe(m, claimed.callId);
      }
      return undefined;
    });
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

  private async describe(m: import('typeorm').EntityManager, callId: string): Promise<NextContact> {
    const [r]: Record<string, never>[] = await m.query(
      `SELECT k.id AS call_id, k.lease_expires_at, k.pitch_key, k.offer_key, c.*, g.name AS campaign_name,
              g.script, g.talk_cap_seconds, g.pitches, g.offers
         FROM calls k JOIN contacts c ON c.id = k.contact_id JOIN campaigns g ON g.id = k.campaign_id
        WHERE k.id = $1`,
      [callId],
    );
    const zones: string[] = r.time_zones ?? [];
    const now = this.clock.now();
    const pitches: Variant[] = r.pitches ?? [];
    const offers: Variant[] = r.offers ?? [];
    return {
      callId: r.call_id,
      leaseExpiresAt: r.lease_expires_at,
      contact: {
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
      },
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

/** Pitches and offers are handed out at random, evenly, so that their results can be compared. */
function pickOne<T>(items: T[]): T | undefined {
  return items.length ? items[Math.floor(Math.random() * items.length)] : undefined;
}
