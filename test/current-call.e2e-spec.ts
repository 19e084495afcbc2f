import { TestContext, type TestUser } from './harness';

/** `GET /calls/current`: a reloaded console comes back to the caller's open lease or call. */
describe('the current call', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const post = (caller: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(caller.token, { type: 'bearer' }).send(body);
  const current = (token: string) =>
    ctx.http().get('/calls/current').auth(token, { type: 'bearer' });
  const event = (caller: TestUser, callId: string, name: string) =>
    post(caller, `/telephony/simulated/calls/${callId}/events`, { event: name }).expect(200);

  async function setup(phones: string[]) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const c = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(c.campaignId, `phone,state\n${phones.map((p) => `${p},CA`).join('\n')}\n`);
    return c;
  }

  it('follows one call from the lease to the end of its wrap-up, for its caller only', async () => {
    const { campaignId, callers } = await setup(['(213) 700-0001']);
    const [me, other] = callers;
    const none = await current(me.token).expect(204);
    expect(none.text).toBe('');

    const claimed = await post(me, '/calls/next', { campaignId }).expect(200);
    const callId = claimed.body.callId as string;
    const leased = await current(me.token).expect(200);
    // The claim's answer, as is, plus where the call is.
    const { call, ...claim } = leased.body;
    expect(claim).toEqual(claimed.body);
    expect(claim.earlierCalls).toEqual([]);
    expect(call).toEqual({
      state: 'leased',
      dialedAt: null,
      answeredAt: null,
      endedAt: null,
      wrapUpEndsAt: null,
      capSeconds: null,
      extended: false,
      hitCap: false,
      capSecondsLeft: null,
      wrapUpSecondsLeft: null,
    });
    await current(other.token).expect(204);

    ctx.clock.advance(10);
    await post(me, `/calls/${callId}/dial`).expect(200);
    const dialing = await current(me.token).expect(200);
    expect(dialing.body).toMatchObject({
      callId,
      contact: { id: claimed.body.contact.id },
      call: { state: 'dialing', dialedAt: '2026-03-02T18:00:10.000Z', capSeconds: 300 },
    });
    // The hold now lasts over the call and its wrap-up, longer than the claim's lease.
    expect(Date.parse(dialing.body.leaseExpiresAt)).toBeGreaterThan(
      Date.parse(claimed.body.leaseExpiresAt),
    );
    await event(me, callId, 'ringing');
    ctx.clock.advance(5);
    await event(me, callId, 'answered');
    const live = await current(me.token).expect(200);
    expect(live.body.call).toMatchObject({
      state: 'in_progress',
      answeredAt: '2026-03-02T18:00:15.000Z',
      endedAt: null,
      wrapUpEndsAt: null,
      // On the service's clock: 300 s from the answer, none gone yet.
      capSecondsLeft: 300,
      wrapUpSecondsLeft: null,
    });
    await current(other.token).expect(204);

    ctx.clock.advance(60);
    await event(me, callId, 'completed');
    const wrapUp = await current(me.token).expect(200);
    expect(wrapUp.body.callId).toBe(callId);
    expect(wrapUp.body.call).toMatchObject({
      state: 'completed',
      answeredAt: '2026-03-02T18:00:15.000Z',
      endedAt: '2026-03-02T18:01:15.000Z',
      wrapUpEndsAt: new Date(
        Date.parse('2026-03-02T18:01:15.000Z') + ctx.config.wrapUpSeconds * 1000,
      ).toISOString(),
      hitCap: false,
      capSecondsLeft: null,
      wrapUpSecondsLeft: ctx.config.wrapUpSeconds,
    });
    // The last second of the wrap-up still counts (the outcome is taken then); then it is over.
    ctx.clock.advance(ctx.config.wrapUpSeconds);
    await current(me.token).expect(200);
    ctx.clock.advance(1);
    await current(me.token).expect(204);
    await current(other.token).expect(204);
  });

  it('ends with the outcome, and puts a call that needs one before a lease taken since', async () => {
    const { campaignId, callers } = await setup(['(213) 700-0002', '(213) 700-0003']);
    const [me] = callers;
    const first = await post(me, '/calls/next', { campaignId }).expect(200);
    await post(me, `/calls/${first.body.callId}/dial`).expect(200);
    await event(me, first.body.callId, 'answered');
    ctx.clock.advance(30);
    await event(me, first.body.callId, 'completed');
    // Taking the next contact during the wrap-up (an API client can) does not hide the call.
    const second = await post(me, '/calls/next', { campaignId }).expect(200);
    expect(second.body.callId).not.toBe(first.body.callId);
    const wrapUp = await current(me.token).expect(200);
    expect(wrapUp.body).toMatchObject({
      callId: first.body.callId,
      call: { state: 'completed' },
    });
    await post(me, `/calls/${first.body.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
    const held = await current(me.token).expect(200);
    expect(held.body).toMatchObject({ callId: second.body.callId, call: { state: 'leased' } });
    await post(me, `/calls/${second.body.callId}/outcome`, { disposition: 'no_answer' }).expect(
      200,
    );
    await current(me.token).expect(204);
  });

  it('answers 204 once the lease has expired or its campaign has stopped', async () => {
    const { campaignId, callers } = await setup(['(213) 700-0004', '(213) 700-0005']);
    const [me] = callers;
    await post(me, '/calls/next', { campaignId }).expect(200);
    ctx.clock.advance(899);
    await current(me.token).expect(200);
    ctx.clock.advance(1);
    await current(me.token).expect(204);

    await post(me, '/calls/next', { campaignId }).expect(200);
    await current(me.token).expect(200);
    await ctx
      .http()
      .patch(`/campaigns/${campaignId}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ status: 'paused' })
      .expect(200);
    await current(me.token).expect(204);
  });

  it('is for callers only', async () => {
    const { clientId } = await setup(['(213) 700-0006']);
    const manager = await ctx.newUser('account_manager');
    const clientUser = await ctx.newUser('client', clientId);
    for (const token of [ctx.adminToken, manager.token, clientUser.token]) {
      const res = await current(token).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'forbidden' });
    }
    const key = await ctx.newApiKey(clientId);
    await current(key.key).expect(403);
    await ctx.http().get('/calls/current').expect(401);
  });
});
