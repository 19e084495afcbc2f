import { ERROR_CODES } from '../src/common/error-codes';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/**
 * Every refusal of the caller's loop carries a stable `code` beside its words (the console
 * branches on it), and every other error a generic one from its status.
 */
describe('error codes', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const post = (caller: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(caller.token, { type: 'bearer' }).send(body);
  const event = (caller: TestUser, callId: string, name: string) =>
    post(caller, `/telephony/simulated/calls/${callId}/events`, { event: name }).expect(200);
  const admin = (method: 'patch' | 'put' | 'post', path: string, body: object) =>
    ctx.http()[method](path).auth(ctx.adminToken, { type: 'bearer' }).send(body);

  /** An active campaign of two callers with the Los Angeles (or given state's) contacts given. */
  async function setup(phones: string[], state = 'CA', at = '2026-03-02T18:00:00Z') {
    ctx.clock.set(at);
    const c = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(
      c.campaignId,
      `phone,state\n${phones.map((p) => `${p},${state}`).join('\n')}\n`,
    );
    return c;
  }

  /** A refusal: its status, the full error shape, and its code. */
  const refusal = (status: number, code: string) =>
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      code,
      message: expect.any(String),
      details: [],
    });

  it('lease_lost: the dial after the hold expired, and after the contact was given back', async () => {
    const { campaignId, callers } = await setup(['(213) 600-0001', '(213) 600-0002']);
    const [a] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    ctx.clock.advance(901);
    const expired = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(expired.body).toEqual(refusal(409, 'lease_lost'));
    const next = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${next.body.callId}/release`).expect(204);
    const released = await post(a, `/calls/${next.body.callId}/dial`).expect(409);
    expect(released.body.code).toBe('lease_lost');
  });

  it('call_live: a second dial while on a call, and an outcome before hang-up', async () => {
    const { campaignId, callers } = await setup(['(213) 600-0003', '(213) 600-0004']);
    const [a] = callers;
    const first = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${first.body.callId}/dial`).expect(200);
    await event(a, first.body.callId, 'answered');
    const second = await post(a, '/calls/next', { campaignId }).expect(200);
    const busy = await post(a, `/calls/${second.body.callId}/dial`).expect(409);
    expect(busy.body).toEqual(refusal(409, 'call_live'));
    const early = await post(a, `/calls/${first.body.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(409);
    expect(early.body).toEqual(refusal(409, 'call_live'));
  });

  it('wrap_up_over: an outcome after the wrap-up window; outcome_recorded: a different second one', async () => {
    const { campaignId, callers } = await setup(['(213) 600-0005', '(213) 600-0006']);
    const [a] = callers;
    const first = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${first.body.callId}/dial`).expect(200);
    await event(a, first.body.callId, 'answered');
    ctx.clock.advance(60);
    await event(a, first.body.callId, 'completed');
    ctx.clock.advance(ctx.config.wrapUpSeconds + 1);
    const late = await post(a, `/calls/${first.body.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(409);
    expect(late.body).toEqual(refusal(409, 'wrap_up_over'));

    const second = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${second.body.callId}/outcome`, { disposition: 'no_answer' }).expect(200);
    const other = await post(a, `/calls/${second.body.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(409);
    expect(other.body).toEqual(refusal(409, 'outcome_recorded'));
  });

  it('outside_calling_hours: the dial once the local time has left the window', async () => {
    // 20:55 in Los Angeles: the claim is inside the window, the dial six minutes later is not.
    const { campaignId, callers } = await setup(['(213) 600-0007'], 'CA', '2026-03-03T04:55:00Z');
    const [a] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    ctx.clock.advance(6 * 60);
    const late = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(late.body).toEqual(refusal(409, 'outside_calling_hours'));
  });

  it('campaign_not_active and not_on_campaign: the dial after the campaign paused or the caller was taken off', async () => {
    const { campaignId, callers } = await setup(['(213) 600-0008', '(213) 600-0009']);
    const [a, b] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    await admin('patch', `/campaigns/${campaignId}`, { status: 'paused' }).expect(200);
    const paused = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(paused.body).toEqual(refusal(409, 'campaign_not_active'));

    await admin('patch', `/campaigns/${campaignId}`, { status: 'active' }).expect(200);
    const mine = await post(a, '/calls/next', { campaignId }).expect(200);
    await admin('put', `/campaigns/${campaignId}/callers`, { callerIds: [b.id] }).expect(200);
    const off = await post(a, `/calls/${mine.body.callId}/dial`).expect(409);
    expect(off.body).toEqual(refusal(409, 'not_on_campaign'));
  });

  it('on_do_not_call: the dial of a number listed after the claim', async () => {
    const { campaignId, callers, clientId } = await setup(['(213) 600-0010']);
    const [a] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    // Listed between claim and dial without the lease being dropped (a race): the dial checks again.
    await sql(
      ctx.dbUrl,
      `INSERT INTO dnc_numbers (phone, client_id, source) VALUES ($1, $2, 'manual')`,
      [held.body.contact.phone, clientId],
    );
    const listed = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(listed.body).toEqual(refusal(409, 'on_do_not_call'));
  });

  it('daily_limit: the dial of a Florida number that had its third call meanwhile', async () => {
    const { campaignId, callers, clientId } = await setup(['(305) 600-0011'], 'FL');
    const [a] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    // Three calls made meanwhile from other phones (outcomes without a dial here count too).
    for (let i = 0; i < 3; i++) {
      await sql(
        ctx.dbUrl,
        `INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, lease_expires_at,
                            disposition, outcome_at)
         VALUES ($1, $2, $3, $4, $5, 'completed', $6, 'no_answer', $6)`,
        [
          clientId,
          campaignId,
          held.body.contact.id,
          callers[1].id,
          held.body.contact.phone,
          ctx.clock.now(),
        ],
      );
    }
    const limited = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(limited.body).toEqual(refusal(409, 'daily_limit'));
  });

  it('call_placed and another_contact_taken: taking back a dial too late', async () => {
    const { campaignId, callers } = await setup([
      '(213) 600-0012',
      '(213) 600-0013',
      '(213) 600-0014',
    ]);
    const [a, b] = callers;
    const x = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${x.body.callId}/dial`).expect(200);
    await post(a, '/calls/next', { campaignId }).expect(200);
    const taken = await post(a, `/calls/${x.body.callId}/cancel-dial`).expect(409);
    expect(taken.body).toEqual(refusal(409, 'another_contact_taken'));

    const y = await post(b, '/calls/next', { campaignId }).expect(200);
    await post(b, `/calls/${y.body.callId}/dial`).expect(200);
    await event(b, y.body.callId, 'ringing');
    const placed = await post(b, `/calls/${y.body.callId}/cancel-dial`).expect(409);
    expect(placed.body).toEqual(refusal(409, 'call_placed'));
  });

  it('not_dialed: a simulated phone event for a call not dialed', async () => {
    const { campaignId, callers } = await setup(['(213) 600-0015']);
    const held = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    const res = await post(callers[0], `/telephony/simulated/calls/${held.body.callId}/events`, {
      event: 'answered',
    }).expect(409);
    expect(res.body).toEqual(refusal(409, 'not_dialed'));
  });

  it('gives a generic code when there is no specific reason, and still names the fields', async () => {
    const caller = await ctx.newUser('caller');
    const invalid = await post(caller, '/calls/next', { campaignId: 'nope', extra: 1 }).expect(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'invalid' });
    expect(invalid.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'campaignId',
      'extra',
    ]);
    const outcome = await post(caller, '/calls/00000000-0000-4000-8000-000000000000/outcome', {
      disposition: 'maybe',
    }).expect(400);
    expect(outcome.body.code).toBe('invalid');
    expect(outcome.body.details).toEqual([{ field: 'disposition', message: expect.any(String) }]);
    const missing = await post(caller, '/calls/00000000-0000-4000-8000-000000000000/dial').expect(
      404,
    );
    expect(missing.body).toEqual(refusal(404, 'not_found'));
    const anon = await ctx.http().post('/calls/next').send({}).expect(401);
    expect(anon.body.code).toBe('unauthenticated');
    const staff = await ctx
      .http()
      .post('/calls/next')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({})
      .expect(403);
    expect(staff.body.code).toBe('forbidden');
    const malformed = await ctx
      .http()
      .post('/calls/next')
      .auth(caller.token, { type: 'bearer' })
      .set('Content-Type', 'application/json')
      .send('{"campaignId": ')
      .expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, code: 'invalid', details: [] });
    const unknown = await ctx.http().get('/no-such-route').expect(404);
    expect(unknown.body.code).toBe('not_found');
    // Every code given is one of the documented list.
    for (const body of [invalid.body, outcome.body, missing.body, anon.body, staff.body]) {
      expect(ERROR_CODES).toContain(body.code);
    }
  });

  it('documents the codes in OpenAPI: one ErrorBody schema, its code an enum of the list, on the calls routes', async () => {
    const { body: doc } = await ctx.http().get('/docs-json').expect(200);
    const schemas = doc.components.schemas;
    const resolve = (s: { $ref?: string; allOf?: { $ref: string }[] }) => {
      const ref = s.$ref ?? s.allOf?.[0]?.$ref;
      return ref ? schemas[ref.replace('#/components/schemas/', '')] : s;
    };
    const errorBody = schemas.ErrorBody;
    expect(errorBody.required).toEqual(
      expect.arrayContaining(['statusCode', 'error', 'code', 'message', 'details']),
    );
    expect(resolve(errorBody.properties.code).enum).toEqual([...ERROR_CODES]);
    for (const [path, method, status] of [
      ['/calls/{callId}/dial', 'post', '409'],
      ['/calls/{callId}/outcome', 'post', '409'],
      ['/calls/{callId}/cancel-dial', 'post', '409'],
      ['/calls/next', 'post', '400'],
      ['/calls/current', 'get', '403'],
    ]) {
      const response = doc.paths[path][method].responses[status];
      expect([path, status, response?.content['application/json'].schema]).toEqual([
        path,
        status,
        { $ref: '#/components/schemas/ErrorBody' },
      ]);
    }
    const dial = doc.paths['/calls/{callId}/dial'].post.responses['409'].description as string;
    for (const code of ['lease_lost', 'call_live', 'outside_calling_hours', 'daily_limit']) {
      expect(dial).toContain(code);
    }
  });
});
