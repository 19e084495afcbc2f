import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/** Every error body: API.md's shape. */
const errorBody = (statusCode: number, code: string) => ({
  statusCode,
  error: expect.any(String),
  code,
  message: expect.any(String),
  details: expect.any(Array),
});

const fieldsOf = (body: { details: { field: string }[] }) =>
  [...new Set(body.details.map((d) => d.field))].sort();

/** `{"email": [[[…]]], "password": "x"}` with the whole body nested `levels` deep. */
const nested = (levels: number) =>
  `{"email":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},"password":"x"}`;

describe('hostile and malformed input', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const login = (body: string) =>
    ctx.http().post('/auth/login').set('Content-Type', 'application/json').send(body);

  describe('JSON bodies are bounded before they are parsed (M3)', () => {
    it('takes a body 32 levels deep or of 5,000 values to validation, and refuses one more before parsing it', async () => {
      const refused = (message: string) => ({
        statusCode: 400,
        error: 'Bad Request',
        code: 'invalid',
        message,
        details: [],
      });
      const deepest = await login(nested(32)).expect(400);
      expect(fieldsOf(deepest.body)).toEqual(['email']);
      const deeper = await login(nested(33)).expect(400);
      expect(deeper.body).toEqual(refused('The JSON body is nested deeper than 32 levels'));

      // Two members and 4,998 elements: 5,000 values.
      const values = (elements: number) =>
        `{"email":[${Array(elements).fill(1).join(',')}],"password":"x"}`;
      const widest = await login(values(4_998)).expect(400);
      expect(fieldsOf(widest.body)).toEqual(['email']);
      const wider = await login(values(4_999)).expect(400);
      expect(wider.body).toEqual(refused('The JSON body holds more than 5000 values'));

      // Brackets, commas and escaped quotes inside strings are text, not structure.
      const text = '[{,\\"'.repeat(2_000);
      const inString = await login(JSON.stringify({ email: text, password: text })).expect(400);
      expect(fieldsOf(inString.body)).toEqual(['email', 'password']);
    });

    it('answers 400 once the 33rd level arrives, without waiting for (or reading) the rest of the body', async () => {
      // A sign-in body that announces 1 MB but sends only its first 40 bytes, then stops: the
      // answer can only come from a check of the bytes as they arrive, not from a parse of the body.
      const server = ctx.app.getHttpServer();
      if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': 1_000_000 },
      });
      req.on('error', () => undefined); // the service closes the connection after its answer
      const answer = new Promise<{ status: number; body: string } | 'no answer'>((resolve) => {
        const timer = setTimeout(() => resolve('no answer'), 10_000);
        req.on('response', (res: IncomingMessage) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
      });
      req.write('{"email":' + '['.repeat(40));
      try {
        const got = await answer;
        expect(got).not.toBe('no answer');
        if (got === 'no answer') return;
        expect(got.status).toBe(400);
        expect(JSON.parse(got.body)).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          code: 'invalid',
          message: 'The JSON body is nested deeper than 32 levels',
          details: [],
        });
      } finally {
        req.destroy();
      }
    });

    it('refuses deep and wide sign-in bodies for a bounded amount of CPU, the service answering throughout', async () => {
      // Hostile bodies close to the 1 MB limit: 250,000 levels deep (the stack overflowed in
      // validation: about half a second of CPU and a 500 each), and 20,000 unknown fields (each
      // validated, then named in a 1 MB answer: about a second each). Each now costs about what
      // a small refused body does. CPU time of this process (service and supertest), not time.
      const deep = nested(250_000);
      const wide = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
      const n = 8;
      const measure = async (body: string) => {
        const answers: { status: number; body: unknown; size: number }[] = [];
        const before = process.cpuUsage();
        for (let i = 0; i < n; i++) {
          const res = await login(body);
          answers.push({ status: res.status, body: res.body, size: res.text.length });
        }
        const used = process.cpuUsage(before);
        return { cpu: used.user + used.system, answers };
      };
      // Warm-up (first-call compilation), then the baseline: a small body validation refuses.
      await login('{}').expect(400);
      const baseline = await measure('{}');
      const deepRun = await measure(deep);
      const wideRun = await measure(wide);
      // Sending ~1 MB through supertest costs a few times a small request; parsing and
      // validating these bodies cost a hundred times and more.
      const bound = 10 * Math.max(baseline.cpu, 1000 * n);
      const cpu = { deep: deepRun.cpu, wide: wideRun.cpu };
      expect(cpu.deep).toBeLessThan(bound);
      expect(cpu.wide).toBeLessThan(bound);

      for (const a of baseline.answers) expect(a.body).toEqual(errorBody(400, 'invalid'));
      for (const a of deepRun.answers) {
        expect(a).toMatchObject({
          status: 400,
          body: { code: 'invalid', message: 'The JSON body is nested deeper than 32 levels' },
        });
      }
      for (const a of wideRun.answers) {
        expect(a).toMatchObject({
          status: 400,
          body: { code: 'invalid', message: 'The JSON body holds more than 5000 values' },
        });
        expect(a.size).toBeLessThan(1000);
      }
      await ctx.http().get('/health').expect(200);
    });
  });

  describe('media types', () => {
    it.each([
      'text/plain',
      'text/csv',
      'application/octet-stream',
      'application/x-www-form-urlencoded',
    ])('a JSON route sent %s answers 415 in the API shape', async (type) => {
      const res = await ctx
        .http()
        .post('/clients')
        .auth(ctx.adminToken, { type: 'bearer' })
        .set('Content-Type', type)
        .send(type.includes('form') ? 'name=Acme' : '{"name":"Acme"}')
        .expect(415);
      expect(res.body).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'unsupported_media_type',
        message: expect.stringContaining('application/json'),
        details: [],
      });
    });

    it('uploads still take text/csv and refuse JSON; a route without a body takes an empty one of any type', async () => {
      ctx.clock.set('2026-03-02T18:00:00Z');
      const c = await ctx.activeCampaign();
      const report = await ctx.importCsv(c.campaignId, 'phone,state\n(213) 300-0101,CA\n');
      expect(report).toMatchObject({ status: 'completed', imported: 1 });
      const json = await ctx
        .http()
        .post(`/campaigns/${c.campaignId}/imports`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .send({ phone: '(213) 300-0102' })
        .expect(415);
      expect(json.body).toEqual(errorBody(415, 'unsupported_media_type'));

      const caller = c.callers[0];
      await ctx.importCsv(c.campaignId, 'phone,state\n(213) 300-0103,CA\n');
      const claim = async () =>
        (
          await ctx
            .http()
            .post('/calls/next')
            .auth(caller.token, { type: 'bearer' })
            .send({ campaignId: c.campaignId })
            .expect(200)
        ).body.callId as string;
      // As a browser's fetch() sends it: the JSON type, no body.
      await ctx
        .http()
        .post(`/calls/${await claim()}/release`)
        .auth(caller.token, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .expect(204);
      const callId = await claim();
      await ctx
        .http()
        .post(`/calls/${callId}/dial`)
        .auth(caller.token, { type: 'bearer' })
        .set('Content-Type', 'text/plain')
        .send('')
        .expect(200);
    });
  });

  describe('text a database cannot keep', () => {
    const post = (u: TestUser, path: string, body: object) =>
      ctx.http().post(path).auth(u.token, { type: 'bearer' }).send(body);

    it("refuses a caller's outcome with a NUL in its notes, naming notes, and takes the clean one after: nothing lost", async () => {
      ctx.clock.set('2026-03-02T18:00:00Z');
      const c = await ctx.activeCampaign();
      await ctx.importCsv(c.campaignId, 'phone,state\n(213) 300-0201,CA\n');
      const caller = c.callers[0];
      const claimed = await post(caller, '/calls/next', { campaignId: c.campaignId }).expect(200);
      const callId = claimed.body.callId as string;
      await post(caller, `/calls/${callId}/dial`, {}).expect(200);
      for (const event of ['ringing', 'answered']) {
        await post(caller, `/telephony/simulated/calls/${callId}/events`, { event }).expect(200);
      }
      ctx.clock.advance(60);
      await post(caller, `/telephony/simulated/calls/${callId}/events`, {
        event: 'completed',
      }).expect(200);

      const nul = await post(caller, `/calls/${callId}/outcome`, {
        disposition: 'not_interested',
        notes: 'Said no\u0000 politely',
      }).expect(400);
      expect(nul.body).toMatchObject(errorBody(400, 'invalid'));
      expect(nul.body.details).toEqual([{ field: 'notes', message: expect.stringMatching(/NUL/) }]);
      const half = await post(caller, `/calls/${callId}/outcome`, {
        disposition: 'not_interested',
        notes: 'Said no \ud83d politely',
      }).expect(400);
      expect(fieldsOf(half.body)).toEqual(['notes']);

      // The call still waits for its outcome, and takes it.
      const current = await ctx
        .http()
        .get('/calls/current')
        .auth(caller.token, { type: 'bearer' })
        .expect(200);
      expect(current.body.callId).toBe(callId);
      await post(caller, `/calls/${callId}/outcome`, {
        disposition: 'not_interested',
        notes: 'Said no politely \ud83d\ude42',
      }).expect(200);
      const [row] = await sql<{ disposition: string; notes: string }>(
        ctx.dbUrl,
        `SELECT disposition, outcome->>'notes' AS notes FROM calls WHERE id = $1`,
        [callId],
      );
      expect(row).toEqual({
        disposition: 'not_interested',
        notes: 'Said no politely \ud83d\ude42',
      });
    });

    it('names the field of a NUL or a lone surrogate anywhere: nested, in a key, in the query or the path', async () => {
      const admin = { token: ctx.adminToken } as TestUser;
      const surrogate = await ctx
        .http()
        .post('/clients')
        .auth(ctx.adminToken, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send('{"name":"Acme \\udc00 Solar"}')
        .expect(400);
      expect(surrogate.body.details).toEqual([
        { field: 'name', message: expect.stringMatching(/surrogate/) },
      ]);
      const client = await ctx.newClient();
      const rep = await post(admin, `/clients/${client.id}/reps`, {
        name: 'Dana',
        email: 'dana@example.com',
        specialties: ['solar', 'roof\u0000'],
      }).expect(400);
      expect(fieldsOf(rep.body)).toEqual(['specialties.1']);
      const key = await ctx
        .http()
        .post('/clients')
        .auth(ctx.adminToken, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send('{"name":"Acme","a\\u0000b":1}')
        .expect(400);
      expect(fieldsOf(key.body)).toEqual(['a\\u0000b']);
      const query = await ctx
        .http()
        .get('/dnc/212%00736%005000')
        .auth(ctx.adminToken, { type: 'bearer' })
        .expect(400);
      expect(fieldsOf(query.body)).toEqual(['phone']);
      // Not UTF-8 at all (an encoded lone surrogate): refused before routing, in the same shape.
      const url = await ctx
        .http()
        .get('/dnc/%ED%A0%80')
        .auth(ctx.adminToken, { type: 'bearer' })
        .expect(400);
      expect(url.body).toEqual(errorBody(400, 'invalid'));
    });
  });

  describe('impossible dates', () => {
    it('answers 400 naming the field for a day that is not on the calendar or out of range', async () => {
      const client = await ctx.newClient();
      const apiKey = await ctx.newApiKey(client.id);
      const get = (path: string, token = ctx.adminToken) =>
        ctx.http().get(path).auth(token, { type: 'bearer' });
      for (const [path, field, token] of [
        ['/referrals?day=2026-13-45', 'day', ctx.adminToken],
        ['/referrals?day=2026-02-29', 'day', ctx.adminToken],
        ['/referrals?day=0000-01-01', 'day', ctx.adminToken],
        ['/v1/referrals?date=0000-01-01', 'date', apiKey.key],
        [`/reports/clients/${client.id}?to=9999-12-15`, 'to', ctx.adminToken],
        [`/reports/clients/${client.id}?from=2026-04-31`, 'from', ctx.adminToken],
      ]) {
        const res = await get(path, token);
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 400,
          body: { ...errorBody(400, 'invalid'), details: [{ field, message: expect.any(String) }] },
        });
      }
      await get('/referrals?day=2024-02-29').expect(200);
      await get('/v1/referrals?date=2026-03-02', apiKey.key).expect(200);
    });
  });
});
