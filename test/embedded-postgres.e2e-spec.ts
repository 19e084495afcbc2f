import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/common/free-port';
import { runOutsideJest } from './run-outside-jest';

/** The `npm start` path on a bare machine: no DATABASE_URL, so a real PostgreSQL is started from the package. */
describe('startEmbeddedPostgres', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rd-embedded-'));
    await chmod(dir, 0o711);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('initialises, serves the database, reuses a running server, and keeps data across restarts', async () => {
    const port = await freePort();
    expect(port).not.toBe(5432);
    const out = await runOutsideJest(
      'src/database/embedded-postgres.ts',
      `
      const { Client } = require('pg');
      const q = async (url, sql) => { const c = new Client({ connectionString: url }); await c.connect();
        try { return (await c.query(sql)).rows; } finally { await c.end(); } };
      const opts = { dir: ${JSON.stringify(dir)}, port: ${port}, database: 'app' };
      const result = {};
      const first = await m.startEmbeddedPostgres(opts);
      result.url = first.url;
      await q(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')");
      // A second process (seed:demo while the service runs) finds the server up and shares it.
      const second = await m.startEmbeddedPostgres(opts);
      result.shared = await q(second.url, 'SELECT v FROM kept');
      await second.stop(); // it did not start the server, so it must not stop it
      result.stillUp = await q(first.url, 'SELECT 1 AS one');
      await first.stop();
      // Restart from the same directory: no second initdb, the data is still there.
      const third = await m.startEmbeddedPostgres(opts);
      result.afterRestart = await q(third.url, 'SELECT v FROM kept');
      await third.stop();
      console.log(JSON.stringify(result));
      `,
    );
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.url).toContain(`127.0.0.1:${port}/app`);
    expect(result.shared).toEqual([{ v: 'hello' }]);
    expect(result.stillUp).toEqual([{ one: 1 }]);
    expect(result.afterRestart).toEqual([{ v: 'hello' }]);

    const password = await stat(join(dir, 'password'));
    expect(password.mode & 0o077).toBe(0);
    expect((await readFile(join(dir, 'password'), 'utf8')).trim().length).toBeGreaterThan(16);
  }, 90000);
});
