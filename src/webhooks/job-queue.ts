import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export const WEBHOOK_QUEUE = 'webhook-delivery';

/**
 * pg-boss on the service's own database (schema `pgboss`). Jobs are sent inside the caller's
 * transaction (pg-boss's `db` option), so a job exists exactly when the change that needs it
 * committed: the outbox is the job table itself.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('JobQueue');
  readonly boss: PgBoss;
  /** Long enough for a delivery under way to get its answer (or time out) and be recorded. */
  private readonly stopTimeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly db: DataSource,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      schema: 'pgboss',
      max: 4,
      application_name: 'referral-desk-jobs',
      supervise: config.jobMaintenance,
      schedule: false,
    });
    this.boss.on('error', (e: Error) => this.log.error(`pg-boss: ${e.message}`));
    this.stopTimeoutMs = (config.webhooks.timeoutSeconds + 5) * 1000;
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    // Instances starting together would race to create the queue: one at a time, under a lock.
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(7426002)');
      // A job that throws (the database away for a moment) is retried by pg-boss; the delivery's
      // own schedule (answers of the receiver) is kept by the worker with new jobs.
      const queue = { name: WEBHOOK_QUEUE, retryLimit: 5, retryDelay: 30, retryBackoff: true };
      if (await this.boss.getQueue(WEBHOOK_QUEUE))
        await this.boss.updateQueue(WEBHOOK_QUEUE, queue);
      else await this.boss.createQueue(WEBHOOK_QUEUE, queue);
    } finally {
      await lock.query('SELECT pg_advisory_unlock(7426002)').catch(() => undefined);
      await lock.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // A send cut off by a shorter wait would be sent again by the next instance (same
    // webhook-id, but a duplicate all the same).
    await this.boss.stop({ graceful: true, wait: true, timeout: this.stopTimeoutMs });
  }

  /** Sends a job within the transaction of `m`. */
  async sendIn(
    m: EntityManager,
    name: string,
    data: object,
    options: PgBoss.SendOptions = {},
  ): Promise<void> {
    await this.boss.send(name, data, {
      ...options,
      db: {
        executeSql: async (text: string, values: unknown[]) => ({
          rows: (await m.query(text, values)) as unknown[],
        }),
      },
    });
  }
}
