import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client as Pg } from 'pg';
import { anOpenZone } from '../bench/support';
import { freePort } from '../src/common/free-port';
import { createMigratedDatabase } from './pg-server';

const ROOT = resolve(__dirname, '..');
const ADMIN = { email: 'admin@scale.example', password: 'admin-password-1' };

/**
 * Two instances of the service (two processes, two ports) on one database, callers spread over
 * both: still every contact handed out exactly once. This is how the service grows past one
 * machine, so it is tested from the start.
 */
describe('two service instances on one database', () => {
  let dir: string;
  let db: { url: string; drop: () => Promise<void> };
  const procs: ChildProcess[] = [];
  const bases: string[] = [];

  beforeAll(async () => {
    // Inside the project, so that the compiled service finds node_modules.
    dir = join(ROOT, 'node_modules', '.cache', `rd-scale-${process.pid}`);
    await mkdir(dir, { recursive: true });
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        dir,
        '--incremental',
        'false',
      ],
      { cwd: ROOT },
    );
    db = await createMigratedDatabase();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = spawn(process.execPath, [join(dir, 'src/main.js')], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          PORT: String(port),
          JWT_SECRET: 'scale-out-secret-scale-out-secret-0123',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          LOG_LEVEL: 'warn',
          DATA_DIR: join(dir, `data${i}`),
        },
        // Warnings and errors only (LOG_LEVEL=warn): what an instance that fails to start says.
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      procs.push(proc);
      bases.push(`http://127.0.0.1:${port}`);
    }
    for (const base of bases) {
      for (let t = 0; ; t++) {
        const ok = await fetch(`${base}/health`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        if (t > 600) throw new Error(`instance at ${base} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 120000);

  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))),
    );
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands each of 600 contacts to exactly one of 20 callers spread over both instances', async () => {
    const call = async (
      base: string,
      method: string,
      path: string,
      token: string | null,
      body?: unknown,
    ) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    };
    const [a, b] = bases;
    const admin = (await call(a, 'POST', '/auth/login', null, ADMIN)).body.accessToken as string;
    const client = (await call(a, 'POST', '/clients', admin, { name: 'Scale Co' })).body
      .id as string;
    const campaign = (
      await call(b, 'POST', '/campaigns', admin, {
        clientId: client,
        name: 'Scale',
        script: 'For Scale Co',
        callerId: '+12125550100',
      })
    ).body.id as string;
    const callers: { id: string; token: string; base: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const email = `caller${i}@scale.example`;
      const id = (
        await call(a, 'POST', '/users', admin, {
          email,
          password: 'caller-password-1',
          role: 'caller',
        })
      ).body.id as string;
      const base = i % 2 ? b : a;
      callers.push({
        id,
        base,
        token: (
          await call(base, 'POST', '/auth/login', null, { email, password: 'caller-password-1' })
        ).body.accessToken,
      });
    }
    expect(
      (
        await call(a, 'PUT', `/campaigns/${campaign}/callers`, admin, {
          callerIds: callers.map((c) => c.id),
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(b, 'PATCH', `/campaigns/${campaign}`, admin, { status: 'active' })).status,
    ).toBe(200);

    const pg = new Pg({ connectionString: db.url });
    await pg.connect();
    try {
      // The list, put where the clock of this run is inside calling hours (the instances use the real clock).
      const zone = anOpenZone();
      await pg.query(
        `INSERT INTO contacts (campaign_id, client_id, phone, time_zones)
         SELECT $1, $2, '+1212' || lpad(g::text, 7, '0'), ARRAY[$3] FROM generate_series(1000000, 1000599) g`,
        [campaign, client, zone],
      );
      await pg.query('UPDATE campaigns SET zones = ARRAY[$2] WHERE id = $1', [campaign, zone]);

      const handed: string[] = [];
      const perInstance = new Map<string, number>();
      await Promise.all(
        callers.map(async (c) => {
          for (;;) {
            const res = await call(c.base, 'POST', '/calls/next', c.token, {
              campaignId: campaign,
            });
            if (res.status === 204) return;
            expect(res.status).toBe(200);
            handed.push(res.body.contact.id);
            perInstance.set(c.base, (perInstance.get(c.base) ?? 0) + 1);
            const done = await call(c.base, 'POST', `/calls/${res.body.callId}/outcome`, c.token, {
              disposition: 'not_interested',
            });
            expect(done.status).toBe(200);
          }
        }),
      );
      expect(handed).toHaveLength(600);
      expect(new Set(handed).size).toBe(600);
      expect(perInstance.get(a)).toBeGreaterThan(0);
      expect(perInstance.get(b)).toBeGreaterThan(0);
    } finally {
      await pg.end();
    }
  }, 120000);
});
