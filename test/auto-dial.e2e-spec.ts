import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/**
 * Automatic dialing only where the law allows it: the claim's `autoDial` (mayAutoDial on the
 * contact's state, area code and ZIP, lifted by recorded written consent), the consent routes
 * and their tenant rule, and the campaign's preview countdown.
 */
describe('automatic dialing and written consent', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const next = (caller: TestUser, campaignId: string) =>
    ctx.http().post('/calls/next').auth(caller.token, { type: 'bearer' }).send({ campaignId });
  const putConsent = (token: string, contactId: string, body: object) =>
    ctx.http().put(`/contacts/${contactId}/consent`).auth(token, { type: 'bearer' }).send(body);
  const release = (caller: TestUser, callId: string) =>
    ctx
      .http()
      .post(`/calls/${callId}/release`)
      .auth(caller.token, { type: 'bearer' })
      .send({})
      .expect(204);

  it('answers allowed false for an Oklahoma contact until written consent is recorded, and again once withdrawn', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z'); // 12:00 in Oklahoma City
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'company,phone,state\nSooner Tires,(405) 555-0101,OK\n');
    const [me] = callers;
    const first = await next(me, campaignId).expect(200);
    expect(first.body.autoDial).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^Oklahoma \(OK\) law .*prior express written consent/),
    });

    const contactId = first.body.contact.id as string;
    const recorded = await putConsent(ctx.adminToken, contactId, {
      consentAt: '2026-02-20T16:30:00Z',
      source: 'Signed web form, submission #8812',
    }).expect(200);
    expect(recorded.body).toEqual({
      contactId,
      writtenConsentAt: '2026-02-20T16:30:00.000Z',
      writtenConsentSource: 'Signed web form, submission #8812',
    });
    // The held lease is read back from the database: the same rule, now with consent.
    const again = await next(me, campaignId).expect(200);
    expect(again.body.callId).toBe(first.body.callId);
    expect(again.body.autoDial).toEqual({ allowed: true, reason: null });

    // A fresh claim (the claim statement's own row) sees the consent too.
    await release(me, first.body.callId as string);
    const fresh = await next(me, campaignId).expect(200);
    expect(fresh.body.callId).not.toBe(first.body.callId);
    expect(fresh.body.contact.id).toBe(contactId);
    expect(fresh.body.autoDial).toEqual({ allowed: true, reason: null });

    await ctx
      .http()
      .delete(`/contacts/${contactId}/consent`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(204);
    const withdrawn = await next(me, campaignId).expect(200);
    expect(withdrawn.body.autoDial.allowed).toBe(false);
    const [row] = await sql<{ at: Date | null; source: string | null }>(
      ctx.dbUrl,
      'SELECT written_consent_at AS at, written_consent_source AS source FROM contacts WHERE id = $1',
      [contactId],
    );
    expect(row).toEqual({ at: null, source: null });
  });

  it("holds back a contact whose area code is Maryland's though the list says Virginia, and lets a California one go", async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(301) 555-0102,VA\n');
    const md = await next(callers[0], campaignId).expect(200);
    expect(md.body.contact.state).toBe('VA');
    expect(md.body.autoDial).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^Maryland \(MD\)/),
    });

    const ca = await ctx.activeCampaign();
    await ctx.importCsv(ca.campaignId, 'phone,state\n(213) 555-0103,CA\n');
    const free = await next(ca.callers[0], ca.campaignId).expect(200);
    expect(free.body.autoDial).toEqual({ allowed: true, reason: null });
  });

  it("lets only admins and the client's own account managers record or withdraw consent", async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { clientId, campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(918) 555-0104,OK\n');
    const claim = await next(callers[0], campaignId).expect(200);
    const contactId = claim.body.contact.id as string;
    const body = { consentAt: '2026-02-01', source: 'Paper form in the client CRM' };

    const mine = await ctx.newUser('account_manager');
    await ctx.assignManagers(clientId, [mine.id]);
    const other = await ctx.newUser('account_manager');
    await ctx.assignManagers((await ctx.newClient()).id, [other.id]);
    const clientUser = await ctx.newUser('client', clientId);

    await putConsent(other.token, contactId, body).expect(404);
    await ctx
      .http()
      .delete(`/contacts/${contactId}/consent`)
      .auth(other.token, { type: 'bearer' })
      .expect(404);
    await putConsent(callers[0].token, contactId, body).expect(403);
    await putConsent(clientUser.token, contactId, body).expect(403);
    await putConsent(mine.token, '999999999', body).expect(404);
    // Nothing was written by the refused attempts.
    const [untouched] = await sql<{ at: Date | null }>(
      ctx.dbUrl,
      'SELECT written_consent_at AS at FROM contacts WHERE id = $1',
      [contactId],
    );
    expect(untouched.at).toBeNull();

    const ok = await putConsent(mine.token, contactId, body).expect(200);
    expect(ok.body.writtenConsentSource).toBe('Paper form in the client CRM');
    expect(new Date(ok.body.writtenConsentAt as string).toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    await ctx
      .http()
      .delete(`/contacts/${contactId}/consent`)
      .auth(mine.token, { type: 'bearer' })
      .expect(204);
  });

  it('refuses consent from the future, without a source, or on an id that is no contact id', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(580) 555-0105,OK\n');
    const contactId = (await next(callers[0], campaignId).expect(200)).body.contact.id as string;
    const fields = async (res: { body: { details: { field: string }[] } }) =>
      res.body.details.map((d) => d.field);

    const future = await putConsent(ctx.adminToken, contactId, {
      consentAt: '2026-03-03T00:00:00Z',
      source: 'form',
    }).expect(400);
    expect(await fields(future)).toEqual(['consentAt']);
    const blank = await putConsent(ctx.adminToken, contactId, {
      consentAt: '2026-03-01',
      source: '   ',
    }).expect(400);
    expect(await fields(blank)).toEqual(['source']);
    const missing = await putConsent(ctx.adminToken, contactId, { consentAt: '2026-03-01' }).expect(
      400,
    );
    expect(await fields(missing)).toContain('source');
    const notDate = await putConsent(ctx.adminToken, contactId, {
      consentAt: 'last week',
      source: 'form',
    }).expect(400);
    expect(await fields(notDate)).toEqual(['consentAt']);
    const badId = await putConsent(ctx.adminToken, 'abc', {
      consentAt: '2026-03-01',
      source: 'form',
    }).expect(400);
    expect(await fields(badId)).toEqual(['id']);
  });

  it('keeps the preview countdown per campaign (default 5 s, 0–60) and hands it out with the claim', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const client = await ctx.newClient();
    const created = await ctx.newCampaign(client.id);
    expect((created as unknown as { previewSeconds: number }).previewSeconds).toBe(5);
    const patch = (body: object) =>
      ctx
        .http()
        .patch(`/campaigns/${created.id}`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .send(body);
    for (const bad of [-1, 61, 2.5, '5']) {
      const res = await patch({ previewSeconds: bad }).expect(400);
      const fields = new Set(res.body.details.map((d: { field: string }) => d.field));
      expect([...fields]).toEqual(['previewSeconds']);
    }
    await patch({ previewSeconds: 0 }).expect(200);
    const got = await ctx
      .http()
      .get(`/campaigns/${created.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(got.body.previewSeconds).toBe(0);

    const set = await ctx.activeCampaign({
      fields: { previewSeconds: 12, product: 'Rooftop solar' },
    });
    await ctx.importCsv(set.campaignId, 'phone,state\n(213) 555-0106,CA\n');
    // With what the script's {product} and {client} placeholders need, fresh and held alike.
    const claim = await next(set.callers[0], set.campaignId).expect(200);
    expect(claim.body.campaign).toMatchObject({
      previewSeconds: 12,
      product: 'Rooftop solar',
      clientName: expect.stringContaining('Acme Solar'),
    });
    const held = await next(set.callers[0], set.campaignId).expect(200);
    expect(held.body.campaign).toEqual(claim.body.campaign);
  });
});
