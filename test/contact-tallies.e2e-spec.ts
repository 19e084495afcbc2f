import {
  ContactTallies,
  type ListTally,
  TALLY_ROWS_BEFORE_COMPACTION,
} from '../src/reports/contact-tallies';
import { sql } from './pg-server';
import { TestContext } from './harness';
import { asUser } from './referral-fixtures';

/** The contact tallies the projection reads: kept by triggers on contacts, folded by the sweep. */
describe('contact tallies', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const tallies = () => ctx.app.get(ContactTallies);

  /** The campaign's tally (summed rows) beside the same figures counted from its contacts. */
  async function both(campaignId: string) {
    const [counted] = await sql<ListTally>(
      ctx.dbUrl,
      `WITH c AS (SELECT c.status, c.attempts, g.max_attempts AS max
                    FROM campaigns g JOIN contacts c ON c.campaign_id = g.id WHERE g.id = $1)
       SELECT (count(*) FILTER (WHERE status = 'open'))::float8 AS open,
              COALESCE(sum(GREATEST(max - attempts, 0)) FILTER (WHERE status = 'open'), 0)::float8 AS "remainingDials",
              (count(*) FILTER (WHERE status = 'closed'))::float8 AS closed,
              COALESCE(sum(attempts) FILTER (WHERE status = 'closed'), 0)::float8 AS "closedAttempts",
              (count(*) FILTER (WHERE status = 'closed' AND attempts > 0 AND attempts < max))::float8 AS "closedEarly",
              COALESCE(sum(LEAST(attempts, max - 1)), 0)::float8 AS "earlyDials",
              COALESCE((SELECT json_agg(json_build_array(l, n) ORDER BY a)
                          FROM (SELECT attempts AS a, GREATEST(max - attempts, 0) AS l, count(*)::float8 AS n
                                  FROM c WHERE status = 'open' GROUP BY attempts, max) x), '[]') AS "openByAttemptsLeft"
         FROM c`,
      [campaignId],
    );
    return { tally: await tallies().of(campaignId), counted };
  }

  const rowsOf = async (campaignId: string) =>
    Number(
      (
        await sql<{ n: string }>(
          ctx.dbUrl,
          'SELECT count(*) AS n FROM contact_tallies WHERE campaign_id = $1',
          [campaignId],
        )
      )[0].n,
    );

  it('follows imports, claims, outcomes and the campaign’s max attempts, and the projection reads it', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ fields: { maxAttempts: 3 } });
    const phones = Array.from({ length: 6 }, (_, i) => `(512) 555-${3000 + i},TX`);
    await ctx.importCsv(campaignId, `phone,state\n${phones.join('\n')}\n`);
    const fresh = { open: 6, remainingDials: 18, closed: 0, closedAttempts: 0 };
    expect(await both(campaignId)).toMatchObject({ tally: fresh, counted: fresh });

    // A claim changes neither status nor attempts: nothing is written to the tallies.
    const caller = asUser(ctx, callers[0].token);
    const rows = await rowsOf(campaignId);
    const first = await caller.post('/calls/next', { campaignId }).expect(200);
    expect(await rowsOf(campaignId)).toBe(rows);

    // Outcomes: one retry later (an attempt made), one done.
    await caller.post(`/calls/${first.body.callId}/outcome`, { disposition: 'no_answer' });
    const second = await caller.post('/calls/next', { campaignId }).expect(200);
    await caller
      .post(`/calls/${second.body.callId}/outcome`, { disposition: 'not_interested' })
      .expect(200);
    let { tally, counted } = await both(campaignId);
    expect(tally).toEqual(counted);
    // One contact settled at its first dial, another dialed once and open, four never dialed.
    expect(tally).toEqual({
      open: 5,
      remainingDials: 14,
      closed: 1,
      closedAttempts: 1,
      closedEarly: 1,
      earlyDials: 2,
      openByAttemptsLeft: [
        [3, 4],
        [2, 1],
      ],
    });

    const report = await ctx
      .http()
      .get(`/reports/campaigns/${campaignId}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(report.body.projection).toMatchObject({ openContacts: 5 });
    expect(report.body.projection.dialsLeft).toBeGreaterThan(0);
    expect(report.body.projection.dialsLeft).toBeLessThanOrEqual(14);

    // Max attempts lowered to 1: the contact with an attempt made has none left (never negative).
    await ctx
      .http()
      .patch(`/campaigns/${campaignId}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ maxAttempts: 1 })
      .expect(200);
    ({ tally, counted } = await both(campaignId));
    expect(tally).toEqual(counted);
    expect(tally.remainingDials).toBe(4);
  });

  it('folds a campaign’s rows into one per status and attempts, adding up to the same, while writes go on', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId } = await ctx.activeCampaign();
    const phones = Array.from({ length: 40 }, (_, i) => `(512) 555-${4000 + i},TX`);
    await ctx.importCsv(campaignId, `phone,state\n${phones.join('\n')}\n`);
    const ids = (
      await sql<{ id: string }>(
        ctx.dbUrl,
        'SELECT id FROM contacts WHERE campaign_id = $1 ORDER BY id',
        [campaignId],
      )
    ).map((r) => r.id);
    // One statement per change: each appends its own rows.
    const bump = (id: string) =>
      sql(ctx.dbUrl, 'UPDATE contacts SET attempts = attempts + 1 WHERE id = $1', [id]);
    for (const id of ids) await bump(id);
    for (const id of ids.slice(0, 20)) await bump(id);
    await sql(ctx.dbUrl, `UPDATE contacts SET status = 'closed' WHERE id = ANY($1::bigint[])`, [
      ids.slice(0, 5),
    ]);
    expect(await rowsOf(campaignId)).toBeGreaterThan(TALLY_ROWS_BEFORE_COMPACTION);
    const before = await both(campaignId);
    expect(before.tally).toEqual(before.counted);

    // Compaction beside more changes of the same campaign: nothing lost, nothing counted twice.
    const [folded] = await Promise.all([
      tallies().compact(),
      (async () => {
        for (const id of ids.slice(20, 30)) await bump(id);
      })(),
    ]);
    expect(folded).toBeGreaterThanOrEqual(1);
    const after = await both(campaignId);
    expect(after.tally).toEqual(after.counted);
    expect(after.tally).toMatchObject({
      open: 35,
      remainingDials: before.tally.remainingDials - 10,
      closed: 5,
      closedAttempts: 10,
    });
    // What is left: one row per status and attempts (4 of them at most here), plus the bumps
    // written meanwhile (two rows each); too few to fold again.
    expect(await rowsOf(campaignId)).toBeLessThanOrEqual(4 + 2 * 10);
    expect(await tallies().compact()).toBe(0);

    // The cap sweep's tick folds them too.
    for (const id of ids.slice(5)) await bump(id);
    expect(await rowsOf(campaignId)).toBeGreaterThan(TALLY_ROWS_BEFORE_COMPACTION);
    await ctx.restart({ capSweepSeconds: 1 });
    for (let i = 0; i < 50 && (await rowsOf(campaignId)) > 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await rowsOf(campaignId)).toBeLessThanOrEqual(4);
    const swept = await both(campaignId);
    expect(swept.tally).toEqual(swept.counted);
  });

  it('counts nothing of an import that failed', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId } = await ctx.activeCampaign();
    // A header with no phone column: the import fails as a whole.
    const report = await ctx.importCsv(campaignId, 'name,city\nAnn,Austin\n');
    expect(report.status).toBe('failed');
    expect(await rowsOf(campaignId)).toBe(0);
    expect(await tallies().of(campaignId)).toEqual({
      open: 0,
      remainingDials: 0,
      closed: 0,
      closedAttempts: 0,
      closedEarly: 0,
      earlyDials: 0,
      openByAttemptsLeft: [],
    });
  });
});
