import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

describe('outcomes', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const next = (caller: TestUser, campaignId: string) =>
    ctx.http().post('/calls/next').auth(caller.token, { type: 'bearer' }).send({ campaignId });
  const outcome = (caller: TestUser, callId: string, body: object) =>
    ctx.http().post(`/calls/${callId}/outcome`).auth(caller.token, { type: 'bearer' }).send(body);

  /** An active campaign with one Los Angeles contact per phone given, at 10:00 local time. */
  async function setup(phones: string[], fields: Record<string, unknown> = {}) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const c = await ctx.activeCampaign({
      callerCount: 2,
      fields: { maxAttempts: 2, minRetryMinutes: 60, ...fields },
    });
    await ctx.importCsv(c.campaignId, `phone,state\n${phones.map((p) => `${p},CA`).join('\n')}\n`);
    return c;
  }

  it('puts an unanswered contact back after the minimum gap, and closes it when attempts are used up', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0001']);
    const first = await next(callers[0], campaignId).expect(200);
    const res = await outcome(callers[0], first.body.callId, { disposition: 'no_answer' }).expect(
      200,
    );
    expect(res.body).toMatchObject({
      disposition: 'no_answer',
      dialed: false,
      contact: { status: 'queued', nextCallAt: '2026-03-02T19:00:00.000Z' },
      referralId: null,
    });
    await next(callers[0], campaignId).expect(204);
    ctx.clock.advance(3600);
    const second = await next(callers[0], campaignId).expect(200);
    expect(second.body.contact).toMatchObject({ id: first.body.contact.id, attempts: 1 });
    const last = await outcome(callers[0], second.body.callId, { disposition: 'busy' }).expect(200);
    expect(last.body.contact).toEqual({
      id: first.body.contact.id,
      status: 'closed',
      nextCallAt: null,
    });
    ctx.clock.advance(86400);
    await next(callers[0], campaignId).expect(204);
  });

  it('schedules a recall for the agreed time and hands it out before never-called contacts', async () => {
    const { campaignId, callers } = await setup([
      '(213) 300-0002',
      '(213) 300-0003',
      '(213) 300-0004',
    ]);
    const first = await next(callers[0], campaignId).expect(200);
    await outcome(callers[0], first.body.callId, { disposition: 'recall' }).expect(400);
    await outcome(callers[0], first.body.callId, {
      disposition: 'recall',
      recallAt: '2026-03-01T10:00:00Z',
    }).expect(400);
    // Without its offset the time would be read in the server's zone: refused.
    const local = await outcome(callers[0], first.body.callId, {
      disposition: 'recall',
      recallAt: '2026-03-03T10:30:00',
    }).expect(400);
    expect(local.body.details).toEqual([
      { field: 'recallAt', message: expect.stringMatching(/offset/) },
    ]);
    const res = await outcome(callers[0], first.body.callId, {
      disposition: 'recall',
      recallAt: '2026-03-03T10:30:00-08:00',
      notes: 'Call back Tuesday morning, ask for Dana',
    }).expect(200);
    expect(res.body.contact).toEqual({
      id: first.body.contact.id,
      status: 'recall',
      nextCallAt: '2026-03-03T18:30:00.000Z',
    });
    ctx.clock.set('2026-03-03T18:30:00Z');
    // Sent again once the time has come (a retry of a lost answer): the same result.
    const repeat = await outcome(callers[0], first.body.callId, {
      disposition: 'recall',
      recallAt: '2026-03-03T10:30:00-08:00',
      notes: 'Call back Tuesday morning, ask for Dana',
    }).expect(200);
    expect(repeat.body).toEqual(res.body);
    const recalled = await next(callers[1], campaignId).expect(200);
    expect(recalled.body.contact.id).toBe(first.body.contact.id);
  });

  it.each([
    ['not_interested', {}],
    ['wrong_number', {}],
    [
      'referral',
      {
        referral: {
          rating: 'very_interested',
          need: 'Roof of 20,000 sq ft, wants a quote for panels before the summer',
          timeframe: 'this_month',
          budget: 'confirmed',
          decisionMaker: 'yes',
          expectingCall: true,
          nextStep: 'quote',
          contact: { name: 'Dana Ortiz', title: 'Owner', email: 'dana@example.com' },
        },
      },
    ],
  ] as const)(
    '%s closes the contact for good and keeps what was said',
    async (disposition, extra) => {
      const { campaignId, callers } = await setup(['(213) 300-0005']);
      const got = await next(callers[0], campaignId).expect(200);
      const res = await outcome(callers[0], got.body.callId, {
        disposition,
        notes: 'n',
        ...extra,
      }).expect(200);
      expect(res.body.contact.status).toBe('closed');
      const [call] = await sql<{
        disposition: string;
        outcome: Record<string, unknown>;
        state: string;
      }>(ctx.dbUrl, 'SELECT disposition, outcome, state FROM calls WHERE id = $1', [
        got.body.callId,
      ]);
      expect(call).toMatchObject({
        disposition,
        state: 'completed',
        outcome: { notes: 'n', referral: 'referral' in extra ? extra.referral : null },
      });
      ctx.clock.advance(7 * 86400);
      await next(callers[0], campaignId).expect(204);
    },
  );

  it('refuses a referral without its details, and details without a referral', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0006']);
    const got = await next(callers[0], campaignId).expect(200);
    const missing = await outcome(callers[0], got.body.callId, { disposition: 'referral' }).expect(
      400,
    );
    expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('referral');
    const badRating = await outcome(callers[0], got.body.callId, {
      disposition: 'referral',
      referral: { rating: 'lukewarm', need: 'x', contact: { name: 'A' } },
    }).expect(400);
    expect(badRating.body.details.map((d: { field: string }) => d.field)).toEqual([
      'referral.rating',
    ]);
    await outcome(callers[0], got.body.callId, {
      disposition: 'not_interested',
      referral: { rating: 'needs_work', need: 'x', contact: { name: 'A' } },
    }).expect(400);
  });

  it('accepts an outcome once: the same again answers the same, a different one 409', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0007']);
    const got = await next(callers[0], campaignId).expect(200);
    const body = { disposition: 'not_interested', notes: 'has a supplier' };
    const a = await outcome(callers[0], got.body.callId, body).expect(200);
    const b = await outcome(callers[0], got.body.callId, {
      notes: 'has a supplier',
      disposition: 'not_interested',
    }).expect(200);
    expect(b.body).toEqual(a.body);
    await outcome(callers[0], got.body.callId, {
      disposition: 'not_interested',
      notes: 'other',
    }).expect(409);
    await outcome(callers[1], got.body.callId, body).expect(404);
  });

  it('refuses an outcome after the lease ended, marks the call no_outcome and puts the contact back', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0008']);
    const got = await next(callers[0], campaignId).expect(200);
    ctx.clock.advance(901);
    const late = await outcome(callers[0], got.body.callId, { disposition: 'no_answer' }).expect(
      409,
    );
    expect(late.body.message).toMatch(/back in the queue/);
    const [call] = await sql<{ state: string }>(
      ctx.dbUrl,
      'SELECT state FROM calls WHERE id = $1',
      [got.body.callId],
    );
    expect(call.state).toBe('no_outcome');
    const again = await next(callers[1], campaignId).expect(200);
    expect(again.body.contact.id).toBe(got.body.contact.id);
  });

  it('honours the wrap-up window after hang-up', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0009', '(213) 300-0010']);
    for (const [wait, status] of [
      [119, 200],
      [121, 409],
    ] as const) {
      const got = await next(callers[0], campaignId).expect(200);
      // Hang-up as the telephony callbacks will record it.
      await sql(
        ctx.dbUrl,
        `UPDATE calls SET state = 'completed', dialed_at = $2, ended_at = $2 WHERE id = $1`,
        [got.body.callId, ctx.clock.now()],
      );
      ctx.clock.advance(wait);
      const res = await outcome(callers[0], got.body.callId, { disposition: 'voicemail' }).expect(
        status,
      );
      if (status === 200) expect(res.body.dialed).toBe(true);
    }
  });

  it('lists the number for the client on a do_not_call outcome and drops another caller’s lease on it', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const a = await ctx.activeCampaign({ callerCount: 1 });
    const b = await ctx.activeCampaign({ callerCount: 1, clientId: a.clientId });
    await ctx.importCsv(a.campaignId, 'phone,state\n(213) 300-0011,CA\n');
    await ctx.importCsv(b.campaignId, 'phone,state\n(213) 300-0011,CA\n(213) 300-0012,CA\n');
    const inA = await next(a.callers[0], a.campaignId).expect(200);
    const inB = await next(b.callers[0], b.campaignId).expect(200);
    expect(inB.body.contact.phone).toBe(inA.body.contact.phone);
    await outcome(a.callers[0], inA.body.callId, { disposition: 'do_not_call' }).expect(200);
    const listed = await ctx
      .http()
      .get(`/dnc/${encodeURIComponent(inA.body.contact.phone)}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(listed.body.entries).toEqual([
      expect.objectContaining({ scope: 'client', clientId: a.clientId, source: 'outcome' }),
    ]);
    const [dropped] = await sql<{ state: string }>(
      ctx.dbUrl,
      'SELECT state FROM calls WHERE id = $1',
      [inB.body.callId],
    );
    expect(dropped.state).toBe('dropped');
    const after = await next(b.callers[0], b.campaignId).expect(200);
    expect(after.body.contact.phone).not.toBe(inA.body.contact.phone);
  });

  it('shows the contact’s earlier calls on the next claim: newest first, with the caller’s name and notes, no other client’s', async () => {
    const { campaignId, callers } = await setup(['(213) 300-0021'], { maxAttempts: 5 });
    const [dana, lee] = callers;
    for (const [u, name] of [
      [dana, 'Dana Caller'],
      [lee, 'Lee Caller'],
    ] as const) {
      await ctx
        .http()
        .patch(`/users/${u.id}`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .send({ name })
        .expect(200);
    }
    // The same number in another client's campaign, with a note of its own.
    const other = await ctx.activeCampaign({ callerCount: 1 });
    await ctx.importCsv(other.campaignId, 'phone,state\n(213) 300-0021,CA\n');
    const elsewhere = await next(other.callers[0], other.campaignId).expect(200);
    await outcome(other.callers[0], elsewhere.body.callId, {
      disposition: 'not_interested',
      notes: 'Another client: not for you to see',
    }).expect(200);

    const first = await next(dana, campaignId).expect(200);
    expect(first.body.earlierCalls).toEqual([]);
    await outcome(dana, first.body.callId, {
      disposition: 'gatekeeper',
      notes: 'Receptionist says the owner is in after 3pm',
    }).expect(200);

    ctx.clock.advance(3600);
    const second = await next(lee, campaignId).expect(200);
    expect(second.body.contact.id).toBe(first.body.contact.id);
    expect(second.body.earlierCalls).toEqual([
      {
        at: '2026-03-02T18:00:00.000Z',
        caller: 'Dana Caller',
        byYou: false,
        disposition: 'gatekeeper',
        notes: 'Receptionist says the owner is in after 3pm',
      },
    ]);
    // Asking again while the lease holds answers the same.
    const again = await next(lee, campaignId).expect(200);
    expect(again.body.earlierCalls).toEqual(second.body.earlierCalls);
    ctx.clock.advance(60);
    await outcome(lee, second.body.callId, {
      disposition: 'recall',
      recallAt: '2026-03-03T10:30:00-08:00',
      notes: 'Owner asked for a call tomorrow morning',
    }).expect(200);

    ctx.clock.set('2026-03-03T18:30:00Z');
    const third = await next(dana, campaignId).expect(200);
    expect(third.body.contact.id).toBe(first.body.contact.id);
    expect(
      third.body.earlierCalls.map((c: { caller: string; byYou: boolean; disposition: string }) => [
        c.caller,
        c.byYou,
        c.disposition,
      ]),
    ).toEqual([
      ['Lee Caller', false, 'recall'],
      ['Dana Caller', true, 'gatekeeper'],
    ]);
    expect(JSON.stringify(third.body.earlierCalls)).not.toContain('Another client');
    expect(JSON.stringify(third.body.earlierCalls)).not.toMatch(/@|caller_?id/i);
    // The earlier calls are read by contact, through an index.
    const indexes = await sql<{ indexdef: string }>(
      ctx.dbUrl,
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'calls' AND indexdef LIKE '%(contact_id)'`,
    );
    expect(indexes).toHaveLength(1);
  });
});
