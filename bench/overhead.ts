import Fastify from 'fastify';
import { Pool } from 'pg';
import { BENCH_ADMIN, benchApp, benchDatabase, load, median, type LoadFigures } from './support';

const LIST_SQL =
  'SELECT id, name, timezone, created_at AS "createdAt" FROM clients ORDER BY name, id';

/**
 * `overhead`: authenticated GET /clients per second through the whole Nest pipeline (guard with
 * JWT check, validation pipe, filter, tenant scope, TypeORM) against a bare Fastify server that
 * answers the same route with the same query on a plain pg pool and no pipeline at all.
 * Rounds alternate between the two so that machine noise hits both alike.
 */
export async function overhead(): Promise<Record<string, unknown>> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const db = await benchDatabase();
  const { app, base: ours } = await benchApp(db.url);
  const baseline = Fastify({ logger: false });
  const pool = new Pool({ connectionString: db.url, max: 10 });
  try {
    const login = await fetch(`${ours}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BENCH_ADMIN),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${ours}/clients`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Client ${String(i).padStart(2, '0')}` }),
      });
      if (res.status !== 201) throw new Error(`seeding clients failed: ${res.status}`);
    }

    baseline.get('/clients', async () => (await pool.query(LIST_SQL)).rows);
    const bare = await baseline.listen({ port: 0, host: '127.0.0.1' });

    const oursBody = await (await fetch(`${ours}/clients`, { headers: auth })).text();
    const bareBody = await (await fetch(`${bare}/clients`)).text();
    if (JSON.parse(oursBody).length !== JSON.parse(bareBody).length)
      throw new Error('the two servers differ');

    await load(`${ours}/clients`, auth, 1);
    await load(`${bare}/clients`, {}, 1);
    const o: LoadFigures[] = [];
    const b: LoadFigures[] = [];
    for (let i = 0; i < rounds; i++) {
      b.push(await load(`${bare}/clients`, {}, seconds));
      o.push(await load(`${ours}/clients`, auth, seconds));
    }
    const summary = (xs: LoadFigures[]) => ({
      requestsPerSecond: Math.round(median(xs.map((x) => x.requestsPerSecond))),
      p50Ms: median(xs.map((x) => x.p50Ms)),
      p99Ms: median(xs.map((x) => x.p99Ms)),
      requests: xs.reduce((s, x) => s + x.requests, 0),
      failed: xs.reduce((s, x) => s + x.errors + x.non2xx, 0),
    });
    const oursFig = summary(o);
    const baseFig = summary(b);
    return {
      ours: oursFig,
      baseline: baseFig,
      ratio: Number((oursFig.requestsPerSecond / baseFig.requestsPerSecond).toFixed(3)),
      unit: 'authenticated GET /clients requests per second, ours ÷ bare Fastify + pg',
      connections: 10,
      secondsPerRound: seconds,
      rounds,
    };
  } finally {
    await app.close();
    await baseline.close();
    await pool.end();
    await db.close();
  }
}
