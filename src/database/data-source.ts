import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The pool's bounds (`DB_POOL_SIZE`, `DB_POOL_ACQUIRE_TIMEOUT_MS`); the CLI and scripts take the defaults. */
export interface PoolBounds {
  poolSize: number;
  acquireTimeoutMs: number;
}

/** Schema changes only through migrations: `synchronize` is never on. */
export function dataSourceOptions(
  url: string,
  pool: PoolBounds = { poolSize: 10, acquireTimeoutMs: 5000 },
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+; uuid-ossp is not needed.
    uuidExtension: 'pgcrypto',
    // Idle connections are kept 5 minutes (pg's default is 10 s): a burst of webhooks after a
    // quiet spell would otherwise wait for new connections, each with cold caches and its
    // prepared statements to parse again (p99 went from 40 to 360 ms in the webhooks bench).
    // Idle ones never keep the process alive by themselves (the HTTP server does).
    // A request never waits for a connection without end: past `connectionTimeoutMillis` (for a
    // free connection, or a new one to open) pg fails it, and it answers 503 `busy` (see
    // `poolBusyError`).
    extra: {
      max: pool.poolSize,
      connectionTimeoutMillis: pool.acquireTimeoutMs,
      idleTimeoutMillis: 300_000,
      allowExitOnIdle: true,
      application_name: 'referral-desk',
    },
  };
}

/**
 * Runs pending migrations under an advisory lock, so that several instances starting at once
 * never race; a database already up to date is left untouched. Returns the names it ran.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(url), extra: { max: 1 } });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7426001)');
    try {
      const ran = await ds.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock(7426001)');
    }
  } finally {
    await ds.destroy();
  }
}

/** For the TypeORM CLI (`npm run migration:generate`): the database named by DATABASE_URL. */
export default new DataSource(
  dataSourceOptions(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/referral_desk_dev',
  ),
);
