import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../src/database/pg-pool';
import { TestContext } from './harness';
import { asUser } from './referral-fixtures';

/**
 * H1: streamed answers whose receivers stop reading must not freeze the service. Real sockets
 * read about 1 KB of a large feed and stop; the pool is smaller than their number.
 */
const DAY = '2026-03-02';
const POOL = 6;
const WRITE_TIMEOUT_SECONDS = 3;
/** Referrals of ~2 KB: a day of 12,000 is ~24 MB, far more than the sockets' buffers hold. */
const NEED_CHARS = 2000;

describe('bounded resources: stalled streams, pool waits, stream caps (H1)', () => {
  let ctx: TestContext;
  let port: number;
  let pg: Client;
  /** Client A: a large day (tens of megabytes of CSV), and keys to stall it with. */
  let big: { clientId: string; keys: string[]; referrals: number };
  /** Client B: a small day, whose feed must keep answering. */
  let small: { clientId: string; key: string };

  beforeAll(async () => {
    ctx = await TestContext.create({
      database: { poolSize: POOL, acquireTimeoutMs: 1000 },
      streams: { writeTimeoutSeconds: WRITE_TIMEOUT_SECONDS, perKey: 2, perClient: 4, total: 5 },
    });
    await ctx.app.listen(0, '127.0.0.1');
    port = (ctx.app.getHttpServer().address() as AddressInfo).port;
    pg = new Client({ connectionString: ctx.dbUrl });
    await pg.connect();
    const a = await ctx.newClient(ctx.unique('Big'));
    const keys: string[] = [];
    for (let i = 0; i < 6; i++) keys.push((await ctx.newApiKey(a.id)).key);
    big = { clientId: a.id, keys, referrals: await seedDay(pg, a.id, 12_000, NEED_CHARS) };
    const b = await ctx.newClient(ctx.unique('Small'));
    small = { clientId: b.id, key: (await ctx.newApiKey(b.id)).key };
    await seedDay(pg, b.id, 5, 100);
  }, 60_000);

  afterAll(async () => {
    await pg?.end();
    await ctx?.close();
  });

  /** COPY statements of the service running now (each holds one pooled connection). */
  const copies = async (): Promise<number> =>
    Number(
      (
        await pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'referral-desk'
              AND query LIKE 'COPY%' AND state = 'active'`,
        )
      ).rows[0].n,
    );

  it('keeps /health, a claim and another client’s feed answering while more sockets than the pool stall, then ends the stalled ones and recovers', async () => {
    const { campaignId, callers } = await ctx.activeCampaign({
      clientId: (await ctx.newClient()).id,
    });
    await ctx.importCsv(campaignId, 'phone,state\n(512) 555-0101,TX\n(512) 555-0102,TX\n');
    const caller = asUser(ctx, callers[0].token);
    ctx.clock.set('2026-03-02T18:00:00Z'); // noon in Texas: within calling hours

    // Receivers that read about 1 KB and stop: the feed as CSV, NDJSON and JSON, and the portal's
    // export, which the client's cap (4) lets in...
    const path = `/v1/referrals?date=${DAY}`;
    const portalUser = await ctx.newUser('client', big.clientId);
    const stalled = [
      await openAndStall(port, path, big.keys[0], 'text/csv'),
      await openAndStall(port, path, big.keys[1], 'application/x-ndjson'),
      await openAndStall(port, path, big.keys[2], 'application/json'),
      await openAndStall(port, `/referrals/export?date=${DAY}`, portalUser.token, 'text/csv'),
    ];
    const stalledAt = Date.now();
    expect(stalled.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    // ...and 12 more at once (two per key): 16 stalled sockets against a pool of 6, all told to
    // come back later, at once.
    const more = await Promise.all(
      big.keys.flatMap((key) =>
        ['text/csv', 'application/x-ndjson'].map((accept) => openAndStall(port, path, key, accept)),
      ),
    );
    expect(more.map((s) => s.status)).toEqual(Array(12).fill(429));
    for (const refused of more) {
      expect(refused.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
      expect(JSON.parse(refused.body)).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        code: 'rate_limited',
        message: expect.stringMatching(/streamed answers at once per (client|API key)/),
        details: [],
      });
    }
    // The admitted ones are really stuck: their COPY statements hold pooled connections.
    await waitFor(async () => (await copies()) === 4, 3000);

    // Meanwhile the service answers everyone else, promptly, twice over.
    for (let round = 0; round < 2; round++) {
      expect(await copies()).toBe(4);
      const health = await ctx.http().get('/health').timeout(1500);
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', database: 'up' });
      const claim = await caller.post('/calls/next', { campaignId }).timeout(1500);
      expect(claim.status).toBe(200);
      const feed = await ctx
        .http()
        .get(`/v1/referrals?date=${DAY}`)
        .auth(small.key, { type: 'bearer' })
        .timeout(1500);
      expect(feed.status).toBe(200);
      expect(feed.body.data).toHaveLength(5);
      const login = await ctx
        .http()
        .post('/auth/login')
        .send({ email: callers[0].email, password: callers[0].password })
        .timeout(1500);
      expect(login.status).toBe(200);
    }

    // After the write timeout the stalled answers are ended and their connections returned.
    await waitFor(async () => (await copies()) === 0, WRITE_TIMEOUT_SECONDS * 1000 + 3000);
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(WRITE_TIMEOUT_SECONDS * 1000 - 1000);
    for (const s of stalled) {
      const end = await s.resume();
      expect(end.complete).toBe(false);
      expect(end.bytes).toBeLessThan(big.referrals * NEED_CHARS);
    }
    const pool = pgPool(ctx.app.get(DataSource));
    expect(pool.waitingCount).toBe(0);

    // The pool and the slots are whole again: three streams at once, one read in full.
    const [whole, ...held] = await Promise.all([
      readAll(port, `/v1/referrals?date=${DAY}`, big.keys[0], 'application/x-ndjson'),
      openAndStall(port, `/v1/referrals?date=${DAY}`, big.keys[1], 'text/csv'),
      openAndStall(port, `/v1/referrals?date=${DAY}`, big.keys[2], 'text/csv'),
    ]);
    expect(whole).toEqual({ status: 200, lines: big.referrals });
    expect(held.map((h) => h.status)).toEqual([200, 200]);
    for (const h of held) h.destroy();
  }, 60_000);

  it('answers 503 busy with Retry-After when no connection comes free in time, never hangs', async () => {
    const { campaignId, callers } = await ctx.activeCampaign({
      clientId: (await ctx.newClient()).id,
    });
    await ctx.importCsv(campaignId, 'phone,state\n(512) 555-0103,TX\n');
    ctx.clock.set('2026-03-02T18:00:00Z');
    const pool = pgPool(ctx.app.get(DataSource));
    const held = await Promise.all(Array.from({ length: POOL }, () => pool.connect()));
    try {
      const t = Date.now();
      const res = await ctx
        .http()
        .get('/clients')
        .auth(ctx.adminToken, { type: 'bearer' })
        .timeout(5000);
      expect(Date.now() - t).toBeLessThan(3000);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toEqual(expect.stringMatching(/^[1-9]\d*$/));
      expect(res.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'busy',
        message: expect.stringContaining('busy'),
        details: [],
      });
      const feed = await ctx
        .http()
        .get(`/v1/referrals?date=${DAY}`)
        .auth(small.key, { type: 'bearer' })
        .timeout(5000);
      expect(feed.status).toBe(503);
      expect(feed.body.code).toBe('busy');
      const claim = await asUser(ctx, callers[0].token)
        .post('/calls/next', { campaignId })
        .timeout(5000);
      expect(claim.status).toBe(503);
      expect(claim.body.code).toBe('busy');
    } finally {
      for (const c of held) c.release();
    }
    await ctx.http().get('/clients').auth(ctx.adminToken, { type: 'bearer' }).expect(200);
    const feed = await ctx
      .http()
      .get(`/v1/referrals?date=${DAY}`)
      .auth(small.key, { type: 'bearer' })
      .expect(200);
    expect(feed.body.data).toHaveLength(5);
    await asUser(ctx, callers[0].token).post('/calls/next', { campaignId }).expect(200);
  }, 30_000);

  it('caps streams per key (429), per client (429) and in the instance (503 busy), and frees a slot when its receiver goes', async () => {
    const path = `/v1/referrals?date=${DAY}`;
    const first = await openAndStall(port, path, big.keys[0], 'text/csv');
    const second = await openAndStall(port, path, big.keys[0], 'text/csv');
    const third = await openAndStall(port, path, big.keys[0], 'text/csv');
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(JSON.parse(third.body).message).toMatch(/at once per API key/);
    expect(third.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));

    // The portal's export is a stream too, counted for the client with its feed.
    const user = await ctx.newUser('client', big.clientId);
    const exp1 = await openAndStall(port, `/referrals/export?date=${DAY}`, user.token, 'text/csv');
    const fourth = await openAndStall(port, path, big.keys[1], 'text/csv');
    expect([exp1.status, fourth.status]).toEqual([200, 200]);
    const exp2 = await openAndStall(port, `/referrals/export?date=${DAY}`, user.token, 'text/csv');
    expect(exp2.status).toBe(429);
    expect(JSON.parse(exp2.body).message).toMatch(/at once per client/);

    // Client A holds 4 of the instance's 5: another client gets the last one, then is told the
    // service is busy.
    const other = await ctx.newClient(ctx.unique('Other'));
    await seedDay(pg, other.id, 12_000, NEED_CHARS);
    const otherKey = (await ctx.newApiKey(other.id)).key;
    const o1 = await openAndStall(port, path, otherKey, 'text/csv');
    expect(o1.status).toBe(200);
    const o2 = await openAndStall(port, path, otherKey, 'text/csv');
    expect(o2.status).toBe(503);
    expect(JSON.parse(o2.body)).toMatchObject({ code: 'busy', statusCode: 503 });
    expect(o2.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));

    // A receiver that goes away gives its slot back at once.
    first.destroy();
    await waitFor(async () => {
      const s = await openAndStall(port, path, otherKey, 'text/csv');
      s.destroy();
      return s.status === 200;
    }, 2000);
    for (const s of [second, exp1, fourth, o1]) s.destroy();
  }, 30_000);
});

/** A published day of `count` referrals for the client, each with a need of `needChars`. */
async function seedDay(
  pg: Client,
  clientId: string,
  count: number,
  needChars: number,
): Promise<number> {
  const campaign = await pg.query<{ id: string }>(
    `INSERT INTO campaigns (client_id, name, status, caller_id) VALUES ($1, 'Stall', 'active', '+12125550100') RETURNING id`,
    [clientId],
  );
  const rep = await pg.query<{ id: string }>(
    `INSERT INTO sales_reps (client_id, name, email) VALUES ($1, 'Rep', 'rep@stall.example') RETURNING id`,
    [clientId],
  );
  const caller = await pg.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, 'x', 'caller') RETURNING id`,
    [`stall-${clientId}@test.example`],
  );
  await pg.query(
    `INSERT INTO contacts (client_id, campaign_id, phone, time_zones)
     SELECT $1, $2, '+1512' || lpad(g::text, 7, '0'), ARRAY['America/Chicago'] FROM generate_series(1, $3) g`,
    [clientId, campaign.rows[0].id, count],
  );
  await pg.query(
    `INSERT INTO referrals (client_id, campaign_id, call_id, contact_id, caller_id, rating, score, need, timeframe,
                            budget, decision_maker, employees, expecting_call, next_step, contact, status,
                            rep_id, routing_reason, published_at, feed_seq, feed_day)
     SELECT $1, $2, gen_random_uuid(), c.id, $3, 'needs_work', (c.id * 37) % 101,
            'Needs a quote ' || c.id || ' ' || repeat('for rooftop solar ', $6::int / 18),
            'quarter', 'likely', 'yes', 50, true, 'quote',
            json_build_object('name', 'Dana ' || c.id, 'title', 'Director', 'phone', c.phone,
                              'email', 'dana' || c.id || '@example.com', 'company', 'Whitfield ' || c.id),
            'published', $4, 'test', $5::date + time '18:00', nextval('referral_feed_seq'), $5::date
       FROM contacts c WHERE c.campaign_id = $2`,
    [clientId, campaign.rows[0].id, caller.rows[0].id, rep.rows[0].id, DAY, needChars],
  );
  return count;
}

interface Stalled {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body of a refusal (empty for a 200). */
  body: string;
  /** Reads on to the end: whether the answer came whole, and its bytes. */
  resume(): Promise<{ complete: boolean; bytes: number }>;
  destroy(): void;
}

/**
 * A real socket that asks for a stream, reads about 1 KB of it and stops reading (a refusal is
 * read whole). No answer within 5 s counts as status 0 (a request waiting on the pool).
 */
function openAndStall(port: number, path: string, token: string, accept: string): Promise<Stalled> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: { authorization: `Bearer ${token}`, accept },
    });
    const noAnswer = setTimeout(() => {
      resolve({
        status: 0,
        headers: {},
        body: '',
        resume: () => Promise.resolve({ complete: false, bytes: 0 }),
        destroy: () => req.destroy(),
      });
    }, 5000);
    req.on('error', () => undefined);
    req.on('response', (res) => {
      clearTimeout(noAnswer);
      let bytes = 0;
      let body = '';
      const ended = new Promise<{ complete: boolean; bytes: number }>((done) => {
        res.on('close', () => done({ complete: res.complete, bytes }));
      });
      res.on('error', () => undefined);
      const stalled: Stalled = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: '',
        resume: () => {
          res.resume();
          return ended;
        },
        destroy: () => req.destroy(),
      };
      if (res.statusCode !== 200) {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ ...stalled, body }));
        return;
      }
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= 1024) {
          res.pause();
          res.off('data', onData);
          res.on('data', (c: Buffer) => (bytes += c.length));
          resolve(stalled);
        }
      };
      res.on('data', onData);
      res.on('end', () => resolve(stalled));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads a whole stream over a real socket; counts its lines. */
function readAll(
  port: number,
  path: string,
  token: string,
  accept: string,
): Promise<{ status: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: { authorization: `Bearer ${token}`, accept },
      },
      (res) => {
        let lines = 0;
        res.on('data', (c: Buffer) => {
          for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, lines }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
