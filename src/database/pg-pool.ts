import type { Pool } from 'pg';
import { AppError } from '../common/app-error';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** TypeORM's own pg pool: the same connections, without its per-query wrapping. */
export function pgPool(db: DataSource): Pool {
  return (db.driver as PostgresDriver).master as Pool;
}

/**
 * A named (prepared) statement on TypeORM's pool, for the hot paths: each pooled connection
 * parses and plans it once (planning the claim or a status callback costs more than running it).
 * Its result must keep its shape across migrations: name the columns, never `t.*` (PostgreSQL
 * refuses a prepared statement whose result type changed).
 */
export async function namedQuery<T>(
  db: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return (await pgPool(db).query({ name, text, values })).rows as T[];
}

/**
 * pg's errors when no connection came within `connectionTimeoutMillis` (`DB_POOL_ACQUIRE_TIMEOUT_MS`):
 * every pooled one busy, or a new one not opened in time.
 */
const POOL_TIMEOUTS = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
];

/** Seconds a request refused for want of a connection is asked to wait (`Retry-After`). */
export const POOL_BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The 503 `busy` answer for an error that is pg's pool timing out, else undefined: the pool is
 * saturated (or PostgreSQL slow to accept), which is the service's state, not the request's fault.
 */
export function poolBusyError(e: unknown): AppError | undefined {
  if (!(e instanceof Error) || !POOL_TIMEOUTS.includes(e.message)) return undefined;
  return new AppError(
    'unavailable',
    'The service is busy: no database connection came free in time',
    {
      reason: 'busy',
      retryAfterSeconds: POOL_BUSY_RETRY_AFTER_SECONDS,
    },
  );
}
