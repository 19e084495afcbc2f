import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { namedQuery } from '../database/pg-pool';
import { DataSource, type EntityManager } from 'typeorm';
import { effectiveWindow, openZones, STATE_WINDOWS } from './calling-hours';
import type { CampaignKind, Variant } from './campaign.entity';
import { onDoNotCall } from './dnc-rule';

/** How long a consumer campaign may go on after the newest registry extract was obtained. */
export const REGISTRY_MAX_AGE_DAYS = 31;

/** The rules of a campaign a claim applies. */
export interface ClaimCampaign {
  id: string;
  clientId: string;
  name: string;
  script: string;
  talkCapSeconds: number;
  windowStart: string;
  windowEnd: string;
  maxAttempts: number;
  leaseSeconds: number;
  /** Seconds the console previews a contact before dialing it by itself (0 = at once). */
  previewSeconds: number;
  /** For the script's placeholders (`{product}`, `{client}`). */
  product: string | null;
  clientName: string | null;
  kind: CampaignKind;
  zones: string[];
  pitches: Variant[];
  offers: Variant[];
}
type ClaimCampaignRow = ClaimCampaign & { registryOk: boolean };

export interface ClaimPlan {
  heldCallId: string | null;
  /** False when a campaign was asked for that the caller does not work. */
  assigned: boolean;
  campaigns: ClaimCampaignRow[];
}

export interface ClaimedContact {
  callId: string;
  contactId: string;
  leaseExpiresAt: Date;
  row: Record<string, unknown>;
}

/** How many of a contact's earlier calls a claim shows. */
export const EARLIER_CALLS = 10;

/**
 * The contact's columns a claim answers with (what the console shows). Named, not `c.*`: the
 * claim is a prepared statement, and PostgreSQL refuses to run one whose result's shape changed
 * ("cached plan must not change result type"), so a column added by a newer version's migration
 * would stop every claim of an instance still running the old one.
 */
const CLAIMED_COLUMNS = [
  'id',
  'company',
  'first_name',
  'last_name',
  'title',
  'phone',
  'alt_phones',
  'email',
  'website',
  'street',
  'city',
  'state',
  'zip',
  'country',
  'custom',
  'time_zones',
  'attempts',
  // Read by mayAutoDial (with phone, state, zip and country) for the answer's `autoDial`.
  'written_consent_at',
  'written_consent_source',
];

/**
 * SQL: contact `c`'s alternate phones less those on a do-not-call list that binds the campaign
 * (`clientId` and `consumer` are SQL for its client and whether it is a consumer campaign): a
 * listed number is never shown to a caller, as the main phone never is.
 */
export function callableAltPhones(clientId: string, consumer: string): string {
  return `ARRAY(SELECT a FROM unnest(c.alt_phones) a WHERE NOT ${onDoNotCall('a', clientId, consumer)})`;
}

/**
 * SQL: the calls made to `phone` in the 24 hours before `now` (SQL expressions), for the states
 * that limit them: dialed here, or given an outcome without being dialed here (the caller used
 * another phone: a call all the same).
 */
export function callsInLastDay(phone: string, now: string): string {
  return `SELECT count(*) FROM calls k WHERE k.phone = ${phone}
             AND (k.dialed_at > ${now}::timestamptz - interval '24 hours'
                  OR (k.dialed_at IS NULL AND k.disposition IS NOT NULL
                      AND k.outcome_at > ${now}::timestamptz - interval '24 hours'))`;
}

/**
 * Ends a caller's leases that no dial has started (one call's, given `callId`): the calls are
 * `released` and their contacts back in the queue at once. Answers how many ended.
 */
export async function releaseLeases(
  m: EntityManager,
  callerId: string,
  callId: string | null = null,
  /** A skip: the contact goes behind the ones queued before this instant (attempts untouched). */
  requeueAt: Date | null = null,
): Promise<number> {
  const [{ n }]: { n: number }[] = await m.query(
    `WITH ended AS (
       UPDATE calls SET state = 'released'
        WHERE caller_id = $1 AND state = 'leased' AND ($2::uuid IS NULL OR id = $2::uuid)
       RETURNING contact_id
     ), freed AS (
       UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL,
              -- Behind every contact queued so far, on either clock (imports stamp the database's).
              queue_at = CASE WHEN $3::timestamptz IS NULL THEN queue_at
                              ELSE GREATEST(queue_at, $3::timestamptz, statement_timestamp()) END
        WHERE id IN (SELECT contact_id FROM ended) AND leased_to = $1
     )
     SELECT count(*)::int AS n FROM ended`,
    [callerId, callId, requeueAt],
  );
  return n;
}

/**
 * SQL: campaign `g` (an alias) may be called as far as the registry goes: a B2B campaign always,
 * a consumer campaign when a registry extract that listed at least one number was obtained
 * within `days` (SQL) before `now` (SQL).
 */
export function registryScrubOk(g: string, now: string, days: string): string {
  return `${g}.kind <> 'consumer' OR EXISTS (
                      SELECT 1 FROM dnc_extracts x WHERE x.registry AND x.listed > 0 AND (x.client_id IS NULL OR x.client_id = ${g}.client_id)
                         AND x.obtained_at >= ((${now}::timestamptz - make_interval(days => ${days})) AT TIME ZONE 'UTC')::date)`;
}

/** SQL: call `k`'s campaign is active and its caller ($1) is still assigned to it. */
const WORKS_ON = `EXISTS (SELECT 1 FROM campaigns g JOIN campaign_callers cc ON cc.campaign_id = g.id
                           WHERE g.id = k.campaign_id AND g.status = 'active' AND cc.user_id = $1)`;

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

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.claimSql = buildClaimSql();
  }

  /**
   * Everything a claim needs to know first, in one round trip: ends the caller's own leases that
   * expired, that belong to another campaign than the one asked for, or whose campaign is no
   * longer active or no longer the caller's; finds a lease still held (asking again returns it),
   * and lists the active campaigns the caller works with their
   * rules, each marked whether its registry scrub allows calling (consumer campaigns need a
   * registry extract obtained within 31 days; B2B campaigns are exempt).
   */
  async prepare(callerId: string, campaignId: string | null, now: Date): Promise<ClaimPlan> {
    const [row]: {
      held: string | null;
      assigned: boolean;
      campaigns: ClaimCampaignRow[] | null;
    }[] = await namedQuery(
      this.db,
      'claim-prepare',
      `WITH ended AS (
         UPDATE calls k SET state = CASE WHEN k.lease_expires_at <= $2 THEN 'expired'::call_state ELSE 'released'::call_state END
          WHERE k.caller_id = $1 AND k.state = 'leased'
            AND (k.lease_expires_at <= $2 OR ($3::uuid IS NOT NULL AND k.campaign_id <> $3::uuid)
                 OR NOT ${WORKS_ON})
         RETURNING k.contact_id
       ), freed AS (
         UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL
          WHERE id IN (SELECT contact_id FROM ended) AND leased_to = $1
       )
       SELECT
         (SELECT k.id FROM calls k WHERE k.caller_id = $1 AND k.state = 'leased' AND k.lease_expires_at > $2
             AND ($3::uuid IS NULL OR k.campaign_id = $3::uuid) AND ${WORKS_ON} LIMIT 1) AS held,
         ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM campaign_callers WHERE user_id = $1 AND campaign_id = $3::uuid)) AS assigned,
         (SELECT json_agg(json_build_object(
                   'id', g.id, 'clientId', g.client_id, 'name', g.name, 'script', g.script,
                   'talkCapSeconds', g.talk_cap_seconds, 'windowStart', g.window_start, 'windowEnd', g.window_end,
                   'maxAttempts', g.max_attempts, 'leaseSeconds', g.lease_seconds, 'kind', g.kind, 'zones', g.zones,
                   'previewSeconds', g.preview_seconds, 'product', g.product,
                   'clientName', (SELECT cl.name FROM clients cl WHERE cl.id = g.client_id),
                   'pitches', g.pitches, 'offers', g.offers,
                   'registryOk', ${registryScrubOk('g', '$2', '$4')})
                 ORDER BY g.name, g.id)
            FROM campaigns g JOIN campaign_callers cc ON cc.campaign_id = g.id
           WHERE cc.user_id = $1 AND g.status = 'active' AND ($3::uuid IS NULL OR g.id = $3::uuid)) AS campaigns`,
      [callerId, now, campaignId, REGISTRY_MAX_AGE_DAYS],
    );
    return { heldCallId: row.held, assigned: row.assigned, campaigns: row.campaigns ?? [] };
  }

  /** Leases the next contact of one campaign to a caller and creates its call record, or undefined. */
  async claimNext(
    campaign: ClaimCampaign,
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
    const limits = this.config.stateDailyCallLimits;
    const limited = Object.keys(limits);
    const leaseExpiresAt = new Date(now.getTime() + campaign.leaseSeconds * 1000);
    const rows: Record<string, unknown>[] = await namedQuery(this.db, 'claim-next', this.claimSql, [
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
      limited.map((s) => limits[s]),
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
         AND NOT ${onDoNotCall('c.phone', '$5', '$6')}
         AND (c.state IS NULL OR NOT (c.state = ANY($11::text[])) OR (
           ${callsInLastDay('c.phone', '$2')}
         ) < ($12::int[])[array_position($11::text[], c.state)])
       ORDER BY c.queue_rank, c.queue_at, c.id
       LIMIT 1
       FOR UPDATE OF c SKIP LOCKED
    ), leased AS (
      UPDATE contacts c SET leased_to = $7, lease_expires_at = $8
        FROM picked WHERE c.id = picked.id
      RETURNING ${CLAIMED_COLUMNS.map((x) => (x === 'alt_phones' ? `${callableAltPhones('$5', '$6')} AS alt_phones` : `c.${x}`)).join(', ')}
    ), superseded AS (
      -- The expired lease's call, unless its caller's own request has it locked right now (an
      -- outcome or a dial: waiting for it could deadlock, as that request waits for the
      -- contact); then that request finds the lease gone, and the caller's next claim ends it.
      UPDATE calls k SET state = 'expired'
       WHERE k.id IN (SELECT o.id FROM calls o, picked
                       WHERE o.contact_id = picked.id AND o.state = 'leased' FOR UPDATE OF o SKIP LOCKED)
    ), call AS (
      INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, pitch_key, offer_key, lease_expires_at)
      SELECT $5, $1, leased.id, $7, leased.phone, 'leased', $9, $10, $8 FROM leased
      RETURNING id
    )
    SELECT leased.*, call.id AS call_id,
           -- The contact's earlier calls with an outcome (the console shows them), in the same
           -- round trip: by calls_contact_id_idx, nothing for a contact never called.
           (SELECT coalesce(json_agg(e ORDER BY e.at DESC), '[]'::json) FROM (
              SELECT k.outcome_at AS at, u.name AS caller, k.caller_id = $7 AS "byYou", k.disposition,
                     k.outcome->>'notes' AS notes
                FROM calls k JOIN users u ON u.id = k.caller_id
               WHERE k.contact_id = leased.id AND k.disposition IS NOT NULL
               ORDER BY k.outcome_at DESC, k.id LIMIT ${EARLIER_CALLS}) e) AS earlier_calls
      FROM leased, call`;
}
