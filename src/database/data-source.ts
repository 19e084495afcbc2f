import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Schema changes only through migrations: `synchronize` is never on. */
export function dataSourceOptions(url: string): DataSourceOptions {
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
    extra: {
      max: 10,
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
