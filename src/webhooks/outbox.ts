import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLIENT_REFERRAL_FROM, CLIENT_REFERRAL_JSON } from '../referrals/referral-view';
import { JobQueue, WEBHOOK_QUEUE } from './job-queue';

/**
 * Writes the deliveries of an event, one per active endpoint of the client, and their first
 * jobs, inside the transaction that makes the event happen: a referral is never published
 * without its deliveries queued, and a crash after the commit loses nothing.
 */
@Injectable()
export class WebhookOutbox {
  constructor(private readonly jobs: JobQueue) {}

  async referralPublished(
    m: EntityManager,
    clientId: string,
    referralId: string,
    now: Date,
  ): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, client_id, referral_id, event_type, body, status, attempts,
                                       next_attempt_at, created_at)
       SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, e.client_id, $2, 'referral.published',
              json_build_object('type', 'referral.published',
                                'timestamp', to_char($3::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                'data', ref.body)::text,
              'pending', 0, $3, $3
         FROM webhook_endpoints e,
              (SELECT ${CLIENT_REFERRAL_JSON} AS body FROM ${CLIENT_REFERRAL_FROM} WHERE r.id = $2) ref
        WHERE e.client_id = $1 AND e.active
       RETURNING id`,
      [clientId, referralId, now],
    );
    for (const r of rows) await this.jobs.sendIn(m, WEBHOOK_QUEUE, { deliveryId: r.id });
    return rows.map((r) => r.id);
  }
}
