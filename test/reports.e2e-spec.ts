import { DataSource } from 'typeorm';
import { ContactTallies } from '../src/reports/contact-tallies';
import { RollupsService } from '../src/reports/rollups.service';
import { INDUSTRY_SUCCESS_PRIOR, posterior, type Posterior } from '../src/reports/projection';
import { logGamma, wilson } from '../src/reports/stats';
import { sql } from './pg-server';
import { TestContext } from './harness';
import { asUser, COMPLETE, NEED, referralSetup } from './referral-fixtures';

/** P(X = k) for X ~ Beta-binomial(n, alpha, beta), from its closed form. */
function betaBinomialPmf(k: number, n: number, { alpha, beta }: Posterior): number {
  const lnB = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);
  const lnChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return Math.exp(lnChoose + lnB(k + alpha, n - k + beta) - lnB(alpha, beta));
}

/** Reports on a hand-built history: every figure known in advance. */
describe('reports', () => {
  let ctx: TestContext;
  let s: Awaited<ReturnType<typeof referralSetup>>;
  let hot: string;
  let warm: string;
  beforeAll(async () => {
    ctx = await TestContext.create();
    s = await referralSetup(ctx, { maxAttempts: 1 });
    const phones = Array.from({ length: 14 }, (_, i) => `(512) 555-${2000 + i},TX,78701`);
    await ctx.importCsv(s.campaignId, `phone,state,zip\n${phones.join('\n')}\n`);
    const caller = asUser(ctx, s.caller.token);
    // Ten dials, one a minute: 6 not connected, 2 connected without referral, 2 referrals.
    const outcomes: object[] = [
      { disposition: 'no_answer' },
      { disposition: 'no_answer' },
      { disposition: 'no_answer' },
      { disposition: 'no_answer' },
      { disposition: 'busy' },
      { disposition: 'voicemail' },
      { disposition: 'not_interested' },
      { disposition: 'gatekeeper' },
      { disposition: 'referral', referral: { ...COMPLETE, rating: 'very_interested' } },
      { disposition: 'referral', referral: COMPLETE },
    ];
    const ids: string[] = [];
    for (const body of outcomes) {
      const next = await caller.post('/calls/next', { campaignId: s.campaignId }).expect(200);
      const res = await caller.post(`/calls/${next.body.callId}/outcome`, body).expect(200);
      if (res.body.referralId) ids.push(res.body.referralId);
      ctx.clock.advance(60);
    }
    [hot, warm] = ids;
    const key = (await ctx.newApiKey(s.clientId)).key;
    const api = asUser(ctx, key);
    // The hot one: won two hours after publication; the warm one: reached after 30 h, then lost.
    ctx.clock.set('2026-03-02T20:08:00Z');
    await api.post(`/v1/referrals/${hot}/feedback`, { status: 'won', saleValue: 1200 }).expect(200);
    ctx.clock.set('2026-03-04T00:09:00Z');
    await api.post(`/v1/referrals/${warm}/feedback`, { status: 'contacted' }).expect(200);
    await api
      .post(`/v1/referrals/${warm}/feedback`, { status: 'lost', reason: 'price' })
      .expect(200);
  });
  afterAll(() => ctx.close());

  it('adds up the figures and their rates, each with its count and intervals', async () => {
    const r = await asUser(ctx, s.am.token).get(`/reports/campaigns/${s.campaignId}`).expect(200);
    expect(r.body.totals).toEqual({
      dials: 10,
      connects: 4,
      dialedHere: 0,
      referrals: 2,
      veryInterested: 1,
      needsWork: 1,
      published: 2,
      contacted: 2,
      won: 1,
      lost: 1,
      wonVeryInterested: 1,
      wonNeedsWork: 0,
      finalVeryInterested: 1,
      finalNeedsWork: 1,
      saleValue: 1200,
      talkSeconds: 0,
      hitCap: 0,
      extended: 0,
      // 9 gaps of a minute, stretched by one gap: 600 s.
      callerHours: 0.17,
    });
    // Wilson at 80% and 95%, to 4 decimals.
    const w = wilson(2, 10);
    expect(r.body.rates.successRate).toEqual({
      value: 0.2,
      n: 10,
      k: 2,
      lower80: Number(w.lower80.toFixed(4)),
      upper80: Number(w.upper80.toFixed(4)),
      lower95: Number(w.lower95.toFixed(4)),
      upper95: Number(w.upper95.toFixed(4)),
    });
    expect(r.body.rates.successRate.lower95).toBe(0.0567);
    expect(r.body.rates.referralsPerConnect).toMatchObject({ value: 0.5, n: 4 });
    expect(r.body.rates.connectRate).toMatchObject({ value: 0.4, n: 10 });
    expect(r.body.rates.hotShare).toMatchObject({ value: 0.5, n: 2 });
    expect(r.body.rates.closeRate).toMatchObject({ value: 0.5, n: 2 });
    expect(r.body.rates.closeRateVeryInterested).toMatchObject({ value: 1, n: 1, upper95: 1 });
    expect(r.body.rates.closeRateNeedsWork).toMatchObject({ value: 0, n: 1, lower95: 0 });
    // Dials per referral and referrals per sale: the inverse of the rate's range.
    const inverse = (x: number) => Math.round((1 / x) * 100) / 100;
    expect(r.body.rates.coldContactsPerReferral).toEqual({
      value: 5,
      n: 10,
      k: 2,
      lower80: inverse(w.upper80),
      upper80: inverse(w.lower80),
      lower95: inverse(w.upper95),
      upper95: inverse(w.lower95),
    });
    expect(r.body.rates.referralsPerSale).toMatchObject({ value: 2, n: 2, k: 1 });
    expect(r.body.rates.referralsPerSale.upper95).toBeGreaterThan(2);
    expect(r.body.rates.dialsPerCallerHour).toEqual({ value: 60, n: 10 });
    // No dial through the platform: shares of nothing have no value and the widest interval.
    expect(r.body.rates.capShare).toEqual({
      value: null,
      n: 0,
      k: 0,
      lower80: 0,
      upper80: 1,
      lower95: 0,
      upper95: 1,
    });
    for (const rate of Object.values(r.body.rates) as {
      lower95?: number;
      lower80?: number;
      upper80?: number;
      upper95?: number;
      value: number | null;
    }[]) {
      if (rate.lower95 === undefined || rate.value === null) continue;
      expect(rate.lower95).toBeLessThanOrEqual(rate.lower80!);
      expect(rate.lower80).toBeLessThanOrEqual(rate.value);
      expect(rate.value).toBeLessThanOrEqual(rate.upper80!);
      expect(rate.upper80).toBeLessThanOrEqual(rate.upper95!);
    }
  });

  it('shows follow-up per rep, decay by latency and rating calibration', async () => {
    const r = await asUser(ctx, s.am.token).get(`/reports/clients/${s.clientId}`).expect(200);
    const decay = Object.fromEntries(
      r.body.followUp.decay.map(
        (d: { latency: string; closeRate: { value: number | null; n: number } }) => [
          d.latency,
          [d.closeRate.value, d.closeRate.n],
        ],
      ),
    );
    expect(decay).toEqual({
      'same day': [1, 1],
      '1–2 days': [0, 1],
      '3–7 days': [null, 0],
      later: [null, 0],
    });
    expect(r.body.followUp.allTime).toBe(true);
    expect(r.body.followUp.perRep).toEqual([
      expect.objectContaining({ repId: s.reps.texas.id, name: 'Tex Ranger', reached: 2 }),
    ]);
    const rep = r.body.followUp.perRep[0];
    expect(rep.medianSeconds).toBeGreaterThan(3600);
    expect(rep.p90Seconds).toBeGreaterThan(rep.medianSeconds);
    expect(r.body.calibration).toEqual([
      expect.objectContaining({
        caller: s.caller.id,
        closeRateVeryInterested: expect.objectContaining({ value: 1, n: 1 }),
        closeRateNeedsWork: expect.objectContaining({ value: 0, n: 1 }),
      }),
    ]);
    expect(r.body.calibration[0].probabilityHotClosesBetter).toBeGreaterThan(0.5);
  });

  it('groups by day, week and caller; a client user sees no caller names', async () => {
    const am = asUser(ctx, s.am.token);
    const byDay = await am.get(`/reports/clients/${s.clientId}?groupBy=day`).expect(200);
    expect(
      byDay.body.groups.map((g: { key: string; totals: { dials: number } }) => [
        g.key,
        g.totals.dials,
      ]),
    ).toEqual([['2026-03-02', 10]]);
    const byWeek = await am.get(`/reports/clients/${s.clientId}?groupBy=week`).expect(200);
    expect(byWeek.body.groups[0].key).toBe('2026-03-02');
    const empty = await am
      .get(`/reports/clients/${s.clientId}?from=2026-03-03&to=2026-03-31`)
      .expect(200);
    expect(empty.body.totals.dials).toBe(0);
    expect(empty.body.rates.successRate.value).toBeNull();
    const byCaller = await am.get(`/reports/clients/${s.clientId}?groupBy=caller`).expect(200);
    expect(byCaller.body.groups[0].key).toBe(s.caller.id);
    // The caller's own hours and pace, the same as the whole report's (one caller).
    expect(byCaller.body.groups[0].totals.callerHours).toBe(byCaller.body.totals.callerHours);
    expect(byCaller.body.groups[0].rates.dialsPerCallerHour).toEqual(
      byCaller.body.rates.dialsPerCallerHour,
    );
    expect(byCaller.body.groups[0].rates.dialsPerCallerHour.value).toBeGreaterThan(0);
    const portal = await ctx.newUser('client', s.clientId);
    const theirs = await asUser(ctx, portal.token)
      .get(`/reports/clients/${s.clientId}?groupBy=caller`)
      .expect(200);
    expect(theirs.body.groups[0].key).toBe('Caller 1');
    expect(JSON.stringify(theirs.body)).not.toContain(s.caller.id);
    await am.get(`/reports/clients/${s.clientId}?from=2026-03-05&to=2026-03-01`).expect(400);
  });

  it('adds up the same figures from whole months and edge days of any period', async () => {
    const am = asUser(ctx, s.am.token);
    const figures = async (query: string) => {
      const r = await am.get(`/reports/clients/${s.clientId}${query}`).expect(200);
      return [
        r.body.totals.dials,
        r.body.totals.referrals,
        r.body.totals.won,
        r.body.totals.callerHours,
      ];
    };
    const all = await figures('');
    expect(all).toEqual([10, 2, 1, 0.17]);
    for (const period of [
      '?from=2026-03-01&to=2026-03-31', // the whole month: report_monthly alone
      '?from=2026-03-02&to=2026-03-02', // one day: report_daily alone
      '?from=2026-02-15&to=2026-04-10', // edge days and a whole month
      '?from=2026-02-15', // open-ended
      '?to=2026-03-02',
      '?groupBy=pitch&from=2026-01-01&to=2026-06-30',
    ]) {
      expect([period, await figures(period)]).toEqual([period, all]);
    }
    expect(await figures('?from=2026-03-03')).toEqual([0, 0, 0, 0]);
    expect(await figures('?to=2026-03-01')).toEqual([0, 0, 0, 0]);
    expect(await figures('?from=2026-01-01&to=2026-02-28')).toEqual([0, 0, 0, 0]);
  });

  it('reads a campaign by day or week from its days, adding up to its report without groups', async () => {
    const am = asUser(ctx, s.am.token);
    for (const period of [
      '',
      '?from=2026-03-01&to=2026-03-31',
      '?from=2026-03-02&to=2026-03-02',
      '?from=2026-02-15&to=2026-04-10',
      '?from=2026-03-03',
    ]) {
      const plain = await am.get(`/reports/campaigns/${s.campaignId}${period}`).expect(200);
      for (const by of ['day', 'week']) {
        const q = `${period}${period ? '&' : '?'}groupBy=${by}`;
        const grouped = await am.get(`/reports/campaigns/${s.campaignId}${q}`).expect(200);
        expect([q, grouped.body.totals]).toEqual([q, plain.body.totals]);
        expect(grouped.body.calibration).toEqual(plain.body.calibration);
        // The client has this one campaign: its groups (from report_daily) are the same.
        const client = await am.get(`/reports/clients/${s.clientId}${q}`).expect(200);
        expect([q, grouped.body.groups]).toEqual([q, client.body.groups]);
        expect(grouped.body.groups.length).toBe(plain.body.totals.dials > 0 ? 1 : 0);
      }
    }
  });

  it('gives day and week groups the success and close rates unless asked for others', async () => {
    const am = asUser(ctx, s.am.token);
    const byDay = await am.get(`/reports/campaigns/${s.campaignId}?groupBy=day`).expect(200);
    expect(Object.keys(byDay.body.groups[0].rates)).toEqual(['successRate', 'closeRate']);
    expect(byDay.body.groups[0].rates.successRate).toEqual(byDay.body.rates.successRate);
    expect(Object.keys(byDay.body.rates)).toContain('capShare');
    const all = await am
      .get(`/reports/campaigns/${s.campaignId}?groupBy=week&rates=all`)
      .expect(200);
    expect(Object.keys(all.body.groups[0].rates)).toContain('closeRateNeedsWork');
    const some = await am
      .get(`/reports/clients/${s.clientId}?groupBy=day&rates=hotShare,connectRate`)
      .expect(200);
    expect(Object.keys(some.body.groups[0].rates)).toEqual(['hotShare', 'connectRate']);
    expect(some.body.groups[0].rates.hotShare).toMatchObject({ value: 0.5, n: 2 });
    const byPitch = await am.get(`/reports/campaigns/${s.campaignId}?groupBy=pitch`).expect(200);
    expect(Object.keys(byPitch.body.groups[0].rates)).toContain('capShare');
    await am.get(`/reports/campaigns/${s.campaignId}?groupBy=day&rates=nonsense`).expect(400);
    await am.get(`/reports/campaigns/${s.campaignId}?groupBy=day&rates=a;b`).expect(400);
  });

  it('keeps roles and tenants apart', async () => {
    const other = await referralSetup(ctx);
    const otherUser = await ctx.newUser('client', other.clientId);
    await asUser(ctx, otherUser.token).get(`/reports/clients/${s.clientId}`).expect(404);
    await asUser(ctx, otherUser.token).get(`/reports/campaigns/${s.campaignId}`).expect(404);
    await asUser(ctx, other.am.token).get(`/reports/clients/${s.clientId}`).expect(404);
    await asUser(ctx, other.am.token)
      .get(`/reports/callers/${s.caller.id}`)
      .expect(200)
      .then((r) => expect(r.body.totals.dials).toBe(0));
    const me = asUser(ctx, s.caller.token);
    const own = await me.get(`/reports/callers/${s.caller.id}`).expect(200);
    expect(own.body.totals).toMatchObject({ dials: 10, referrals: 2 });
    await me.get(`/reports/callers/${other.caller.id}`).expect(404);
    await me.get(`/reports/clients/${s.clientId}`).expect(403);
  });

  it('exports the same table as CSV', async () => {
    const res = await asUser(ctx, s.am.token)
      .get(`/reports/campaigns/${s.campaignId}?groupBy=day`)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, row] = res.text
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(header.slice(0, 3)).toEqual(['day', 'dials', 'connects']);
    expect(row.slice(0, 3)).toEqual(['2026-03-02', '10', '4']);
    expect(row[header.indexOf('successRate')]).toBe('0.2');
  });

  it('projects the rest of the list from a stated prior, weighted by the data so far', async () => {
    ctx.clock.set('2026-03-06T12:00:00Z'); // a Friday: the next working day is Monday
    const r = await asUser(ctx, s.am.token)
      .get(`/reports/campaigns/${s.campaignId}?target=5`)
      .expect(200);
    const p = r.body.projection;
    expect(p.openContacts).toBe(4);
    expect(p.dialsLeft).toBe(4);
    expect(p.successRate.prior.source).toMatch(/industry/);
    expect(p.successRate.dataWeight).toBeCloseTo(10 / (10 + p.successRate.prior.strength), 4);
    expect(p.referrals.lower95).toBeLessThanOrEqual(p.referrals.expected);
    expect(p.referrals.upper95).toBeLessThanOrEqual(4);
    // 2 referrals made: 3 to go, from 4 dials left at most.
    expect(p.target).toMatchObject({ referrals: 5, madeSoFar: 2, toGo: 3 });
    expect(p.target.callerHoursExpected).toBeGreaterThan(0);
    const success = posterior(INDUSTRY_SUCCESS_PRIOR, 2, 10);
    const fourDials = Array.from({ length: 5 }, (_, k) => betaBinomialPmf(k, 4, success));
    expect(p.target.probabilityWithinList).toBeCloseTo(fourDials[3] + fourDials[4], 4);
    // 10 dials over 0.17 caller-hours, steadied by 18 an hour worth 2 caller-hours.
    expect(p.dialsPerCallerHour.value).toBeCloseTo((10 + 36) / (600 / 3600 + 2), 2);
    expect(p.dialsPerCallerHour.dataWeight).toBeCloseTo(600 / 3600 / (600 / 3600 + 2), 4);
    // 4 dials, one caller, 6 hours a day: within one working day.
    expect(p.finishDate).toBe('2026-03-09');
    // A target already reached takes nothing more.
    const reached = await asUser(ctx, s.am.token)
      .get(`/reports/campaigns/${s.campaignId}?target=2`)
      .expect(200);
    expect(reached.body.projection.target).toMatchObject({
      toGo: 0,
      dialsExpected: 0,
      callerHoursExpected: 0,
      probabilityWithinList: 1,
    });
    // Thursday 23:30 in New York (Friday in UTC): the next working day is Friday.
    ctx.clock.set('2026-03-06T04:30:00Z');
    const late = await asUser(ctx, s.am.token)
      .get(`/reports/campaigns/${s.campaignId}`)
      .expect(200);
    expect(late.body.projection.finishDate).toBe('2026-03-06');
  });

  /** Each roll-up (in a stable order) beside its computation from the raw rows. */
  function rollupCases(): [table: string, order: string, raw: string][] {
    const rollups = ctx.app.get(RollupsService);
    return [
      [
        'report_daily',
        'day, client_id, campaign_id, caller_id, pitch_key, offer_key',
        rollups.rawDailySql(),
      ],
      [
        'report_monthly',
        'month, client_id, campaign_id, caller_id, pitch_key, offer_key',
        rollups.rawMonthlySql(),
      ],
      ['report_caller_day', 'client_id, day, caller_id', rollups.rawCallerDaySql()],
      ['report_campaign_day', 'campaign_id, day', rollups.rawCampaignDaySql()],
      [
        'report_campaign_caller_day',
        'campaign_id, day, caller_id',
        rollups.rawCallerDaySql('campaign_id'),
      ],
      ['report_followup', '1, 2, 3, 4', rollups.rawFollowupSql()],
    ];
  }

  it('matches a rebuild of the roll-ups from the raw rows', async () => {
    const rollups = ctx.app.get(RollupsService);
    const cases = rollupCases();
    const kept = new Map<string, unknown[]>();
    for (const [table, order, rawSql] of cases) {
      const rows = await sql(ctx.dbUrl, `SELECT * FROM ${table} ORDER BY ${order}`);
      const raw = await sql(ctx.dbUrl, `SELECT * FROM (${rawSql}) x ORDER BY ${order}`);
      expect([table, rows.length > 0]).toEqual([table, true]);
      expect([table, raw]).toEqual([table, rows]);
      kept.set(table, rows);
    }
    // The contact tallies, summed per campaign, status and attempts, are the contacts' own.
    const tallySql = `SELECT campaign_id, status, attempts, sum(contacts)::int AS contacts FROM contact_tallies
                       GROUP BY 1, 2, 3 HAVING sum(contacts) <> 0 ORDER BY 1, 2, 3`;
    const tallies = await sql(ctx.dbUrl, tallySql);
    const rawTallies = await sql(
      ctx.dbUrl,
      `SELECT campaign_id, status, attempts, contacts::int FROM (${ctx.app.get(ContactTallies).rawSql()}) x ORDER BY 1, 2, 3`,
    );
    expect(tallies.length).toBeGreaterThan(1);
    expect(rawTallies).toEqual(tallies);
    // And the rebuild (which derives the coarser roll-ups from the daily one) gives them back.
    await ctx.app.get(DataSource).transaction((m) => rollups.rebuild(m));
    expect(await sql(ctx.dbUrl, tallySql)).toEqual(tallies);
    for (const [table, order] of cases) {
      expect([table, await sql(ctx.dbUrl, `SELECT * FROM ${table} ORDER BY ${order}`)]).toEqual([
        table,
        kept.get(table),
      ]);
    }
  });

  it("counts every rating figure by the caller's rating, also after a reviewer corrects it", async () => {
    const t = await referralSetup(ctx, { maxAttempts: 1 });
    await ctx.importCsv(t.campaignId, 'phone,state,zip\n(512) 555-3001,TX,78701\n');
    const caller = asUser(ctx, t.caller.token);
    const next = await caller.post('/calls/next', { campaignId: t.campaignId }).expect(200);
    const out = await caller
      .post(`/calls/${next.body.callId}/outcome`, {
        disposition: 'referral',
        referral: { rating: 'needs_work', need: 'Wants a quote', contact: { name: 'Sam Short' } },
      })
      .expect(200);
    await asUser(ctx, t.am.token)
      .post(`/referrals/${out.body.referralId}/approve`, {
        rating: 'very_interested',
        need: NEED,
        contact: { title: 'Owner', company: 'Short & Sons', email: 'sam@short.example' },
      })
      .expect(200);
    const api = asUser(ctx, (await ctx.newApiKey(t.clientId)).key);
    await api
      .post(`/v1/referrals/${out.body.referralId}/feedback`, { status: 'won', saleValue: 500 })
      .expect(200);
    const report = await asUser(ctx, ctx.adminToken)
      .get(`/reports/clients/${t.clientId}`)
      .expect(200);
    expect(report.body.totals).toMatchObject({
      referrals: 1,
      needsWork: 1,
      veryInterested: 0,
      won: 1,
      wonNeedsWork: 1,
      finalNeedsWork: 1,
      wonVeryInterested: 0,
      finalVeryInterested: 0,
    });
    expect(report.body.rates.hotShare).toMatchObject({ k: 0, n: 1 });
    expect(report.body.rates.closeRateNeedsWork).toMatchObject({ k: 1, n: 1 });
  });

  it('moves the days of a client whose time zone changes, still matching the raw rows', async () => {
    const admin = asUser(ctx, ctx.adminToken);
    const daysIn = async (zone: string) =>
      (
        await sql<{ day: string }>(
          ctx.dbUrl,
          `SELECT DISTINCT to_char((outcome_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS day FROM calls
            WHERE client_id = $1 AND disposition IS NOT NULL ORDER BY 1`,
          [s.clientId, zone],
        )
      ).map((r) => r.day);
    const before = await admin.get(`/reports/clients/${s.clientId}?groupBy=day`).expect(200);
    await ctx
      .http()
      .patch(`/clients/${s.clientId}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ timezone: 'Pacific/Auckland' })
      .expect(200);
    const after = await admin
      .get(`/reports/clients/${s.clientId}?groupBy=day&rates=all`)
      .expect(200);
    const keys = after.body.groups.map((g: { key: string }) => g.key);
    expect(keys).toEqual(await daysIn('Pacific/Auckland'));
    expect(keys).not.toEqual(before.body.groups.map((g: { key: string }) => g.key));
    expect(after.body.totals).toEqual(before.body.totals);
    for (const [table, order, rawSql] of rollupCases()) {
      const rows = await sql(ctx.dbUrl, `SELECT * FROM ${table} ORDER BY ${order}`);
      const raw = await sql(ctx.dbUrl, `SELECT * FROM (${rawSql}) x ORDER BY ${order}`);
      expect([table, raw]).toEqual([table, rows]);
    }
  });

  it('puts an outcome recorded while its client changes time zone on its day in the new zone', async () => {
    const t = await referralSetup(ctx, { maxAttempts: 1 });
    await ctx.importCsv(
      t.campaignId,
      'phone,state,zip\n(512) 555-3001,TX,78701\n(512) 555-3002,TX,78701\n',
    );
    // 20:00 in Austin on March 4th; already March 5th in Auckland.
    ctx.clock.set('2026-03-05T02:00:00Z');
    const caller = asUser(ctx, t.caller.token);
    const first = await caller.post('/calls/next', { campaignId: t.campaignId }).expect(200);
    await caller
      .post(`/calls/${first.body.callId}/outcome`, { disposition: 'no_answer' })
      .expect(200);
    const second = await caller.post('/calls/next', { campaignId: t.campaignId }).expect(200);
    let recorded: Promise<{ status: number }> | undefined;
    // The change of zone, as PATCH /clients/:id makes it, with the outcome sent while it is open.
    await ctx.app.get(DataSource).transaction(async (m) => {
      await ctx.app.get(RollupsService).holdClientDays(m, t.clientId);
      await m.query(`UPDATE clients SET timezone = 'Pacific/Auckland' WHERE id = $1`, [t.clientId]);
      await ctx.app.get(RollupsService).rebuildClient(m, t.clientId);
      recorded = caller
        .post(`/calls/${second.body.callId}/outcome`, { disposition: 'no_answer' })
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 400));
    });
    expect((await recorded)?.status).toBe(200);
    const days = await sql<{ day: string; dials: number }>(
      ctx.dbUrl,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(dials)::int AS dials FROM report_daily
        WHERE client_id = $1 GROUP BY day`,
      [t.clientId],
    );
    expect(days).toEqual([{ day: '2026-03-05', dials: 2 }]);
    for (const [table, order, rawSql] of rollupCases()) {
      const rows = await sql(ctx.dbUrl, `SELECT * FROM ${table} ORDER BY ${order}`);
      const raw = await sql(ctx.dbUrl, `SELECT * FROM (${rawSql}) x ORDER BY ${order}`);
      expect([table, raw]).toEqual([table, rows]);
    }
  });

  it("adds up a caller's hours by shift, also over clients in far-apart time zones", async () => {
    const caller = await ctx.newUser('caller');
    const utc = await ctx.newClient(ctx.unique('Greenwich'), 'UTC');
    const nz = await ctx.newClient(ctx.unique('Kiwi'), 'Pacific/Auckland');
    const a = await ctx.activeCampaign({ clientId: utc.id, callers: [caller] });
    const b = await ctx.activeCampaign({ clientId: nz.id, callers: [caller] });
    await ctx.importCsv(a.campaignId, 'phone,state\n(212) 555-4001,NY\n(212) 555-4002,NY\n');
    await ctx.importCsv(b.campaignId, 'phone,state\n(212) 555-4003,NY\n(212) 555-4004,NY\n');
    const me = asUser(ctx, caller.token);
    // Two dials ten minutes apart for each: a day apart in real time, the same day by label
    // (March 3 in Auckland, March 3 in UTC).
    const twoDials = async (campaignId: string, at: string) => {
      ctx.clock.set(at);
      for (let i = 0; i < 2; i++) {
        const got = await me.post('/calls/next', { campaignId }).expect(200);
        await me
          .post(`/calls/${got.body.callId}/outcome`, { disposition: 'not_interested' })
          .expect(200);
        ctx.clock.advance(600);
      }
    };
    await twoDials(b.campaignId, '2026-03-02T20:00:00Z');
    await twoDials(a.campaignId, '2026-03-03T20:00:00Z');
    const r = await asUser(ctx, ctx.adminToken).get(`/reports/callers/${caller.id}`).expect(200);
    expect(r.body.totals.dials).toBe(4);
    // Each shift: 600 s stretched by one gap, 1,200 s; two shifts, 2/3 of an hour.
    expect(r.body.totals.callerHours).toBe(0.67);
    expect(r.body.rates.dialsPerCallerHour.value).toBe(6);
  });

  it('refuses a day that is not on the calendar', async () => {
    const admin = asUser(ctx, ctx.adminToken);
    for (const [field, query] of [
      ['from', 'from=2026-02-30'],
      ['to', 'to=2026-13-01'],
    ]) {
      const res = await admin.get(`/reports/clients/${s.clientId}?${query}`).expect(400);
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    }
  });
});
