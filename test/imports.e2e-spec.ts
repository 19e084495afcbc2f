import { sql } from './pg-server';
import { TestContext } from './harness';

describe('contact-list imports', () => {
  let ctx: TestContext;
  let campaignId: string;
  let clientId: string;
  beforeAll(async () => {
    ctx = await TestContext.create();
    clientId = (await ctx.newClient()).id;
    campaignId = (await ctx.newCampaign(clientId)).id;
  });
  afterAll(() => ctx.close());

  it('reports every row: imported, duplicate (in the file and in the campaign), invalid and do-not-call, adding up', async () => {
    await ctx
      .http()
      .post('/dnc')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ phone: '(415) 555-2671' })
      .expect(201);
    await ctx.importCsv(campaignId, 'Phone Number,Company\n+1 312 555 0188,Earlier Co\n');
    const csv = [
      '\uFEFFCompany,First Name,Last Name,Phone Number,State,Notes',
      'Acme,Ann,Lee,(213) 555-0101,CA,"likes ""solar"", a lot"',
      'Beta,Bob,Ray,213.555.0101,CA,same number other format',
      'Gamma,Cy,Fox,not a phone,TX,',
      'Delta,Di,Oak,(415) 555-2671,CA,on the list',
      'Epsilon,Ed,Elm,312-555-0188,IL,already in campaign',
      '',
      'Zeta,Zo,Ash,(646) 555-0199,NY,"multi',
      'line note"',
    ].join('\r\n');
    const report = await ctx.importCsv(campaignId, csv);
    expect(report).toMatchObject({
      status: 'completed',
      received: 6,
      imported: 2,
      duplicates: 2,
      invalid: 1,
      dnc: 1,
    });
    expect(report.received).toBe(report.imported + report.duplicates + report.invalid + report.dnc);
    expect(report.errors).toEqual([
      { line: 3, reason: 'duplicate of line 2' },
      { line: 4, reason: expect.stringMatching(/invalid phone/) },
      { line: 5, reason: 'on a do-not-call list' },
      { line: 6, reason: 'number already in the campaign' },
    ]);
    const rows = await sql<{
      company: string;
      phone: string;
      custom: Record<string, string>;
      time_zones: string[];
    }>(
      ctx.dbUrl,
      'SELECT company, phone, custom, time_zones FROM contacts WHERE import_id = $1 ORDER BY id',
      [report.id],
    );
    expect(rows.map((r) => [r.company, r.phone])).toEqual([
      ['Acme', '+12135550101'],
      ['Zeta', '+16465550199'],
    ]);
    expect(rows[0].custom).toEqual({ Notes: 'likes "solar", a lot' });
    // The file's own line break (CRLF here) is kept inside the quoted cell.
    expect(rows[1].custom).toEqual({ Notes: 'multi\r\nline note' });
    expect(rows[0].time_zones).toEqual(['America/Los_Angeles']);
  });

  it('accepts the file as a multipart form field', async () => {
    const c = await ctx.newCampaign(clientId);
    const res = await ctx
      .http()
      .post(`/campaigns/${c.id}/imports`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .attach('file', Buffer.from('tel,company\n(702) 555-0142,Vegas Co\n'), 'list.csv')
      .expect(202);
    const report = await ctx.waitForImport(c.id, res.body.id);
    expect(report).toMatchObject({ status: 'completed', imported: 1, received: 1 });
  });

  it('fails a file that is not CSV, or has no phone column, saying why and importing nothing', async () => {
    const c = await ctx.newCampaign(clientId);
    const png = await ctx.importCsv(
      c.id,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    expect(png.status).toBe('failed');
    expect(png.failureReason).toMatch(/not a CSV|not CSV|binary/i);
    const noPhone = await ctx.importCsv(c.id, 'company,email\nAcme,a@b.example\n');
    expect(noPhone.status).toBe('failed');
    expect(noPhone.failureReason).toMatch(/phone/i);
    expect(await sql(ctx.dbUrl, 'SELECT 1 FROM contacts WHERE campaign_id = $1', [c.id])).toEqual(
      [],
    );
  });

  it('leaves no half-imported rows when the import fails midway', async () => {
    const c = await ctx.newCampaign(clientId);
    // PostgreSQL itself refuses one row, after the others were loaded: the whole import must roll back.
    await sql(
      ctx.dbUrl,
      `CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.phone = '+17025550177' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$`,
    );
    await sql(
      ctx.dbUrl,
      'CREATE TRIGGER refuse_one BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_one()',
    );
    try {
      const rows = Array.from(
        { length: 500 },
        (_, i) => `(702) 555-${String(1000 + i).padStart(4, '0')}`,
      );
      rows.splice(250, 0, '(702) 555-0177');
      const report = await ctx.importCsv(c.id, `phone\n${rows.join('\n')}\n`);
      expect(report.status).toBe('failed');
      expect(report.failureReason).toMatch(/nothing was imported/);
      expect(report.imported).toBe(0);
      expect(await sql(ctx.dbUrl, 'SELECT 1 FROM contacts WHERE campaign_id = $1', [c.id])).toEqual(
        [],
      );
      // The same in a file loaded in several batches, refused in a late one.
      const many = Array.from(
        { length: 60_000 },
        (_, i) => `(212) ${200 + Math.floor(i / 10000)}-${String(i % 10000).padStart(4, '0')}`,
      );
      many.splice(50_000, 0, '(702) 555-0177');
      const late = await ctx.importCsv(c.id, `phone\n${many.join('\n')}\n`);
      expect(late).toMatchObject({ status: 'failed', imported: 0 });
      expect(await sql(ctx.dbUrl, 'SELECT 1 FROM contacts WHERE campaign_id = $1', [c.id])).toEqual(
        [],
      );
    } finally {
      await sql(ctx.dbUrl, 'DROP TRIGGER refuse_one ON contacts; DROP FUNCTION refuse_one()');
    }
  });

  it('marks an import whose server stopped as failed', async () => {
    const c = await ctx.newCampaign(clientId);
    const [row] = await sql<{ id: string }>(
      ctx.dbUrl,
      `INSERT INTO contact_imports (campaign_id, client_id, status, heartbeat_at) VALUES ($1, $2, 'running', $3) RETURNING id`,
      [c.id, clientId, new Date(ctx.clock.now().getTime() - 120_000)],
    );
    const res = await ctx
      .http()
      .get(`/campaigns/${c.id}/imports/${row.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/server stopped/),
    });
  });

  it('imports 100,000 generated rows in bulk without growing memory with the file', async () => {
    const c = await ctx.newCampaign(clientId);
    const lines = ['company,first name,last name,phone,state,zip'];
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        `Company ${i},First${i},Last${i},(${[212, 213, 312, 415, 512][i % 5]}) ${200 + Math.floor(i / 10000)}-${String(i % 10000).padStart(4, '0')},,`,
      );
    }
    const body = Buffer.from(lines.join('\n') + '\n');
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const report = await ctx.importCsv(c.id, body).finally(() => clearInterval(timer));
    expect(report).toMatchObject({
      status: 'completed',
      received: 100_000,
      imported: 100_000,
      invalid: 0,
    });
    const [{ n }] = await sql<{ n: string }>(
      ctx.dbUrl,
      'SELECT count(*) AS n FROM contacts WHERE campaign_id = $1',
      [c.id],
    );
    expect(Number(n)).toBe(100_000);
    // The whole file is ~6 MB; parsed into objects it would be hundreds of MB. Streaming keeps the growth small.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  }, 120000);

  it('classifies a file loaded in several batches as a row-by-row reading would, listing the first 1,000 problems', async () => {
    const c = await ctx.newCampaign(clientId);
    const nanp = (i: number) =>
      `212${200 + Math.floor(i / 10000)}${String(i % 10000).padStart(4, '0')}`;
    const inCampaign = Array.from(
      { length: 20 },
      (_, k) => `312555${String(100 + k).padStart(4, '0')}`,
    );
    await ctx.importCsv(c.id, `phone\n${inCampaign.join('\n')}\n`);
    const onDnc = [nanp(100), nanp(30_000), nanp(59_000)];
    for (const phone of onDnc) {
      await ctx
        .http()
        .post('/dnc')
        .auth(ctx.adminToken, { type: 'bearer' })
        .send({ phone, clientId })
        .expect(201);
    }
    // ~14 MB of COPY text: several batches, problems of every kind in each.
    const phones: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      if (i % 37 === 13) phones.push('n/a');
      else if (i % 1009 === 50) phones.push(phones[i - 777]);
      else if (i % 1013 === 7) phones.push(inCampaign[i % 20]);
      else phones.push(nanp(i));
    }
    // The rule, row by row: a row's line is its index + 2.
    const expected: { line: number; reason: string }[] = [];
    const first = new Map<string, number>();
    let imported = 0;
    phones.forEach((phone, i) => {
      const line = i + 2;
      if (phone === 'n/a') return expected.push({ line, reason: 'invalid phone "n/a"' });
      const seen = first.get(phone);
      if (seen !== undefined) return expected.push({ line, reason: `duplicate of line ${seen}` });
      first.set(phone, line);
      if (inCampaign.includes(phone)) {
        return expected.push({ line, reason: 'number already in the campaign' });
      }
      if (onDnc.includes(phone)) return expected.push({ line, reason: 'on a do-not-call list' });
      imported++;
    });
    const csv = `phone,company\n${phones.map((p, i) => `${p.length === 10 && i % 2 ? `(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}` : p},Company ${i}`).join('\n')}\n`;
    const report = await ctx.importCsv(c.id, csv);
    const count = (prefix: string) => expected.filter((e) => e.reason.startsWith(prefix)).length;
    expect(report).toMatchObject({
      status: 'completed',
      received: 60_000,
      imported,
      invalid: count('invalid'),
      duplicates: count('duplicate') + count('number already'),
      dnc: count('on a do-not-call'),
    });
    expect(count('on a do-not-call')).toBe(3);
    expect(expected.length).toBeGreaterThan(1000);
    expect(report.errors).toEqual(expected.slice(0, 1000));
    const [{ n, ordered }] = await sql<{ n: number; ordered: boolean }>(
      ctx.dbUrl,
      `SELECT count(*)::int AS n,
              bool_and(company_no > prev_no) AS ordered
         FROM (SELECT split_part(company, ' ', 2)::int AS company_no,
                      lag(split_part(company, ' ', 2)::int, 1, -1) OVER (ORDER BY id) AS prev_no
                 FROM contacts WHERE import_id = $1) t`,
      [report.id],
    );
    expect(n).toBe(imported);
    expect(ordered).toBe(true); // contacts keep the file's order
  }, 120000);

  it('answers 404 for another client’s campaign and 403 for callers', async () => {
    const am = await ctx.newUser('account_manager');
    await ctx
      .http()
      .post(`/campaigns/${campaignId}/imports`)
      .auth(am.token, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send('phone\n')
      .expect(404);
    const caller = await ctx.newUser('caller');
    await ctx
      .http()
      .post(`/campaigns/${campaignId}/imports`)
      .auth(caller.token, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send('phone\n')
      .expect(403);
  });
});
