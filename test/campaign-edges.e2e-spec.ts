import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TestContext } from './harness';
import { asUser, COMPLETE } from './referral-fixtures';

/**
 * Edges of campaigns and their lists: what a client user sees of a campaign, a caller taken off
 * a campaign mid-lease, the size of an imported list, and an import killed mid-way.
 */
describe('campaign edges', () => {
  let ctx: TestContext;
  let db: Client;
  beforeAll(async () => {
    ctx = await TestContext.create();
    db = new Client({ connectionString: ctx.dbUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await ctx.close();
  });

  it('a client user sees exactly id, name, product, status, kind, pitches, offers, window and creation', async () => {
    const { clientId, campaignId } = await ctx.activeCampaign({
      fields: {
        product: 'Commercial solar',
        pitches: [{ name: 'Savings', text: 'Cut the bill' }],
        offers: [{ name: 'Audit', text: 'A free roof audit' }],
        scoreWeights: {
          timeframe: 30,
          budget: 20,
          decisionMaker: 20,
          nextStep: 10,
          expectingCall: 10,
          companySize: 5,
          need: 5,
        },
        reviewSamplePct: 10,
      },
    });
    const client = await ctx.newUser('client', clientId);
    const as = asUser(ctx, client.token);
    const listed = (await as.get('/campaigns').expect(200)).body as Record<string, unknown>[];
    const one = (await as.get(`/campaigns/${campaignId}`).expect(200)).body as Record<
      string,
      unknown
    >;
    for (const view of [listed.find((c) => c.id === campaignId)!, one]) {
      expect(Object.keys(view).sort()).toEqual(
        [
          'id',
          'name',
          'product',
          'status',
          'kind',
          'pitches',
          'offers',
          'callingWindow',
          'createdAt',
        ].sort(),
      );
      expect(view).toMatchObject({
        product: 'Commercial solar',
        status: 'active',
        kind: 'b2b',
        callingWindow: { start: '08:00', end: '21:00' },
        pitches: [{ key: 'savings', name: 'Savings', text: 'Cut the bill' }],
        offers: [{ key: 'audit', name: 'Audit', text: 'A free roof audit' }],
      });
      for (const v of [...(view.pitches as object[]), ...(view.offers as object[])]) {
        expect(Object.keys(v).sort()).toEqual(['key', 'name', 'text']);
      }
    }
    // The agency still sees its internals.
    const staff = await asUser(ctx, ctx.adminToken).get(`/campaigns/${campaignId}`).expect(200);
    expect(staff.body).toMatchObject({ reviewSamplePct: 10, callerId: '+12125550100' });
    expect(staff.body.callerIds).toHaveLength(1);
    expect(staff.body.scoreWeights).toMatchObject({ timeframe: 30 });
  });

  it('a caller taken off a campaign loses an undialed lease at once; a dialed call keeps its wrap-up and outcome', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 3 });
    const [held, dialed, stays] = callers;
    await ctx.importCsv(
      campaignId,
      'phone,state,zip\n(512) 555-0201,TX,78701\n(512) 555-0202,TX,78701\n(512) 555-0203,TX,78701\n',
    );
    const leased = (await asUser(ctx, held.token).post('/calls/next', { campaignId }).expect(200))
      .body;
    const talking = asUser(ctx, dialed.token);
    const call = (await talking.post('/calls/next', { campaignId }).expect(200)).body;
    await talking.post(`/calls/${call.callId}/dial`).expect(200);
    for (const event of ['ringing', 'answered', 'completed']) {
      await talking.post(`/telephony/simulated/calls/${call.callId}/events`, { event }).expect(200);
    }

    await ctx
      .http()
      .put(`/campaigns/${campaignId}/callers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ callerIds: [stays.id] })
      .expect(200);

    // At once: the undialed lease is over and its contact free for the callers left.
    const lease = await db.query(
      `SELECT k.state, c.leased_to FROM calls k JOIN contacts c ON c.id = k.contact_id WHERE k.id = $1`,
      [leased.callId],
    );
    expect(lease.rows[0]).toEqual({ state: 'released', leased_to: null });
    // Nothing can follow it: no dial, no outcome, no referral published.
    const as = asUser(ctx, held.token);
    const dial = await as.post(`/calls/${leased.callId}/dial`).expect(409);
    expect(dial.body.code).toBe('not_on_campaign');
    const refused = await as
      .post(`/calls/${leased.callId}/outcome`, { disposition: 'referral', referral: COMPLETE })
      .expect(409);
    expect(refused.body.code).toBe('wrap_up_over');
    expect(refused.body.message).toMatch(/taken off this campaign/);
    const referrals = await db.query(
      'SELECT count(*)::int AS n FROM referrals WHERE call_id = $1',
      [leased.callId],
    );
    expect(referrals.rows[0].n).toBe(0);
    // The contact goes to a caller still on the campaign (two are free: one is this one).
    const claimed = new Set<string>();
    const other = asUser(ctx, stays.token);
    for (let i = 0; i < 2; i++) {
      const next = (await other.post('/calls/next', { campaignId }).expect(200)).body;
      claimed.add(next.contact.phone as string);
      await other.post(`/calls/${next.callId}/release`).expect(204);
      ctx.clock.advance(1);
    }
    expect(claimed.has(leased.contact.phone as string)).toBe(true);

    // The call already dialed keeps its wrap-up: its outcome and referral are recorded.
    ctx.clock.advance(5);
    const saved = await talking
      .post(`/calls/${call.callId}/outcome`, { disposition: 'referral', referral: COMPLETE })
      .expect(200);
    expect(saved.body.referralId).toEqual(expect.any(String));
    expect(saved.body.dialed).toBe(true);
  });

  it('a lease taken while the caller was being taken off takes no outcome either', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(campaignId, 'phone,state,zip\n(512) 555-0301,TX,78701\n');
    const as = asUser(ctx, callers[0].token);
    const leased = (await as.post('/calls/next', { campaignId }).expect(200)).body;
    // The removal committed, the lease not seen by it (a claim racing it): as it would be left.
    await db.query('DELETE FROM campaign_callers WHERE campaign_id = $1 AND user_id = $2', [
      campaignId,
      callers[0].id,
    ]);
    const refused = await as
      .post(`/calls/${leased.callId}/outcome`, { disposition: 'referral', referral: COMPLETE })
      .expect(409);
    expect(refused.body.code).toBe('wrap_up_over');
    const left = await db.query(
      `SELECT k.state, c.leased_to FROM calls k JOIN contacts c ON c.id = k.contact_id WHERE k.id = $1`,
      [leased.callId],
    );
    expect(left.rows[0]).toEqual({ state: 'no_outcome', leased_to: null });
  });

  describe('imported lists', () => {
    it('refuses a file of more than 500 columns, naming the cap, before reading its rows', async () => {
      const { campaignId } = await ctx.activeCampaign();
      const width = 100_000;
      const header = ['Phone', ...Array.from({ length: width - 1 }, (_, i) => `c${i}`)].join(',');
      const row = (n: number) =>
        [`(512) 555-${String(400 + n).padStart(4, '0')}`, ...Array(width - 1).fill('x')].join(',');
      const csv = `${header}\n${[1, 2, 3].map(row).join('\n')}\n`;
      const report = await ctx.importCsv(campaignId, csv);
      expect(report.status).toBe('failed');
      expect(report.failureReason).toMatch(/has 100,000 columns: .*at most 500/);
      expect(report.imported).toBe(0);

      // 500 columns are still a contact list.
      const fine = ['Phone', ...Array.from({ length: 499 }, (_, i) => `c${i}`)].join(',');
      const ok = await ctx.importCsv(
        campaignId,
        `${fine}\n${['(512) 555-0499', ...Array(499).fill('y')].join(',')}\n`,
      );
      expect(ok).toMatchObject({ status: 'completed', imported: 1 });
      const wide = `${fine},one more\n${['(512) 555-0498', ...Array(500).fill('y')].join(',')}\n`;
      expect((await ctx.importCsv(campaignId, wide)).failureReason).toMatch(
        /has 501 columns: .*at most 500/,
      );
    });

    it('refuses a contact whose own columns hold more than 8,192 characters, naming the cap', async () => {
      const { campaignId } = await ctx.activeCampaign();
      const csv =
        'Phone,Notes,CRM Dump\n' +
        `(512) 555-0501,short,${'z'.repeat(8000)}\n` +
        `(512) 555-0502,${'n'.repeat(4000)},${'z'.repeat(5000)}\n` +
        '(512) 555-0503,fine,\n';
      const report = await ctx.importCsv(campaignId, csv);
      expect(report).toMatchObject({ status: 'completed', imported: 2, invalid: 1 });
      expect(report.errors).toEqual([
        {
          line: 3,
          reason:
            'its own columns (those that are no contact field) hold 9,013 characters: at most 8,192 per contact',
        },
      ]);
      const kept = await db.query(
        `SELECT phone, length(custom::text) AS size FROM contacts WHERE campaign_id = $1 ORDER BY phone`,
        [campaignId],
      );
      expect(kept.rows.map((r) => r.phone)).toEqual(['+15125550501', '+15125550503']);
    });

    it("removes at start-up a killed import's spooled file and marks the import failed; a live one's stays", async () => {
      ctx.clock.set('2026-03-02T18:00:00Z');
      const { clientId, campaignId } = await ctx.activeCampaign();
      // The process that was working the import, now gone (killed); another still alive.
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => gone.once('exit', r));
      const alive: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      const spool = (id: string, pid: number) => {
        const dir = join(tmpdir(), `rd-import-${id}-${pid}-t3stXy`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'upload.csv'), Buffer.alloc(1024 * 1024, 'a'));
        return dir;
      };
      const killed = randomUUID();
      const working = randomUUID();
      for (const id of [killed, working]) {
        // Heartbeats a second old: the service restarts at once, before they would look stale.
        await db.query(
          `INSERT INTO contact_imports (id, campaign_id, client_id, status, bytes_total, heartbeat_at)
           VALUES ($1, $2, $3, 'running', 1048576, $4)`,
          [id, campaignId, clientId, new Date(ctx.clock.now().getTime() - 1000)],
        );
      }
      const killedDir = spool(killed, gone.pid!);
      const workingDir = spool(working, alive.pid!);
      try {
        await ctx.restart();
        expect(existsSync(killedDir)).toBe(false);
        expect(existsSync(workingDir)).toBe(true);
        const status = await db.query(
          'SELECT id, status, failure_reason FROM contact_imports WHERE id = ANY($1)',
          [[killed, working]],
        );
        const byId = Object.fromEntries(status.rows.map((r) => [r.id, r]));
        expect(byId[killed]).toMatchObject({
          status: 'failed',
          failure_reason: 'the server stopped during the import; nothing was imported',
        });
        expect(byId[working].status).toBe('running');
      } finally {
        alive.kill();
        rmSync(killedDir, { recursive: true, force: true });
        rmSync(workingDir, { recursive: true, force: true });
      }
    });
  });
});
