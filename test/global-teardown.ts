import { rm } from 'node:fs/promises';
import { adminQuery } from './pg-server';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.TEST_PG_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (adminUrl && template) {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(
      () => undefined,
    );
  }
  const embedded = globalThis.__RD_EMBEDDED__;
  if (embedded) {
    await embedded.db.stop();
    await rm(embedded.dir, { recursive: true, force: true });
  }
}
