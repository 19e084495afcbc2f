import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/**
 * The caller's state on the server: declared (ready, paused with a reason) with a heartbeat,
 * signed out after 90 s of silence, on a call and in wrap-up from the call itself, kept as
 * stretches that the caller report adds up per day; and the managers' floor.
 */
describe("the caller's state on the server", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const iso = (seconds = 0) => new Date(ctx.clock.now().getTime() + seconds * 1000).toISOString();
  const declare = (u: { token: string }, body: object) =>
    ctx.http().put('/callers/me/state').auth(u.token, { type: 'bearer' }).send(body);
  const stateOf = async (u: TestUser) =>
    (await ctx.http().get('/callers/me/state').auth(u.token, { type: 'bearer' }).expect(200))
      .body as Record<string, unknown>;
  const post = (u: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(u.token, { type: 'bearer' }).send(body);
  const phoneEvent = (u: TestUser, callId: string, event: string) =>
    post(u, `/telephony/simulated/calls/${callId}/events`, { event }).expect(200);
  const stretches = (u: TestUser) =>
    sql<{ state: string; reason: string | null; started_at: Date; ended_at: Date | null }>(
      ctx.dbUrl,
      `SELECT state, reason, started_at, ended_at FROM caller_state_intervals
        WHERE user_id = $1 ORDER BY started_at`,
      [u.id],
    );

  it('goes ready, beats, pauses for lunch, and is signed out after 90 s of silence', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const me = await ctx.newUser('caller');
    expect(await stateOf(me)).toMatchObject({ state: 'signed_out', since: null });

    const t0 = iso();
    const ready = await declare(me, { state: 'ready' }).expect(200);
    expect(ready.body).toEqual({
      state: 'ready',
      reason: null,
      since: t0,
      callId: null,
      wrapUpEndsAt: null,
      declared: { state: 'ready', reason: null },
      lastSeenAt: t0,
    });
    ctx.clock.advance(30);
    const beat = await declare(me, { state: 'ready' }).expect(200);
    expect(beat.body).toMatchObject({ state: 'ready', since: t0, lastSeenAt: iso() });
    expect(await stretches(me)).toHaveLength(1); // a heartbeat opens no new stretch

    ctx.clock.advance(30);
    const lunchAt = iso();
    const paused = await declare(me, { state: 'paused', reason: 'lunch' }).expect(200);
    expect(paused.body).toMatchObject({ state: 'paused', reason: 'lunch', since: lunchAt });

    ctx.clock.advance(89);
    expect(await stateOf(me)).toMatchObject({ state: 'paused', reason: 'lunch', since: lunchAt });
    ctx.clock.advance(1);
    expect(await stateOf(me)).toMatchObject({
      state: 'signed_out',
      reason: null,
      since: iso(),
      declared: null,
    });

    // Back after a while: the lunch stretch ended when the silence began to count.
    ctx.clock.advance(600);
    const back = await declare(me, { state: 'ready' }).expect(200);
    expect(back.body).toMatchObject({ state: 'ready', since: iso() });
    expect(await stretches(me)).toEqual([
      { state: 'ready', reason: null, started_at: new Date(t0), ended_at: new Date(lunchAt) },
      {
        state: 'paused',
        reason: 'lunch',
        started_at: new Date(lunchAt),
        ended_at: new Date(Date.parse(lunchAt) + 90_000),
      },
      { state: 'ready', reason: null, started_at: new Date(iso()), ended_at: null },
    ]);

    // Signing out ends it at once.
    ctx.clock.advance(10);
    await ctx.http().delete('/callers/me/state').auth(me.token, { type: 'bearer' }).expect(204);
    expect(await stateOf(me)).toMatchObject({ state: 'signed_out', since: iso() });
  });

  it.each([
    ['ready with a reason', { state: 'ready', reason: 'lunch' }, ['reason']],
    ['an unknown reason', { state: 'paused', reason: 'nap' }, ['reason']],
    ['a state callers do not declare', { state: 'on_call' }, ['state']],
    ['no state', {}, ['state']],
    ['an unknown field', { state: 'ready', mood: 'good' }, ['mood']],
  ])('refuses %s, naming the field', async (_label, body, fields) => {
    const me = await ctx.newUser('caller');
    const res = await declare(me, body).expect(400);
    expect([...new Set((res.body.details as { field: string }[]).map((d) => d.field))]).toEqual(
      fields,
    );
    expect(await stretches(me)).toEqual([]);
  });

  it('is on a call from the dial, in wrap-up after hang-up, and ready again after the outcome', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 555-0201,CA\n(213) 555-0202,CA\n');
    const [me, apiOnly] = callers;
    const readyAt = iso();
    await declare(me, { state: 'ready' }).expect(200);

    const claim = await post(me, '/calls/next', { campaignId }).expect(200);
    const callId = claim.body.callId as string;
    ctx.clock.advance(5);
    expect(await stateOf(me)).toMatchObject({ state: 'ready', since: readyAt }); // a lease is no call
    const dialedAt = iso();
    await post(me, `/calls/${callId}/dial`).expect(200);
    expect(await stateOf(me)).toMatchObject({ state: 'on_call', since: dialedAt, callId });
    await phoneEvent(me, callId, 'ringing');
    ctx.clock.advance(8);
    await phoneEvent(me, callId, 'answered');
    ctx.clock.advance(120);
    // The console beats during the call; the state stays the call's.
    await declare(me, { state: 'ready' }).expect(200);
    expect(await stateOf(me)).toMatchObject({
      state: 'on_call',
      since: dialedAt,
      declared: { state: 'ready', reason: null },
    });
    const endedAt = iso();
    await phoneEvent(me, callId, 'completed');
    expect(await stateOf(me)).toEqual({
      state: 'wrap_up',
      reason: null,
      since: endedAt,
      callId,
      wrapUpEndsAt: iso(ctx.config.wrapUpSeconds),
      declared: { state: 'ready', reason: null },
      lastSeenAt: endedAt,
    });
    ctx.clock.advance(40);
    expect(await stateOf(me)).toMatchObject({ state: 'wrap_up', since: endedAt });
    await post(me, `/calls/${callId}/outcome`, { disposition: 'not_interested' }).expect(200);
    expect(await stateOf(me)).toMatchObject({ state: 'ready', since: iso(), callId: null });

    // A caller whose calls go through the API alone, without the console's word.
    const other = await post(apiOnly, '/calls/next', { campaignId }).expect(200);
    const otherCall = other.body.callId as string;
    await post(apiOnly, `/calls/${otherCall}/dial`).expect(200);
    expect(await stateOf(apiOnly)).toMatchObject({ state: 'on_call', callId: otherCall });
    ctx.clock.advance(20);
    await phoneEvent(apiOnly, otherCall, 'no-answer');
    expect(await stateOf(apiOnly)).toMatchObject({ state: 'wrap_up', callId: otherCall });
    ctx.clock.advance(ctx.config.wrapUpSeconds);
    // The window is over without an outcome: no call, and no word from a console either.
    expect(await stateOf(apiOnly)).toMatchObject({ state: 'signed_out', since: iso() });
  });

  it("adds up a scripted day in the caller's report: talk, dial, wrap-up, wait and pause", async () => {
    ctx.clock.set('2026-03-02T18:00:00Z'); // 13:00 in New York, 10:00 in Los Angeles
    const { clientId, campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(213) 555-0301,CA\n(213) 555-0302,CA\n');
    const [me] = callers;
    let declared: object = { state: 'ready' };
    /** Time passes with the console open: a heartbeat every 30 s. */
    const wait = async (seconds: number) => {
      for (let left = seconds; left > 0; left -= 30) {
        ctx.clock.advance(Math.min(30, left));
        await declare(me, declared).expect(200);
      }
    };
    await declare(me, declared).expect(200); // 18:00:00 ready
    await wait(60);
    // 18:01:00 a call: 10 s ringing, 200 s talk, 30 s wrap-up.
    const first = (await post(me, '/calls/next', { campaignId }).expect(200)).body.callId as string;
    await post(me, `/calls/${first}/dial`).expect(200);
    await wait(10);
    await phoneEvent(me, first, 'answered');
    await wait(200);
    await phoneEvent(me, first, 'completed');
    await wait(30);
    await post(me, `/calls/${first}/outcome`, { disposition: 'not_interested' }).expect(200);
    // 18:05:00 ready; 18:07:00 a call not answered (20 s), its outcome 10 s later.
    await wait(120);
    const second = (await post(me, '/calls/next', { campaignId }).expect(200)).body
      .callId as string;
    await post(me, `/calls/${second}/dial`).expect(200);
    await wait(20);
    await phoneEvent(me, second, 'no-answer');
    await wait(10);
    await post(me, `/calls/${second}/outcome`, { disposition: 'no_answer' }).expect(200);
    // 18:07:30 ready until 18:08:00, then 10 minutes of lunch, then 1 minute ready, signed out.
    await wait(30);
    declared = { state: 'paused', reason: 'lunch' };
    await declare(me, declared).expect(200);
    await wait(600);
    declared = { state: 'ready' };
    await declare(me, declared).expect(200);
    await wait(60);
    await ctx.http().delete('/callers/me/state').auth(me.token, { type: 'bearer' }).expect(204);
    ctx.clock.advance(3600); // signed out: counts as nothing

    const totals = {
      talkSeconds: 200,
      dialSeconds: 10 + 20,
      wrapUpSeconds: 30 + 10,
      waitSeconds: 60 + 120 + 30 + 60,
      pauseSeconds: 600,
    };
    const day = { day: '2026-03-02', ...totals };
    const report = await ctx
      .http()
      .get(`/reports/callers/${me.id}?from=2026-03-02&to=2026-03-02`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(report.body.time).toEqual({
      timezone: 'America/New_York',
      from: '2026-03-02',
      to: '2026-03-02',
      ...totals,
      days: [day],
    });
    // Every second signed in is in exactly one of them: 18:00–18:08, lunch, 18:18–18:19.
    const sum = Object.values(totals).reduce((a, b) => a + b, 0);
    expect(sum).toBe(8 * 60 + 600 + 60);

    // The caller's own report says the same; the days follow the zone asked for.
    const own = await ctx
      .http()
      .get(`/reports/callers/${me.id}`)
      .auth(me.token, { type: 'bearer' })
      .expect(200);
    expect(own.body.time).toMatchObject({ to: '2026-03-02', days: [day] });
    const auckland = (from: string, to: string) =>
      ctx
        .http()
        .get(`/reports/callers/${me.id}?from=${from}&to=${to}&timezone=Pacific/Auckland`)
        .auth(me.token, { type: 'bearer' })
        .expect(200);
    expect((await auckland('2026-03-02', '2026-03-02')).body.time).toMatchObject({
      talkSeconds: 0,
      days: [],
    });
    expect((await auckland('2026-03-02', '2026-03-03')).body.time.days).toEqual([
      { ...day, day: '2026-03-03' }, // 18:00 UTC is 07:00 the next day in Auckland
    ]);
    const badZone = await ctx
      .http()
      .get(`/reports/callers/${me.id}?timezone=Mars/Olympus`)
      .auth(me.token, { type: 'bearer' })
      .expect(400);
    expect(badZone.body.details.map((d: { field: string }) => d.field)).toEqual(['timezone']);

    // An account manager: the time of a caller of their client's campaign, not of another's.
    const mine = await ctx.newUser('account_manager');
    await ctx.assignManagers(clientId, [mine.id]);
    const stranger = await ctx.newUser('account_manager');
    await ctx.assignManagers((await ctx.newClient()).id, [stranger.id]);
    const seen = await ctx
      .http()
      .get(`/reports/callers/${me.id}?from=2026-03-02&to=2026-03-02`)
      .auth(mine.token, { type: 'bearer' })
      .expect(200);
    expect(seen.body.time.days).toEqual([day]);
    const unseen = await ctx
      .http()
      .get(`/reports/callers/${me.id}?from=2026-03-02&to=2026-03-02`)
      .auth(stranger.token, { type: 'bearer' })
      .expect(200);
    expect(unseen.body.time).toBeNull();
  });

  it("shows the floor to admins (every caller) and to account managers (their clients' callers)", async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const a = await ctx.activeCampaign();
    const b = await ctx.activeCampaign();
    await ctx.importCsv(a.campaignId, 'phone,state\n(213) 555-0401,CA\n');
    const [onA] = a.callers;
    const [onB] = b.callers;
    await declare(onA, { state: 'ready' }).expect(200);
    const claim = await post(onA, '/calls/next', { campaignId: a.campaignId }).expect(200);
    const dialedAt = iso();
    await post(onA, `/calls/${claim.body.callId}/dial`).expect(200);
    await declare(onB, { state: 'paused', reason: 'training' }).expect(200);
    ctx.clock.advance(15);

    const manager = await ctx.newUser('account_manager');
    await ctx.assignManagers(a.clientId, [manager.id]);
    const floor = await ctx
      .http()
      .get('/callers/states')
      .auth(manager.token, { type: 'bearer' })
      .expect(200);
    expect(floor.body.at).toBe(iso());
    expect(floor.body.callers).toEqual([
      expect.objectContaining({
        callerId: onA.id,
        email: onA.email,
        state: 'on_call',
        since: dialedAt,
        callId: claim.body.callId,
      }),
    ]);

    const all = await ctx
      .http()
      .get('/callers/states')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    const byId = new Map(
      (all.body.callers as { callerId: string }[]).map((c) => [c.callerId, c] as const),
    );
    expect(byId.get(onA.id)).toMatchObject({ state: 'on_call' });
    expect(byId.get(onB.id)).toMatchObject({
      state: 'paused',
      reason: 'training',
      since: iso(-15),
    });

    const nobody = await ctx.newUser('account_manager');
    const empty = await ctx
      .http()
      .get('/callers/states')
      .auth(nobody.token, { type: 'bearer' })
      .expect(200);
    expect(empty.body.callers).toEqual([]);
  });

  it('lets only callers declare a state, and only staff read the floor', async () => {
    const caller = await ctx.newUser('caller');
    const manager = await ctx.newUser('account_manager');
    const client = await ctx.newClient();
    const clientUser = await ctx.newUser('client', client.id);
    for (const u of [{ token: ctx.adminToken }, manager, clientUser]) {
      await declare(u, { state: 'ready' }).expect(403);
      await ctx.http().get('/callers/me/state').auth(u.token, { type: 'bearer' }).expect(403);
    }
    await ctx.http().get('/callers/states').auth(caller.token, { type: 'bearer' }).expect(403);
    await ctx.http().get('/callers/states').auth(clientUser.token, { type: 'bearer' }).expect(403);
    await ctx.http().get('/callers/states').expect(401);
    await ctx.http().put('/callers/me/state').send({ state: 'ready' }).expect(401);
  });
});
