import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { AppConfig } from '../src/config/app-config';
import { DeliveryWorker } from '../src/webhooks/delivery-worker';
import { sql } from './pg-server';
import { TestContext } from './harness';
import { asUser, COMPLETE, referralSetup, referVia } from './referral-fixtures';

const FAST: AppConfig['webhooks'] = {
  deliver: true,
  retrySeconds: [0.1, 0.1, 0.1],
  timeoutSeconds: 1,
  pollSeconds: 1,
};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  signatureOk: boolean;
}

/**
 * A client's receiver on 127.0.0.1 that checks the Standard Webhooks signature itself (HMAC-SHA256
 * of "id.timestamp.body" keyed with the secret's bytes) and answers what `answer` says.
 */
async function receiver(
  answer: (n: number) => number | 'hang' | { status: number; afterMs: number },
) {
  const got: Received[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const ts = String(req.headers['webhook-timestamp']);
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const expected = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
      got.push({
        headers: req.headers,
        body,
        signatureOk: req.headers['webhook-signature'] === expected,
      });
      const a = answer(got.length);
      if (a === 'hang') return;
      const send = (status: number) => {
        res.statusCode = status;
        res.end();
      };
      if (typeof a === 'number') send(a);
      else setTimeout(() => send(a.status), a.afterMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    got,
    setSecret: (s: string) => (secret = s),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client of its own with an endpoint at receiver `r`, and one referral published to it. */
async function publishedTo(
  own: TestContext,
  r: Awaited<ReturnType<typeof receiver>>,
): Promise<{ referralId: string }> {
  const s = await referralSetup(own);
  const ep = await asUser(own, own.adminToken)
    .post(`/clients/${s.clientId}/webhooks`, { url: r.url })
    .expect(201);
  r.setSecret(ep.body.secret as string);
  return referVia(own, s.campaignId, s.caller, COMPLETE);
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, seconds = 20): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks: published referrals pushed to the client', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create({ webhookAllowPrivateUrls: true, webhooks: FAST });
  });
  afterAll(() => ctx.close());

  const deliveries = (clientId: string, token = ctx.adminToken) =>
    asUser(ctx, token)
      .get(`/clients/${clientId}/webhook-deliveries`)
      .expect(200)
      .then(
        (r) =>
          r.body as {
            id: string;
            status: string;
            attempts: number;
            attemptLog: { statusCode: number | null; error: string | null }[];
          }[],
      );

  async function endpoint(clientId: string, url: string) {
    const res = await asUser(ctx, ctx.adminToken)
      .post(`/clients/${clientId}/webhooks`, { url })
      .expect(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    return res.body as { id: string; secret: string };
  }

  it('shows the secret once, and refuses private addresses unless the operator allows them', async () => {
    const strict = await TestContext.create();
    try {
      const { clientId, am } = await referralSetup(strict);
      for (const url of [
        'http://127.0.0.1:9/x',
        'http://10.1.2.3/x',
        'http://[::1]/x',
        'http://169.254.169.254/latest',
        'ftp://93.184.216.34/x',
        'not a url',
      ]) {
        const res = await asUser(strict, am.token)
          .post(`/clients/${clientId}/webhooks`, { url })
          .expect(400);
        expect([url, res.body.details[0].field]).toEqual([url, 'url']);
      }
      const ok = await asUser(strict, am.token)
        .post(`/clients/${clientId}/webhooks`, { url: 'https://93.184.216.34/hooks' })
        .expect(201);
      expect(ok.body.secret).toMatch(/^whsec_/);
      const list = await asUser(strict, am.token).get(`/clients/${clientId}/webhooks`).expect(200);
      expect(list.body).toEqual([
        {
          id: ok.body.id,
          url: 'https://93.184.216.34/hooks',
          active: true,
          disabledReason: null,
          createdAt: expect.any(String),
        },
      ]);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');
    } finally {
      await strict.close();
    }
  });

  it("refuses the host's own addresses and every special-purpose range, in any notation", async () => {
    const strict = await TestContext.create();
    try {
      const { clientId, am } = await referralSetup(strict);
      // This machine's own interfaces (whatever their range: public ones too), at the service's port.
      const own = Object.values(networkInterfaces())
        .flatMap((infos) => infos ?? [])
        .map((i) => (i.family === 'IPv6' ? `[${i.address}]` : i.address));
      const answers: [string, number, string | undefined, string][] = [];
      for (const host of [
        ...own,
        '2130706433',
        '0x7f.1',
        '[::ffff:7f00:1]',
        '[::127.0.0.1]',
        '[64:ff9b::127.0.0.1]',
        '[2002:7f00:1::]',
        '192.0.2.10',
        '198.18.0.1',
        '203.0.113.5',
        '240.0.0.1',
        '[fec0::1]',
      ]) {
        const url = `http://${host}:3000/health`;
        const res = await asUser(strict, am.token).post(`/clients/${clientId}/webhooks`, { url });
        answers.push([url, res.status, res.body.details?.[0]?.field, res.body.message]);
      }
      expect(answers.map(([url, status, field]) => [url, status, field])).toEqual(
        answers.map(([url]) => [url, 400, 'url']),
      );
      for (const [url, , , message] of answers) {
        expect([url, message]).toEqual([
          url,
          expect.stringMatching(/^The URL points at \S+, an? /),
        ]);
      }
      const [{ n }] = await sql<{ n: number }>(
        strict.dbUrl,
        'SELECT count(*)::int AS n FROM webhook_endpoints',
      );
      expect(n).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('retries a failing receiver with the same id until it answers, each attempt signed and logged', async () => {
    const r = await receiver((n) => (n <= 2 ? 500 : 204));
    try {
      const s = await referralSetup(ctx);
      const ep = await endpoint(s.clientId, r.url);
      r.setSecret(ep.secret);
      const out = await referVia(ctx, s.campaignId, s.caller, COMPLETE);
      const log = await until(
        () => deliveries(s.clientId, s.am.token),
        (d) => d[0]?.status === 'delivered',
      );
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(log[0].attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 204]);
      expect(r.got).toHaveLength(3);
      expect(new Set(r.got.map((g) => g.headers['webhook-id']))).toEqual(new Set([log[0].id]));
      expect(r.got.every((g) => g.signatureOk)).toBe(true);
      expect(new Set(r.got.map((g) => g.body)).size).toBe(1);
      const body = JSON.parse(r.got[0].body);
      expect(body).toMatchObject({
        type: 'referral.published',
        data: {
          id: out.referralId,
          rating: 'needs_work',
          contact: { name: COMPLETE.contact.name },
        },
      });
      // The same shape as the pull feed.
      const key = (await ctx.newApiKey(s.clientId)).key;
      const pulled = await ctx
        .http()
        .get('/v1/referrals')
        .auth(key, { type: 'bearer' })
        .expect(200);
      expect(body.data).toEqual(pulled.body.data[0]);
    } finally {
      await r.close();
    }
  });

  it('gives up on a receiver that never answers, after the schedule, and shows why', async () => {
    const r = await receiver(() => 'hang');
    try {
      const s = await referralSetup(ctx);
      await endpoint(s.clientId, r.url);
      await referVia(ctx, s.campaignId, s.caller, COMPLETE);
      const log = await until(
        () => deliveries(s.clientId),
        (d) => d[0]?.status === 'failed',
        30,
      );
      expect(log[0]).toMatchObject({ status: 'failed', attempts: 4 });
      expect(
        log[0].attemptLog.every(
          (a) => a.statusCode === null && /no answer within 1 s/.test(a.error ?? ''),
        ),
      ).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('disables an endpoint that answers 410 and sends it nothing more', async () => {
    const r = await receiver(() => 410);
    try {
      const s = await referralSetup(ctx);
      const ep = await endpoint(s.clientId, r.url);
      await referVia(ctx, s.campaignId, s.caller, COMPLETE);
      const log = await until(
        () => deliveries(s.clientId),
        (d) => d[0]?.status === 'failed',
      );
      expect(log[0]).toMatchObject({ attempts: 1 });
      const list = await asUser(ctx, ctx.adminToken)
        .get(`/clients/${s.clientId}/webhooks`)
        .expect(200);
      expect(list.body[0]).toMatchObject({
        id: ep.id,
        active: false,
        disabledReason: expect.stringMatching(/410/),
      });
      await referVia(ctx, s.campaignId, s.caller, COMPLETE);
      expect(await deliveries(s.clientId)).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('moves a delivery on once when two jobs attempt it, and lets no stray job send before its time', async () => {
    const r = await receiver(() => 500);
    const own = await TestContext.create({
      webhookAllowPrivateUrls: true,
      webhooks: { ...FAST, deliver: false, retrySeconds: [30, 30, 30] },
    });
    try {
      const out = await publishedTo(own, r);
      const [d] = await sql<{ id: string }>(
        own.dbUrl,
        'SELECT id FROM webhook_deliveries WHERE referral_id = $1',
        [out.referralId],
      );
      const jobs = async () =>
        (
          await sql<{ n: number }>(
            own.dbUrl,
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery' AND state = 'created'`,
          )
        )[0].n;
      expect(await jobs()).toBe(1);
      const worker = own.app.get(DeliveryWorker);
      // Two jobs of one delivery at once (a batch the queue retried whole): both may send, one
      // moves the delivery on and schedules the next try.
      await Promise.all([worker.attempt(d.id), worker.attempt(d.id)]);
      const state = async () =>
        (
          await sql<{ attempts: number; tries: number }>(
            own.dbUrl,
            `SELECT d.attempts, (SELECT count(*)::int FROM webhook_attempts a WHERE a.delivery_id = d.id) AS tries
               FROM webhook_deliveries d WHERE d.id = $1`,
            [d.id],
          )
        )[0];
      expect(await state()).toEqual({ attempts: 1, tries: r.got.length });
      expect(await jobs()).toBe(2);
      // A stray job before the next try is due sends nothing and counts nothing.
      const sent = r.got.length;
      await worker.attempt(d.id);
      expect(r.got).toHaveLength(sent);
      expect((await state()).attempts).toBe(1);
    } finally {
      await own.close();
      await r.close();
    }
  });

  it('lets a send under way at shutdown get its answer and be recorded, so no other instance sends it again', async () => {
    // The receiver takes 6 s: longer than pg-boss's default wait, within the send's timeout.
    const r = await receiver(() => ({ status: 204, afterMs: 6000 }));
    const own = await TestContext.create({
      webhookAllowPrivateUrls: true,
      webhooks: { ...FAST, timeoutSeconds: 10 },
    });
    try {
      const out = await publishedTo(own, r);
      await until(
        async () => r.got.length,
        (n) => n === 1,
      );
      // Shut down mid-send; the next instance has a worker too.
      await own.restart({ webhooks: { ...FAST, timeoutSeconds: 10 } });
      const [row] = await sql<{ status: string; attempts: number }>(
        own.dbUrl,
        'SELECT status, attempts FROM webhook_deliveries WHERE referral_id = $1',
        [out.referralId],
      );
      expect(row).toEqual({ status: 'delivered', attempts: 1 });
      await new Promise((done) => setTimeout(done, 1500));
      expect(r.got).toHaveLength(1);
    } finally {
      await own.close();
      await r.close();
    }
  }, 30_000);

  it('delivers after a crash between publishing and sending: the outbox survives in the database', async () => {
    const r = await receiver(() => 200);
    const own = await TestContext.create({
      webhookAllowPrivateUrls: true,
      webhooks: { ...FAST, deliver: false },
    });
    try {
      const out = await publishedTo(own, r);
      const [pending] = await sql<{ status: string; attempts: number }>(
        own.dbUrl,
        'SELECT status, attempts FROM webhook_deliveries WHERE referral_id = $1',
        [out.referralId],
      );
      expect(pending).toEqual({ status: 'pending', attempts: 0 });
      const [job] = await sql<{ n: number }>(
        own.dbUrl,
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'webhook-delivery' AND state = 'created'`,
      );
      expect(job.n).toBe(1);
      // The process goes away before any worker sent it; a new one (with a worker) picks it up.
      await own.restart({ webhooks: FAST });
      const [done] = await until(
        () =>
          sql<{ status: string }>(
            own.dbUrl,
            'SELECT status FROM webhook_deliveries WHERE referral_id = $1',
            [out.referralId],
          ),
        (rows) => rows[0]?.status === 'delivered',
      );
      expect(done.status).toBe('delivered');
      expect(r.got).toHaveLength(1);
      expect(r.got[0].signatureOk).toBe(true);
    } finally {
      await own.close();
      await r.close();
    }
  });
});
