import { Client } from 'pg';

/** The test database server, prepared by global-setup: an admin URL and the migrated template's name. */
export function testServer(): { adminUrl: string; template: string } {
  const adminUrl = process.env.TEST_PG_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (!adminUrl || !template) throw new Error('global-setup did not run (TEST_PG_URL unset)');
  return { adminUrl, template };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database on the test server (no migrations), dropped by the returned function. */
export async function createEmptyDatabase(
  prefix = 'rd_empty',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const { adminUrl } = testServer();
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A database cloned from the migrated template: each test file gets its own, so files run in parallel. */
export async function createMigratedDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const { adminUrl, template } = testServer();
  const name = `rd_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (e) {
      // Two files cloning the template in the same instant: PostgreSQL refuses one; try again.
      if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** One query on its own connection (for tests that look at or arrange rows directly). */
export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}
