import { freePort } from '../src/common/free-port';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { runMigrations } from '../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres';
import { adminQuery, withDatabase } from './pg-server';

declare global {
  var __RD_EMBEDDED__: { db: EmbeddedDatabase; dir: string } | undefined;
}

/**
 * One real PostgreSQL for the whole run: DATABASE_URL when set (CI's server), else an embedded
 * one in a throwaway directory on a free port. Migrations run once into a template database;
 * each test file clones it.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'rd-test-pg-'));
    await chmod(dir, 0o711);
    const db = await startEmbeddedPostgres({
      dir,
      port: await freePort(),
      database: 'postgres',
      persistent: false,
    });
    globalThis.__RD_EMBEDDED__ = { db, dir };
    adminUrl = db.adminUrl;
  }
  const template = `rd_template_${process.pid}`;
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await adminQuery(adminUrl, `CREATE DATABASE "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  // pg-boss's own schema, so that each cloned database starts with it (its start is then quick).
  const boss = new PgBoss({
    connectionString: withDatabase(adminUrl, template),
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  process.env.TEST_PG_URL = adminUrl;
  process.env.TEST_PG_TEMPLATE = template;
}
