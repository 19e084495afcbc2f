import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JobQueue, WEBHOOK_QUEUE } from './job-queue';
import { postWebhook } from './post-webhook';
import { webhookUrlProblem } from './url-policy';

interface DeliveryRow {
  id: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  endpoint_id: string;
  url: string;
  secret: string;
  active: boolean;
}

/** A job may run this much before its delivery's next attempt is due (the queue's own timing). */
const EARLY_SECONDS = 1;

/** The delay before retry n (1-based), with ±10% jitter, from the configured schedule. */
export function retryDelaySeconds(
  schedule: number[],
  attempt: number,
  random = Math.random(),
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return base * (0.9 + 0.2 * random);
}

/**
 * Works the webhook deliveries: POSTs the stored body with Standard Webhooks headers (the same
 * `webhook-id` every time), keeps every attempt and its answer, retries on the configured
 * schedule (about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), gives up after the last, and
 * disables the endpoint on 410.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap {
  private readonly log = new Logger('DeliveryWorker');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.webhooks.deliver) return;
    await this.jobs.boss.work<{ deliveryId: string }>(
      WEBHOOK_QUEUE,
      { batchSize: 4, pollingIntervalSeconds: this.config.webhooks.pollSeconds },
      async (jobs: PgBoss.Job<{ deliveryId: string }>[]) => {
        await Promise.all(jobs.map((j) => this.attempt(j.data.deliveryId)));
      },
    );
  }

  /** One attempt of one delivery (a job). */
  async attempt(deliveryId: string): Promise<void> {
    const [d]: DeliveryRow[] = await this.db.query(
      `SELECT d.id, d.body, d.status, d.attempts, d.next_attempt_at, d.endpoint_id, e.url, e.secret, e.active
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
      [deliveryId],
    );
    if (!d || d.status !== 'pending') return;
    // A job for an attempt not yet due is a stray (a batch retried whole by the queue left a
    // second chain of jobs): the delivery's own schedule decides, the stray ends here.
    if (
      d.next_attempt_at &&
      new Date(d.next_attempt_at).getTime() > this.clock.now().getTime() + EARLY_SECONDS * 1000
    ) {
      return;
    }
    if (!d.active) {
      await this.db.query(
        `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'the endpoint is disabled' WHERE id = $1`,
        [d.id],
      );
      return;
    }
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    const allowPrivate = this.config.webhookAllowPrivateUrls;
    const refused = await webhookUrlProblem(d.url, allowPrivate);
    if (refused) error = `the URL ${refused}`;
    else {
      // The check above resolved the host once; the post checks the addresses it connects to.
      ({ statusCode, error } = await postWebhook(d, {
        timeoutSeconds: this.config.webhooks.timeoutSeconds,
        allowPrivate,
      }));
    }
    const now = this.clock.now();
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const attempts = d.attempts + 1;
    const delay =
      ok || statusCode === 410
        ? null
        : retryDelaySeconds(this.config.webhooks.retrySeconds, attempts);
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
        [d.id, now, statusCode, error, Math.round(performance.now() - started)],
      );
      const status = ok ? 'delivered' : delay === null ? 'failed' : 'pending';
      // Only the attempt that read the count it updates moves the delivery on (and schedules
      // the next): another attempt of it, run at the same time, has its try logged and ends.
      const [, moved]: [unknown, number] = await m.query(
        `UPDATE webhook_deliveries SET status = $2, attempts = $3, last_status_code = $4, last_error = $5,
                delivered_at = COALESCE($6::timestamptz, delivered_at),
                next_attempt_at = $7
          WHERE id = $1 AND attempts = $3 - 1 AND status = 'pending'`,
        [
          d.id,
          status,
          attempts,
          statusCode,
          error ??
            (ok
              ? null
              : statusCode === 410
                ? 'the receiver answered 410 Gone'
                : `answered ${statusCode}`),
          ok ? now : null,
          delay === null ? null : new Date(now.getTime() + delay * 1000),
        ],
      );
      if (!moved) return;
      if (statusCode === 410) {
        await m.query(
          `UPDATE webhook_endpoints SET active = false, disabled_reason = 'the receiver answered 410 Gone' WHERE id = $1`,
          [d.endpoint_id],
        );
      }
      if (delay !== null) {
        await this.jobs.sendIn(
          m,
          WEBHOOK_QUEUE,
          { deliveryId: d.id },
          {
            startAfter: new Date(Date.now() + delay * 1000),
          },
        );
      }
    });
    if (!ok)
      this.log.warn(`delivery ${d.id} attempt ${attempts}: ${error ?? `answered ${statusCode}`}`);
  }
}
