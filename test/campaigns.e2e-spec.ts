import { TestContext } from './harness';

describe('campaigns', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('creates a draft with the documented defaults', async () => {
    const client = await ctx.newClient();
    const res = await ctx
      .http()
      .post('/campaigns')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({
        clientId: client.id,
        name: 'Spring rooftops',
        pitches: [
          { name: 'Savings first', text: 'a' },
          { name: 'Green first', text: 'b' },
        ],
        offers: [{ name: '10% off first invoice', text: 'c' }],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      clientId: client.id,
      status: 'draft',
      talkCapSeconds: 300,
      extendedCapSeconds: 600,
      callingWindow: { start: '08:00', end: '21:00' },
      kind: 'b2b',
      maxAttempts: 3,
      callerIds: [],
    });
    expect(res.body.pitches.map((p: { key: string }) => p.key)).toEqual([
      'savings-first',
      'green-first',
    ]);
  });

  it('refuses a talk cap over 10 minutes and a window wider than 08:00–21:00', async () => {
    const client = await ctx.newClient();
    const cap = await ctx
      .http()
      .post('/campaigns')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ clientId: client.id, name: 'X', talkCapSeconds: 601 })
      .expect(400);
    expect(cap.body.details[0].field).toBe('talkCapSeconds');
    const wide = await ctx
      .http()
      .post('/campaigns')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ clientId: client.id, name: 'X', callingWindow: { start: '07:30', end: '20:00' } })
      .expect(400);
    expect(wide.body.details[0].field).toBe('callingWindow');
    // `UK` for GB: refused here, not by every import into the campaign later.
    const uk = await ctx
      .http()
      .post('/campaigns')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ clientId: client.id, name: 'X', defaultCountry: 'UK' })
      .expect(400);
    expect(uk.body.details).toEqual([
      { field: 'defaultCountry', message: expect.stringMatching(/not UK/) },
    ]);
    await ctx
      .http()
      .post('/campaigns')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({
        clientId: client.id,
        name: 'Narrow',
        callingWindow: { start: '09:00', end: '17:30' },
      })
      .expect(201);
  });

  it('refuses to go active until the script names the client, a caller ID is set and a caller assigned', async () => {
    const client = await ctx.newClient('Northwind Solar');
    const c = await ctx.newCampaign(client.id, { script: 'Hello!' });
    const refused = await ctx
      .http()
      .patch(`/campaigns/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ status: 'active' })
      .expect(409);
    expect(refused.body.details.map((d: { message: string }) => d.message)).toEqual([
      'the script does not name the client ("Northwind Solar")',
      'no caller ID number is set',
      'no caller is assigned',
    ]);
    const caller = await ctx.newUser('caller');
    await ctx
      .http()
      .put(`/campaigns/${c.id}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [caller.id] })
      .expect(200);
    await ctx
      .http()
      .patch(`/campaigns/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ script: 'Calling for Northwind Solar', callerId: '+12125550100', status: 'active' })
      .expect(200);
    await ctx
      .http()
      .patch(`/campaigns/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ status: 'paused' })
      .expect(200);
    await ctx
      .http()
      .patch(`/campaigns/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ status: 'closed' })
      .expect(200);
    const reopen = await ctx
      .http()
      .patch(`/campaigns/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ status: 'active' })
      .expect(409);
    expect(reopen.body.message).toMatch(/closed/);
  });

  it('keeps an active campaign within what it went active with', async () => {
    const { campaignId } = await ctx.activeCampaign();
    const as = () =>
      ctx.http().patch(`/campaigns/${campaignId}`).auth(ctx.adminToken, { type: 'bearer' });
    const script = await as().send({ script: 'Hi there' }).expect(409);
    expect(script.body.details).toEqual([
      { field: 'script', message: expect.stringMatching(/does not name the client/) },
    ]);
    const callerId = await as().send({ callerId: null }).expect(409);
    expect(callerId.body.details).toEqual([
      { field: 'callerId', message: 'no caller ID number is set' },
    ]);
    const none = await ctx
      .http()
      .put(`/campaigns/${campaignId}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [] })
      .expect(409);
    expect(none.body.details).toEqual([
      { field: 'callerIds', message: 'an active campaign needs at least one caller' },
    ]);
    // Refused changes change nothing; paused, the same changes are taken.
    const kept = await ctx
      .http()
      .get(`/campaigns/${campaignId}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(kept.body).toMatchObject({ status: 'active', callerId: '+12125550100' });
    expect(kept.body.callerIds).toHaveLength(1);
    expect(kept.body.script).toMatch(/Acme Solar/);
    await as().send({ status: 'paused' }).expect(200);
    await as().send({ script: 'Hi there' }).expect(200);
    await ctx
      .http()
      .put(`/campaigns/${campaignId}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [] })
      .expect(200);
  });

  it('assigns only active callers', async () => {
    const client = await ctx.newClient();
    const c = await ctx.newCampaign(client.id);
    const am = await ctx.newUser('account_manager');
    const res = await ctx
      .http()
      .put(`/campaigns/${c.id}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [am.id] })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'callerIds', message: `${am.id} is not an active caller` },
    ]);
  });

  it('shows a caller only the campaigns they work, and other clients’ campaigns answer 404', async () => {
    const { campaignId, callers } = await ctx.activeCampaign();
    const other = await ctx.activeCampaign();
    const outsider = await ctx.newUser('caller');
    const mine = await ctx
      .http()
      .get('/campaigns')
      .auth(callers[0].token, { type: 'bearer' })
      .expect(200);
    expect(mine.body.map((c: { id: string }) => c.id)).toEqual([campaignId]);
    await ctx
      .http()
      .get(`/campaigns/${other.campaignId}`)
      .auth(callers[0].token, { type: 'bearer' })
      .expect(404);
    await ctx
      .http()
      .get(`/campaigns/${campaignId}`)
      .auth(outsider.token, { type: 'bearer' })
      .expect(404);

    const am = await ctx.newUser('account_manager');
    await ctx.assignManagers(other.clientId, [am.id]);
    await ctx.http().get(`/campaigns/${campaignId}`).auth(am.token, { type: 'bearer' }).expect(404);
    await ctx
      .http()
      .patch(`/campaigns/${campaignId}`)
      .auth(am.token, { type: 'bearer' })
      .send({ name: 'mine now' })
      .expect(404);
    await ctx
      .http()
      .post('/campaigns')
      .auth(am.token, { type: 'bearer' })
      .send({ clientId: (await ctx.newClient()).id, name: 'x' })
      .expect(404);
    const theirs = await ctx
      .http()
      .get('/campaigns')
      .auth(am.token, { type: 'bearer' })
      .expect(200);
    expect(theirs.body.map((c: { id: string }) => c.id)).toEqual([other.campaignId]);

    const clientUser = await ctx.newUser('client', other.clientId);
    await ctx
      .http()
      .get(`/campaigns/${campaignId}`)
      .auth(clientUser.token, { type: 'bearer' })
      .expect(404);
    await ctx
      .http()
      .patch(`/campaigns/${other.campaignId}`)
      .auth(clientUser.token, { type: 'bearer' })
      .send({ name: 'x' })
      .expect(403);
  });
});
