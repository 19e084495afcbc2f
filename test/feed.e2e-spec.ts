import { parse } from 'csv-parse/sync';
import { TestContext } from './harness';
import { asUser, COMPLETE, referralSetup, referVia } from './referral-fixtures';

/** The client's referral feed: by day, by cursor, as JSON, CSV and NDJSON, for its own key only. */
describe('the referral feed (/v1/referrals)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const feed = (key: string, query: string, accept?: string) => {
    let req = ctx.http().get(`/v1/referrals${query}`).auth(key, { type: 'bearer' });
    if (accept) req = req.set('Accept', accept);
    return req;
  };

  it("gives a day's referrals in the client's own time zone, hot first, then by score", async () => {
    const s = await referralSetup(ctx, {}, 'America/New_York');
    const key = (await ctx.newApiKey(s.clientId)).key;
    // 20:30 in New York on March 2 (01:30 UTC on March 3): still March 2 for this client.
    ctx.clock.set('2026-03-03T01:30:00Z');
    const warmHigh = await referVia(ctx, s.campaignId, s.caller, {
      ...COMPLETE,
      timeframe: 'this_month',
      budget: 'confirmed',
    });
    const hotLow = await referVia(ctx, s.campaignId, s.caller, {
      ...COMPLETE,
      rating: 'very_interested',
    });
    const warmLow = await referVia(ctx, s.campaignId, s.caller, { ...COMPLETE, budget: 'none' });
    ctx.clock.set('2026-03-03T15:00:00Z');
    const nextDay = await referVia(ctx, s.campaignId, s.caller, COMPLETE);
    const day = await feed(key, '?date=2026-03-02').expect(200);
    expect(day.body.data.map((r: { id: string }) => r.id)).toEqual([
      hotLow.referralId,
      warmHigh.referralId,
      warmLow.referralId,
    ]);
    const scores = day.body.data.map((r: { score: number }) => r.score);
    expect(scores[1]).toBeGreaterThan(scores[2]);
    const next = await feed(key, '?date=2026-03-03').expect(200);
    expect(next.body.data.map((r: { id: string }) => r.id)).toEqual([nextDay.referralId]);
    expect((await feed(key, '?date=2026-03-01').expect(200)).body.data).toEqual([]);
    // A day that is not on the calendar (Date.parse would roll it over to March 2).
    const bad = await feed(key, '?date=2026-02-30').expect(400);
    expect(bad.body.details).toEqual([
      { field: 'date', message: 'must be a real YYYY-MM-DD date' },
    ]);
    // The referral in the client-facing shape.
    expect(next.body.data[0]).toEqual({
      id: nextDay.referralId,
      publishedAt: '2026-03-03T15:00:00.000Z',
      rating: 'needs_work',
      score: expect.any(Number),
      need: COMPLETE.need,
      timeframe: 'quarter',
      budget: 'likely',
      decisionMaker: 'yes',
      employees: 120,
      expectingCall: true,
      nextStep: 'quote',
      contact: { ...COMPLETE.contact, phone: '+15125550142', website: null },
      campaign: { id: s.campaignId, name: expect.any(String) },
      rep: { id: s.reps.texas.id, name: 'Tex Ranger', email: 'tex@w.example' },
    });
  });

  it('pages by cursor with publications interleaved: no gaps, no repeats', async () => {
    const s = await referralSetup(ctx);
    const key = (await ctx.newApiKey(s.clientId)).key;
    const published: string[] = [];
    const seen: string[] = [];
    let cursor: string | undefined;
    const poll = async () => {
      const res = await feed(key, `?limit=2${cursor ? `&since=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.data.map((r: { id: string }) => r.id));
      expect(res.body.nextCursor).toEqual(expect.any(String));
      cursor = res.body.nextCursor;
      return res.body.data.length as number;
    };
    for (let i = 0; i < 7; i++) {
      // A publication and a poll at the same moment, then another poll.
      const [out] = await Promise.all([referVia(ctx, s.campaignId, s.caller, COMPLETE), poll()]);
      published.push(out.referralId);
      await poll();
    }
    while ((await poll()) > 0);
    expect(seen).toEqual(published);
    expect(new Set(seen).size).toBe(7);
    // Polling again from the last cursor gives nothing and keeps the cursor.
    const idle = await feed(key, `?since=${cursor}`).expect(200);
    expect(idle.body).toEqual({ data: [], nextCursor: cursor });
  });

  it('streams CSV with RFC 4180 quoting and formula cells escaped, and NDJSON, with the cursor in a header', async () => {
    const s = await referralSetup(ctx);
    const key = (await ctx.newApiKey(s.clientId)).key;
    const tricky = await referVia(ctx, s.campaignId, s.caller, {
      ...COMPLETE,
      need: '=HYPERLINK("http://evil.example","click") wants 3 quotes, "firm", by Friday\nsecond line',
      contact: {
        ...COMPLETE.contact,
        name: '-2+3 Smith',
        title: '@admin',
        company: 'Whitfield, "Logistics" & Co',
      },
    });
    const plain = await referVia(ctx, s.campaignId, s.caller, COMPLETE);
    const csv = await feed(key, '', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['x-next-cursor']).toEqual(expect.any(String));
    const rows: Record<string, string>[] = parse(csv.text, { columns: true, bom: true });
    expect(Object.keys(rows[0])).toEqual([
      'id',
      'publishedAt',
      'rating',
      'score',
      'need',
      'timeframe',
      'budget',
      'decisionMaker',
      'employees',
      'expectingCall',
      'nextStep',
      'contact.name',
      'contact.title',
      'contact.phone',
      'contact.email',
      'contact.website',
      'contact.company',
      'campaign.id',
      'campaign.name',
      'rep.id',
      'rep.name',
      'rep.email',
    ]);
    expect(rows.map((r) => r.id)).toEqual([tricky.referralId, plain.referralId]);
    expect(rows[0].need).toBe(
      `'=HYPERLINK("http://evil.example","click") wants 3 quotes, "firm", by Friday\nsecond line`,
    );
    expect(rows[0]['contact.name']).toBe(`'-2+3 Smith`);
    expect(rows[0]['contact.title']).toBe(`'@admin`);
    expect(rows[0]['contact.company']).toBe('Whitfield, "Logistics" & Co');
    expect(rows[0]['contact.phone']).toBe(`'+15125550142`);
    expect(rows[1].expectingCall).toBe('true');
    // No cell a spreadsheet would run.
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);

    const nd = await feed(key, '', 'application/x-ndjson').expect(200);
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(nd.headers['x-next-cursor']).toBe(csv.headers['x-next-cursor']);
    const lines = nd.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([tricky.referralId, plain.referralId]);
    expect(lines[0].need).toContain('\nsecond line');
    expect(lines[0].contact.company).toBe('Whitfield, "Logistics" & Co');
    const json = await feed(key, '').expect(200);
    expect(json.body.data).toEqual(lines);
  });

  it("shows a key its own client's referrals only, and refuses bad queries by field", async () => {
    const a = await referralSetup(ctx);
    const b = await referralSetup(ctx);
    const ra = await referVia(ctx, a.campaignId, a.caller, COMPLETE);
    const rb = await referVia(ctx, b.campaignId, b.caller, COMPLETE);
    const keyA = (await ctx.newApiKey(a.clientId)).key;
    const keyB = (await ctx.newApiKey(b.clientId)).key;
    const ofA = await feed(keyA, '?date=2026-03-02').expect(200);
    const ofB = await feed(keyB, '?date=2026-03-02').expect(200);
    expect(ofA.body.data.map((r: { id: string }) => r.id)).toEqual([ra.referralId]);
    expect(ofB.body.data.map((r: { id: string }) => r.id)).toEqual([rb.referralId]);
    const csvB = await feed(keyB, '', 'text/csv').expect(200);
    expect(csvB.text).not.toContain(ra.referralId);
    // Staff and client users have their own routes; the feed is for keys.
    await asUser(ctx, a.am.token).get('/v1/referrals').expect(403);
    for (const [query, field] of [
      ['?since=bm90LWEtY3Vyc29y', 'since'],
      ['?date=2026-02-30x', 'date'],
      ['?date=2026-03-02&since=abc', 'since'],
      ['?limit=0', 'limit'],
      ['?limit=10001', 'limit'],
    ]) {
      const res = await feed(keyA, query).expect(400);
      expect([query, res.body.details.map((d: { field: string }) => d.field)]).toEqual([
        query,
        expect.arrayContaining([field]),
      ]);
    }
  });
});
