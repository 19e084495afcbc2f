import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { MIGRATIONS } from '../src/database/migrations';
import { createEmptyDatabase } from './pg-server';

async function migrationRows(url: string): Promise<{ name: string }[]> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    return await ds.query('SELECT name FROM migrations ORDER BY id');
  } finally {
    await ds.destroy();
  }
}

describe('start-up and migrations', () => {
  it('migrates an empty database at start, and a second start runs none again', async () => {
    const db = await createEmptyDatabase();
    try {
      const config = {
        ...loadConfig({}),
        databaseUrl: db.url,
        jwtSecret: 'x'.repeat(40),
        logLevel: 'silent' as const,
      };
      const first = await createApp(config, { logger: createLogger('silent') });
      await first.close();
      const afterFirst = await migrationRows(db.url);
      expect(afterFirst).toHaveLength(MIGRATIONS.length);
      expect(afterFirst.length).toBeGreaterThan(0);

      const second = await createApp(config, { logger: createLogger('silent') });
      await second.close();
      expect(await migrationRows(db.url)).toEqual(afterFirst);
    } finally {
      await db.drop();
    }
  });

  it('brings up two instances started at once on an empty database: migrations and first admin run once', async () => {
    const db = await createEmptyDatabase();
    try {
      const config = {
        ...loadConfig({}),
        databaseUrl: db.url,
        jwtSecret: 'x'.repeat(40),
        adminEmail: 'first@admin.example',
        adminPassword: 'first-admin-1',
        logLevel: 'silent' as const,
      };
      const apps = await Promise.all(
        [1, 2].map(() => createApp(config, { logger: createLogger('silent') })),
      );
      await Promise.all(apps.map((a) => a.close()));
      expect(await migrationRows(db.url)).toHaveLength(MIGRATIONS.length);
      const ds = new DataSource({ type: 'postgres', url: db.url });
      await ds.initialize();
      const admins: unknown[] = await ds.query("SELECT 1 FROM users WHERE role = 'admin'");
      await ds.destroy();
      expect(admins).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });

  it('leaves no difference between the entities and the migrated schema', async () => {
    const db = await createEmptyDatabase();
    const ds = new DataSource(dataSourceOptions(db.url));
    try {
      await ds.initialize();
      await ds.runMigrations();
      // What `migration:generate` would write next: nothing, or entities and schema have drifted.
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
