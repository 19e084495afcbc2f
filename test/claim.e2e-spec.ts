import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/** Real US numbers in the format a list would carry; area code 213 = Los Angeles, 305 = Miami, 212 = New York. */
function phone(area: string, i: number): string {
  return `(${area}) ${String(200 + Math.floor(i / 10000)).padStart(3, '0')}-${String(i % 10000).padStart(4, '0')}`;
}

describe('claiming the next contact', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  /** A call to the contact's number `hoursAgo`, ended with no answer; dialed here or from another phone. */
  const pastCall = async (
    contact: { id: string; phone: string; client_id: string; campaign_id: string },
    callerId: string,
    hoursAgo: number,
    dialedHere: boolean,
  ) => {
    const at = new Date(ctx.clock.now().getTime() - hoursAgo * 3600_000);
    await sql(
      ctx.dbUrl,
      `INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, lease_expires_at,
                          dialed_at, disposition, outcome_at)
       VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7, 'no_answer', $6)`,
      [
        contact.client_id,
        contact.campaign_id,
        contact.id,
        callerId,
        contact.phone,
        at,
        dialedHere ? at : null,
      ],
    );
  };

  const next = (caller: TestUser, campaignId?: string) =>
    ctx
      .http()
      .post('/calls/next')
      .auth(caller.token, { type: 'bearer' })
      .send(campaignId ? { campaignId } : {});

  it('leases a contact with its script, pitch and offer, and returns the same lease when asked again', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z'); // 10:00 in Los Angeles
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: {
        pitches: [{ name: 'Savings', text: 'Save a third' }],
        offers: [{ name: 'Ten off', text: '10% off' }],
      },
    });
    await ctx.importCsv(
      campaignId,
      `company,first name,last name,title,phone,state\nAcme,Ann,Lee,CFO,${phone('213', 1)},CA\n`,
    );
    const first = await next(callers[0]).expect(200);
    expect(first.body).toMatchObject({
      contact: {
        company: 'Acme',
        firstName: 'Ann',
        lastName: 'Lee',
        title: 'CFO',
        state: 'CA',
        timezone: 'America/Los_Angeles',
        localTime: '10:00',
        attempts: 0,
      },
      campaign: { id: campaignId },
      pitch: { key: 'savings' },
      offer: { key: 'ten-off' },
    });
    expect(first.body.contact.phone).toMatch(/^\+1213/);
    expect(new Date(first.body.leaseExpiresAt).getTime()).toBe(ctx.clock.now().getTime() + 900_000);
    const again = await next(callers[0]).expect(200);
    expect(again.body.callId).toBe(first.body.callId);
    // Nothing else to call: another caller gets 204.
    const other = await ctx.newUser('caller');
    await ctx
      .http()
      .put(`/campaigns/${campaignId}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [callers[0].id, other.id] })
      .expect(200);
    await next(other).expect(204);
  });

  it.each([
    ['a lease left to expire', 'expired'],
    ["a caller's, once they are deactivated", 'released'],
  ] as const)('hands out a held contact again, to whoever asks next: %s', async (_how, state) => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(
      campaignId,
      `phone,state\n${phone('213', state === 'expired' ? 2 : 9)},CA\n`,
    );
    const a = await next(callers[0]).expect(200);
    await next(callers[1]).expect(204);
    if (state === 'expired') ctx.clock.advance(901);
    else {
      await ctx
        .http()
        .patch(`/users/${callers[0].id}`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .send({ active: false })
        .expect(200);
    }
    const b = await next(callers[1]).expect(200);
    expect(b.body.contact.id).toBe(a.body.contact.id);
    expect(b.body.callId).not.toBe(a.body.callId);
    const calls = await sql<{ state: string }>(ctx.dbUrl, 'SELECT state FROM calls WHERE id = $1', [
      a.body.callId,
    ]);
    expect(calls[0].state).toBe(state);
  });

  it.each([
    ['07:59 in Los Angeles', '2026-03-02T15:59:00Z', 'CA', '213', 204],
    ['08:00 in Los Angeles', '2026-03-02T16:00:00Z', 'CA', '213', 200],
    ['21:00 in Los Angeles', '2026-03-03T05:00:00Z', 'CA', '213', 204],
    ['20:00 in Florida', '2026-03-03T01:00:00Z', 'FL', '305', 204],
    ['19:59 in Florida', '2026-03-03T00:59:00Z', 'FL', '305', 200],
  ])('respects calling hours: %s', async (_label, now, state, area, status) => {
    ctx.clock.set(now);
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, `phone,state\n${phone(area, 3)},${state}\n`);
    await next(callers[0]).expect(status);
  });

  it.each([
    ['20:00', 'a Miami number', '305', '', '2026-03-03T01:00:00Z', 204],
    ['19:59', 'a Miami number', '305', '', '2026-03-03T00:59:00Z', 200],
    ['20:00', 'a New York number with a Miami ZIP', '212', '33101', '2026-03-03T01:00:00Z', 204],
    ['19:59', 'a New York number with a Miami ZIP', '212', '33101', '2026-03-03T00:59:00Z', 200],
    ['20:00', 'a Miami number with an Atlanta ZIP', '305', '30303', '2026-03-03T01:00:00Z', 204],
  ])(
    "keeps Florida's hours at %s for %s whose list gives no state",
    async (_label, _number, area, zip, now, status) => {
      ctx.clock.set(now);
      const { campaignId, callers } = await ctx.activeCampaign();
      const report = await ctx.importCsv(campaignId, `phone,zip\n${phone(area, 6)},${zip}\n`);
      expect(report.imported).toBe(1);
      const [contact] = await sql<{ state: string | null }>(
        ctx.dbUrl,
        'SELECT state FROM contacts WHERE campaign_id = $1',
        [campaignId],
      );
      expect(contact.state).toBe('FL');
      await next(callers[0]).expect(status);
    },
  );

  it('never hands out a number added to do-not-call, and drops the open lease on it', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers, clientId } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, `phone,state\n${phone('213', 4)},CA\n${phone('213', 5)},CA\n`);
    const leased = await next(callers[0]).expect(200);
    await ctx
      .http()
      .post('/dnc')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ phone: leased.body.contact.phone, clientId })
      .expect(201);
    const after = await next(callers[0]).expect(200);
    expect(after.body.contact.id).not.toBe(leased.body.contact.id);
    const dropped = await sql<{ state: string }>(
      ctx.dbUrl,
      'SELECT state FROM calls WHERE id = $1',
      [leased.body.callId],
    );
    expect(dropped[0].state).toBe('dropped');
    await ctx
      .http()
      .post(`/calls/${after.body.callId}/release`)
      .auth(callers[0].token, { type: 'bearer' })
      .expect(204);
    ctx.clock.advance(3600);
    const again = await next(callers[0]).expect(200);
    expect(again.body.contact.id).toBe(after.body.contact.id);
  });

  it('stops a consumer campaign whose registry scrub is older than 31 days', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ fields: { kind: 'consumer' } });
    await ctx.importCsv(campaignId, `phone,state\n${phone('213', 6)},CA\n`);
    await next(callers[0]).expect(204);
    const upload = (date: string) =>
      ctx
        .http()
        .post(`/dnc/imports?registry=true&obtainedAt=${date}`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .set('Content-Type', 'text/csv')
        .send('phone\n2125550123\n');
    await upload('2026-01-20').expect(201);
    await next(callers[0]).expect(204);
    await upload('2026-02-20').expect(201);
    await next(callers[0]).expect(200);
  });

  it('gives a caller nothing from a campaign they do not work', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, `phone,state\n${phone('213', 7)},CA\n`);
    const outsider = await ctx.newUser('caller');
    await next(outsider, campaignId).expect(404);
    await next(outsider).expect(204);
  });

  it('keeps to the 3-calls-in-24-hours limit of Florida', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, `phone,state\n${phone('305', 8)},FL\n`);
    const [contact] = await sql<{
      id: string;
      phone: string;
      client_id: string;
      campaign_id: string;
    }>(ctx.dbUrl, 'SELECT id, phone, client_id, campaign_id FROM contacts WHERE campaign_id = $1', [
      campaignId,
    ]);
    // Two dialed here, and the oldest dialed from another phone (an outcome, no dial): three.
    for (const [hoursAgo, dialedHere] of [
      [2, true],
      [5, true],
      [20, false],
    ] as const) {
      await pastCall(contact, callers[0].id, hoursAgo, dialedHere);
    }
    await next(callers[0]).expect(204);
    ctx.clock.advance(5 * 3600); // the oldest of the three is now more than 24 h ago
    const got = await next(callers[0]).expect(200);
    // A third call made meanwhile, from another phone (another campaign's outcome): the dial,
    // checking again, refuses.
    await sql(
      ctx.dbUrl,
      `INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, lease_expires_at,
                          disposition, outcome_at)
       VALUES ($1, $2, $3, $4, $5, 'completed', $6, 'no_answer', $6)`,
      [contact.client_id, campaignId, contact.id, callers[0].id, contact.phone, ctx.clock.now()],
    );
    const refused = await ctx
      .http()
      .post(`/calls/${got.body.callId}/dial`)
      .auth(callers[0].token, { type: 'bearer' })
      .expect(409);
    expect(refused.body.message).toMatch(/3 calls in 24 hours, the most FL allows/);
  });

  it('lets only one of two campaigns dialing a Florida number at the same instant make its third call', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const first = await ctx.activeCampaign();
    const second = await ctx.activeCampaign();
    for (let round = 0; round < 6; round++) {
      const number = phone('305', 100 + round);
      const held: { callId: string; caller: TestUser }[] = [];
      for (const { campaignId, callers } of [first, second]) {
        await ctx.importCsv(campaignId, `phone,state\n${number},FL\n`);
        const [contact] = await sql<{
          id: string;
          phone: string;
          client_id: string;
          campaign_id: string;
        }>(
          ctx.dbUrl,
          `SELECT id, phone, client_id, campaign_id FROM contacts WHERE campaign_id = $1 AND phone = '+1305' || $2`,
          [campaignId, number.replace(/\D/g, '').slice(3)],
        );
        if (campaignId === first.campaignId) {
          // Two calls already today: one more is allowed, from either campaign.
          for (const hoursAgo of [2, 5]) await pastCall(contact, callers[0].id, hoursAgo, true);
        }
        const got = await next(callers[0], campaignId).expect(200);
        held.push({ callId: got.body.callId, caller: callers[0] });
      }
      const dials = await Promise.all(
        held.map(({ callId, caller }) =>
          ctx.http().post(`/calls/${callId}/dial`).auth(caller.token, { type: 'bearer' }),
        ),
      );
      expect(dials.map((d) => d.status).sort()).toEqual([200, 409]);
      expect(dials.find((d) => d.status === 409)?.body.message).toMatch(/3 calls in 24 hours/);
      const [{ n }] = await sql<{ n: number }>(
        ctx.dbUrl,
        `SELECT count(*)::int AS n FROM calls WHERE phone = $1 AND dialed_at IS NOT NULL`,
        [`+1305${number.replace(/\D/g, '').slice(3)}`],
      );
      expect(n).toBe(3);
      // Both calls end before the next round (the dialed one answered by no one).
      const ids = held.map((h) => h.callId);
      await sql(
        ctx.dbUrl,
        `UPDATE calls SET state = CASE WHEN dialed_at IS NULL THEN 'released'::call_state ELSE 'completed'::call_state END,
                          disposition = CASE WHEN dialed_at IS NULL THEN NULL ELSE 'no_answer'::call_disposition END,
                          outcome_at = CASE WHEN dialed_at IS NULL THEN NULL ELSE dialed_at END
          WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      await sql(
        ctx.dbUrl,
        `UPDATE contacts SET leased_to = NULL, lease_expires_at = NULL
          WHERE id IN (SELECT contact_id FROM calls WHERE id = ANY($1::uuid[]))`,
        [ids],
      );
    }
  });

  it('goes on claiming after a newer version adds a column to contacts (a rolling deploy)', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 20 });
    const rows = Array.from({ length: 20 }, (_, i) => `${phone('213', 3000 + i)},CA`);
    await ctx.importCsv(campaignId, `phone,state\n${rows.join('\n')}\n`);
    // Ten at once, so that the pool's connections each prepare the claim statement.
    const before = await Promise.all(callers.slice(0, 10).map((c) => next(c, campaignId)));
    expect(before.map((r) => r.status)).toEqual(before.map(() => 200));
    await sql(ctx.dbUrl, 'ALTER TABLE contacts ADD COLUMN added_by_a_newer_version text');
    try {
      const after = await Promise.all(callers.slice(10).map((c) => next(c, campaignId)));
      expect(after.map((r) => r.status)).toEqual(after.map(() => 200));
      const ids = [...before, ...after].map((r) => r.body.contact.id as string);
      expect(new Set(ids).size).toBe(20);
    } finally {
      await sql(ctx.dbUrl, 'ALTER TABLE contacts DROP COLUMN added_by_a_newer_version');
    }
  });

  it('hands every one of 1,000 contacts to exactly one of 50 concurrent callers', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 50 });
    const rows = Array.from({ length: 1000 }, (_, i) => `${phone('213', 1000 + i)},CA`);
    const report = await ctx.importCsv(campaignId, `phone,state\n${rows.join('\n')}\n`);
    expect(report.imported).toBe(1000);
    const handed: string[] = [];
    await Promise.all(
      callers.map(async (caller) => {
        for (;;) {
          const res = await next(caller, campaignId);
          if (res.status === 204) return;
          expect(res.status).toBe(200);
          handed.push(res.body.contact.id);
          await ctx
            .http()
            .post(`/calls/${res.body.callId}/outcome`)
            .auth(caller.token, { type: 'bearer' })
            .send({ disposition: 'not_interested' })
            .expect(200);
        }
      }),
    );
    expect(handed).toHaveLength(1000);
    expect(new Set(handed).size).toBe(1000);
  }, 120000);
});
