import { Client } from 'pg';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';
import { asUser, COMPLETE, NEED, referralSetup, referVia } from './referral-fixtures';

/** Referrals from outcome to publication, review, routing and the client's feedback. */
describe('referrals', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const as = (token: string) => asUser(ctx, token);
  const setup = (fields: Record<string, unknown> = {}, timezone?: string) =>
    referralSetup(ctx, fields, timezone);
  const refer = (
    campaignId: string,
    caller: TestUser,
    referral: object,
    state = 'TX',
    zip = '78701',
  ) => referVia(ctx, campaignId, caller, referral, state, zip);

  it('publishes a complete referral at once, scored and routed to the best-matched rep', async () => {
    const s = await setup();
    const out = await refer(s.campaignId, s.caller, COMPLETE, 'TX');
    expect(out.referralStatus).toBe('published');
    const r = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(r.body).toMatchObject({
      status: 'published',
      rating: 'needs_work',
      problems: [],
      flagged: false,
      feedDay: '2026-03-02',
    });
    // Texas contact, need mentions solar panels: both reps match something; the solar rep's
    // specialty and the Texas rep's territory score differently, and the reason says why.
    expect([s.reps.texas.id, s.reps.solar.id]).toContain(r.body.repId);
    expect(r.body.routingReason).toMatch(/territory TX|specialty/);
    expect(r.body.score).toBeGreaterThan(50);
    expect(r.body.score).toBeLessThanOrEqual(100);
    expect(r.body.history.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'published',
    ]);
    // The call keeps its outcome and points at the referral.
    const [call] = await sql<{ disposition: string }>(
      ctx.dbUrl,
      'SELECT disposition FROM calls WHERE id = $1',
      [out.callId],
    );
    expect(call.disposition).toBe('referral');
  });

  it('routes a referral nobody matches to the default rep, and says so', async () => {
    const s = await setup();
    const out = await refer(
      s.campaignId,
      s.caller,
      { ...COMPLETE, need: 'Looking for a new fleet of delivery vans for 2027 expansion.' },
      'NY',
      '10001',
    );
    const r = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(r.body.repId).toBe(s.reps.fallback.id);
    expect(r.body.routingReason).toMatch(/default rep/);
  });

  it("approves a referral while a caller records another one, neither waiting for the other's locks", async () => {
    const s = await setup();
    const waiting = await refer(s.campaignId, s.caller, {
      rating: 'very_interested',
      need: 'Wants a quote',
      contact: { name: 'Sam Short' },
    });
    expect(waiting.referralStatus).toBe('needs_review');
    await ctx.importCsv(s.campaignId, 'phone,state,zip\n(512) 555-3999,TX,78701\n');
    const next = await as(s.caller.token).post('/calls/next', { campaignId: s.campaignId });
    // The client's feed lock held elsewhere: the approval queues on it first, then the outcome.
    const lock = new Client({ connectionString: ctx.dbUrl });
    await lock.connect();
    let answers: number[];
    try {
      await lock.query('BEGIN');
      await lock.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('referral-feed:' || $1, 0))`,
        [s.clientId],
      );
      const approval = as(s.am.token)
        .post(`/referrals/${waiting.referralId}/approve`, {
          need: NEED,
          contact: { title: 'Owner', company: 'Short & Sons', email: 'sam@short.example' },
        })
        .then((r) => r.status);
      await new Promise((r) => setTimeout(r, 300));
      const outcome = as(s.caller.token)
        .post(`/calls/${next.body.callId}/outcome`, { disposition: 'referral', referral: COMPLETE })
        .then((r) => r.status);
      await new Promise((r) => setTimeout(r, 300));
      await lock.query('COMMIT');
      answers = await Promise.all([approval, outcome]);
    } finally {
      await lock.end();
    }
    expect(answers).toEqual([200, 200]);
  });

  it('sends an incomplete referral to review; approval needs it complete; every change is kept', async () => {
    const s = await setup();
    const out = await refer(s.campaignId, s.caller, {
      rating: 'very_interested',
      need: 'Wants a quote',
      contact: { name: 'Sam Short' },
    });
    expect(out.referralStatus).toBe('needs_review');
    const queue = await as(s.am.token).get('/referrals?status=needs_review').expect(200);
    const mine = queue.body.find((x: { id: string }) => x.id === out.referralId);
    expect(mine.reviewReason).toBe('incomplete');
    expect(mine.problems.map((p: { field: string }) => p.field).sort()).toEqual(
      ['contact', 'contact.company', 'contact.title', 'need'].sort(),
    );
    // Another client's manager does not see it; a manager cannot approve it half done.
    const other = await ctx.newUser('account_manager');
    await as(other.token).get(`/referrals/${out.referralId}`).expect(404);
    const otherQueue = await as(other.token).get('/referrals?status=needs_review').expect(200);
    expect(otherQueue.body).toEqual([]);
    const refused = await as(s.am.token)
      .post(`/referrals/${out.referralId}/approve`, {
        contact: { title: 'Owner' },
      })
      .expect(409);
    expect(refused.body.details.map((d: { field: string }) => d.field)).toContain('need');
    // A refused approval changes nothing.
    const unchanged = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(unchanged.body.contact.title).toBeNull();
    // Not published, not in the client's feed.
    const key = await ctx.newApiKey(s.clientId);
    const feed = await as(key.key).get('/v1/referrals').expect(200);
    expect(feed.body.data).toEqual([]);
    const approved = await as(s.am.token)
      .post(`/referrals/${out.referralId}/approve`, {
        need: NEED,
        contact: { title: 'Owner', company: 'Short & Sons', email: 'sam@short.example' },
      })
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'published', problems: [] });
    expect(approved.body.contact).toMatchObject({
      name: 'Sam Short',
      title: 'Owner',
      company: 'Short & Sons',
    });
    const full = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(
      full.body.history.map((h: { action: string; actorId: string | null }) => [
        h.action,
        h.actorId,
      ]),
    ).toEqual([
      ['created', s.caller.id],
      ['edited', s.am.id],
      ['published', s.am.id],
    ]);
    const after = await as(key.key).get('/v1/referrals').expect(200);
    expect(after.body.data.map((x: { id: string }) => x.id)).toEqual([out.referralId]);
  });

  it('returns a referral to its caller, who corrects it and sends it back to review', async () => {
    const s = await setup();
    const out = await refer(s.campaignId, s.caller, { ...COMPLETE, contact: { name: 'Pat' } });
    await as(s.am.token).post(`/referrals/${out.referralId}/return`, {}).expect(400);
    const back = await as(s.am.token)
      .post(`/referrals/${out.referralId}/return`, { reason: 'Get the title and the company name' })
      .expect(200);
    expect(back.body).toMatchObject({
      status: 'returned',
      reviewReason: 'Get the title and the company name',
    });
    const mine = await as(s.caller.token).get('/referrals?status=returned').expect(200);
    expect(mine.body.map((x: { id: string }) => x.id)).toEqual([out.referralId]);
    // Another caller sees nothing of it.
    const stranger = await ctx.newUser('caller');
    await as(stranger.token).get(`/referrals/${out.referralId}`).expect(404);
    await as(stranger.token).patch(`/referrals/${out.referralId}`, { need: NEED }).expect(404);
    const fixed = await as(s.caller.token)
      .patch(`/referrals/${out.referralId}`, {
        contact: { title: 'Owner', company: 'Pat Holdings', email: 'pat@holdings.example' },
      })
      .expect(200);
    expect(fixed.body).toMatchObject({
      status: 'needs_review',
      reviewReason: 'resubmitted',
      problems: [],
    });
    // Not twice: it is no longer returned.
    await as(s.caller.token).patch(`/referrals/${out.referralId}`, { need: NEED }).expect(409);
    await as(s.am.token).post(`/referrals/${out.referralId}/approve`).expect(200);
    // The client sees it from publication on: nothing of the review, nor the note to the caller.
    const portal = await ctx.newUser('client', s.clientId);
    const seen = await as(portal.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(seen.body.history.map((h: { action: string }) => h.action)).toEqual(['published']);
    expect(JSON.stringify(seen.body)).not.toContain('Get the title');
    const staff = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    // An approval with no changes records no edit.
    expect(staff.body.history.map((h: { action: string }) => h.action)).toEqual([
      'created',
      'returned',
      'edited',
      'resubmitted',
      'published',
    ]);
    const edit = staff.body.history.find((h: { action: string }) => h.action === 'edited');
    expect(edit.details).toEqual({ fields: ['contact'] });
  });

  it('holds a sample of complete referrals for review when the campaign asks for it', async () => {
    const s = await setup({ reviewSamplePct: 100 });
    const out = await refer(s.campaignId, s.caller, COMPLETE);
    expect(out.referralStatus).toBe('needs_review');
    const r = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
    expect(r.body).toMatchObject({ reviewReason: 'sampled', problems: [] });
  });

  it("flags a 'very interested' whose score is far below the campaign's usual", async () => {
    const s = await setup();
    // Ten earlier referrals of this campaign scored about 85.
    for (let i = 0; i < 10; i++) {
      await refer(s.campaignId, s.caller, {
        ...COMPLETE,
        timeframe: 'this_month',
        budget: 'confirmed',
        nextStep: 'quote',
        employees: 2000,
      });
    }
    const cold = await refer(s.campaignId, s.caller, {
      ...COMPLETE,
      rating: 'very_interested',
      timeframe: 'later',
      budget: 'none',
      decisionMaker: 'no',
      nextStep: undefined,
      expectingCall: false,
    });
    expect(cold.referralStatus).toBe('needs_review');
    const r = await as(s.am.token).get(`/referrals/${cold.referralId}`).expect(200);
    expect(r.body.flagged).toBe(true);
    expect(r.body.reviewReason).toMatch(/^flagged/);
    // The same weak criteria rated needs_work are not suspicious.
    const warm = await refer(s.campaignId, s.caller, {
      ...COMPLETE,
      timeframe: 'later',
      budget: 'none',
      decisionMaker: 'no',
      nextStep: undefined,
      expectingCall: false,
    });
    expect(warm.referralStatus).toBe('published');
  });

  it('scores with the campaign weights and refuses bad weights by name', async () => {
    const s = await setup({
      scoreWeights: {
        timeframe: 0,
        budget: 0,
        decisionMaker: 0,
        companySize: 0,
        expectingCall: 100,
        nextStep: 0,
        need: 0,
      },
    });
    const hot = await refer(s.campaignId, s.caller, COMPLETE);
    const r = await as(s.am.token).get(`/referrals/${hot.referralId}`).expect(200);
    expect(r.body.score).toBe(100);
    const bad = await as(ctx.adminToken)
      .patch(`/campaigns/${s.campaignId}`, { scoreWeights: { timeframe: -1 } })
      .expect(400);
    expect(bad.body.details[0].field).toBe('scoreWeights');
  });

  it('takes feedback from the client: follow-up time, final won and lost, nothing on others', async () => {
    const s = await setup();
    const a = await refer(s.campaignId, s.caller, COMPLETE);
    const key = await ctx.newApiKey(s.clientId);
    const api = as(key.key);
    ctx.clock.advance(3 * 3600);
    await api
      .post(`/v1/referrals/${a.referralId}/feedback`, { status: 'contacted', saleValue: 10 })
      .expect(400);
    const contacted = await api
      .post(`/v1/referrals/${a.referralId}/feedback`, {
        status: 'contacted',
        note: 'left a voicemail, then talked',
      })
      .expect(200);
    expect(contacted.body).toEqual({
      id: a.referralId,
      feedbackStatus: 'contacted',
      followUpSeconds: 10800,
      saleValue: null,
    });
    ctx.clock.advance(86400);
    const won = await api
      .post(`/v1/referrals/${a.referralId}/feedback`, { status: 'won', saleValue: 48250.5 })
      .expect(200);
    expect(won.body).toMatchObject({
      feedbackStatus: 'won',
      followUpSeconds: 10800,
      saleValue: 48250.5,
    });
    await api
      .post(`/v1/referrals/${a.referralId}/feedback`, { status: 'won', saleValue: 48250.5 })
      .expect(200);
    const lost = await api
      .post(`/v1/referrals/${a.referralId}/feedback`, { status: 'lost' })
      .expect(409);
    expect(lost.body.message).toMatch(/already won/);
    // In the future, or before publication: refused by field.
    const future = await api
      .post(`/v1/referrals/${a.referralId}/feedback`, {
        status: 'meeting',
        at: '2030-01-01T00:00:00Z',
      })
      .expect(400);
    expect(future.body.details[0].field).toBe('at');

    // Another client's key: 404 for a referral it cannot see; an unpublished one: 404 as well.
    const other = await setup();
    const otherKey = await ctx.newApiKey(other.clientId);
    await as(otherKey.key)
      .post(`/v1/referrals/${a.referralId}/feedback`, { status: 'won' })
      .expect(404);
    const pending = await refer(s.campaignId, s.caller, {
      ...COMPLETE,
      contact: { name: 'No Title' },
    });
    expect(pending.referralStatus).toBe('needs_review');
    await api
      .post(`/v1/referrals/${pending.referralId}/feedback`, { status: 'contacted' })
      .expect(404);
    // A client user does the same from the portal.
    const portal = await ctx.newUser('client', s.clientId);
    const b = await refer(s.campaignId, s.caller, COMPLETE);
    const viaPortal = await as(portal.token)
      .post(`/referrals/${b.referralId}/feedback`, { status: 'unreachable' })
      .expect(200);
    expect(viaPortal.body).toMatchObject({ feedbackStatus: 'unreachable', followUpSeconds: null });
    // The client sees its referral, never the agency's internals: which call, which caller,
    // review flags, or which staff member did what.
    const internals = ['callId', 'callerId', 'flagged', 'reviewReason', 'problems'];
    const listed = await as(portal.token).get('/referrals').expect(200);
    const mine = (listed.body as Record<string, unknown>[]).find((r) => r.id === b.referralId);
    expect(mine).toMatchObject({ id: b.referralId, need: COMPLETE.need });
    const detail = await as(portal.token).get(`/referrals/${b.referralId}`).expect(200);
    for (const shown of [mine!, detail.body as Record<string, unknown>, viaPortal.body])
      for (const k of internals) expect(shown).not.toHaveProperty(k);
    const history = (detail.body as { history: { actorKind: string; actorId: string | null }[] })
      .history;
    expect(history.length).toBeGreaterThan(0);
    expect(history.filter((h) => h.actorKind !== 'api_key').every((h) => h.actorId === null)).toBe(
      true,
    );
    // Staff still see them.
    const staff = await as(ctx.adminToken).get(`/referrals/${b.referralId}`).expect(200);
    expect(staff.body).toMatchObject({ callerId: s.caller.id, flagged: false });
    const otherPortal = await ctx.newUser('client', other.clientId);
    await as(otherPortal.token)
      .post(`/referrals/${b.referralId}/feedback`, { status: 'won' })
      .expect(404);
  });
});
