import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { effectiveWindow, openZones, STATE_WINDOWS } from './calling-hours';
import type { Campaign } from './campaign.entity';

/** How long a consumer campaign may go on after the newest registry extract was obtained. */
export const REGISTRY_MAX_AGE_DAYS = 31;

/** States that cap calls to one number in 24 hours, and the cap. */
export const STATE_DAILY_LIMITS: Readonly<Record<string, number>> = { FL: 3, OK: 3, MD: 3 };

export interface ClaimedContact {
  callId: string;
  contactId: string;
  leaseExpiresAt: Date;
  row: Record<string, unknown>;
}

/** States whose own calling window differs from the campaign's: each gets its own open-zone list. */
const SPECIAL_STATES = Object.keys(STATE_WINDOWS).sort();

/**
 * The queue of contacts to call, as SQL in one place. `claimNext` is the hot path: one
 * statement that applies every rule (campaign, attempts, gap, recall time, calling hours in
 * every candidate zone, state windows and daily limits, do-not-call) and leases the first
 * eligible contact with `FOR UPDATE SKIP LOCKED`, so concurrent callers never get the same
 * contact and never wait on each other. Expired leases are simply eligible again.
 */
@Injectable()
export class ContactQueue {
  private readonly claimSql: string;

  constructor(private readonly db: DataSource) {
    this.claimSql = buildClaimSql();
  }

  /** Whether a consumer campaign's registry scrub is recent enough (B2B campaigns never need one). */
  async registryFresh(m: EntityManager, campaign: Campaign, now: Date): Promise<boolean> {
    if (campaign.kind !== 'consumer') return true;
    const rows: { ok: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM dnc_extracts WHERE registry
          AND (client_id IS NULL OR client_id = $1)
          AND obtained_at >= ($2::timestamptz - make_interval(days => $3))::date) AS ok`,
      [campaign.clientId, now, REGISTRY_MAX_AGE_DAYS],
    );
    return rows[0].ok;
  }

  /** Leases the next contact of one campaign to a caller and creates its call record, or undefined. */
  async claimNext(
    m: EntityManager,
    campaign: Campaign,
    callerId: string,
    now: Date,
    pick: { pitchKey: string | null; offerKey: string | null },
  ): Promise<ClaimedContact | undefined> {
    const window = { start: campaign.windowStart, end: campaign.windowEnd };
    const general = effectiveWindow(window, null);
    const open = general ? openZones(campaign.zones, general, now) : [];
    const special = SPECIAL_STATES.map((s) => {
      const w = effectiveWindow(window, s);
      return w ? openZones(campaign.zones, w, now) : [];
    });
    const limited = Object.keys(STATE_DAILY_LIMITS);
    const leaseExpiresAt = new Date(now.getTime() + campaign.leaseSeconds * 1000);
    const rows: Record<string, unknown>[] = await m.query(this.claimSql, [
      campaign.id,
      now,
      campaign.maxAttempts,
      open,
      campaign.clientId,
      campaign.kind === 'consumer',
      callerId,
      leaseExpiresAt,
      pick.pitchKey,
      pick.offerKey,
      limited,
      limited.map((s) => STATE_DAILY_LIMITS[s]),
      ...special,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return { callId: String(row.call_id), contactId: String(row.id), leaseExpiresAt, row };
  }
}

function buildClaimSql(): string {
  // $13, $14, ... are the open zones of each state with its own window (e.g. Florida 08:00–20:00).
  const zoneTest = SPECIAL_STATES.length
    ? `c.time_zones <@ (CASE ${SPECIAL_STATES.map((s, i) => `WHEN c.state = '${s}' THEN $${13 + i}::text[]`).join(' ')} ELSE $4::text[] END)`
    : 'c.time_zones <@ $4::text[]';
  return `
    WITH picked AS (
      SELECT c.id FROM contacts c
       WHERE c.campaign_id = $1 AND c.status = 'open'
         AND (c.leased_to IS NULL OR c.lease_expires_at <= $2)
         AND c.attempts < $3
         AND (c.next_call_at IS NULL OR c.next_call_at <= $2)
         AND cardinality(c.time_zones) > 0 AND ${zoneTest}
         AND NOT EXISTS (
           SELECT 1 FROM dnc_numbers d
            WHERE d.phone = c.phone AND (d.client_id IS NULL OR d.client_id = $5) AND (d.source <> 'registry' OR $6))
         AND (c.state IS NULL OR NOT (c.state = ANY($11::text[])) OR (
           SELECT count(*) FROM calls k WHERE k.phone = c.phone AND k.dialed_at > $2::timestamptz - interval '24 hours'
         ) < ($12::int[])[array_position($11::text[], c.state)])
       ORDER BY c.queue_rank, c.queue_at, c.id
       LIMIT 1
       FOR UPDATE OF c SKIP LOCKED
    ), leased AS (
      UPDATE contacts c SET leased_to = $7, lease_expires_at = $8
        FROM picked WHERE c.id = picked.id
      RETURNING c.*
    ), superseded AS (
      UPDATE calls k SET state = 'expired'
        FROM picked WHERE k.contact_id = picked.id AND k.state = 'leased'
    ), call AS (
      INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, pitch_key, offer_key, lease_expires_at)
      SELECT $5, $1, leased.id, $7, leased.phone, 'leased', $9, $10, $8 FROM leased
      RETURNING id
    )
    SELECT leased.*, call.id AS call_id FROM leased, call`;
}
