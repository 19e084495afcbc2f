import { sql } from './pg-server';
import { TestContext } from './harness';

describe('do-not-call lists', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('adds a number in any format to the global list and finds it as E.164', async () => {
    const added = await ctx
      .http()
      .post('/dnc')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ phone: '212.736.5000' })
      .expect(201);
    expect(added.body).toEqual({ phone: '+12127365000', clientId: null });
    const found = await ctx
      .http()
      .get('/dnc/(212) 736-5000')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(found.body).toMatchObject({
      phone: '+12127365000',
      listed: true,
      entries: [{ scope: 'global', source: 'manual' }],
    });
    const absent = await ctx
      .http()
      .get('/dnc/2127365099')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(absent.body).toEqual({ phone: '+12127365099', listed: false, entries: [] });
  });

  it('refuses a number that is not a phone number, naming the field', async () => {
    const res = await ctx
      .http()
      .post('/dnc')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ phone: '12345' })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'phone', message: '"12345" is not a valid phone number' },
    ]);
  });

  it("keeps a client's list to that client: its manager sees it, another client's manager does not", async () => {
    const mine = await ctx.newClient();
    const theirs = await ctx.newClient();
    const am = await ctx.newUser('account_manager');
    const other = await ctx.newUser('account_manager');
    await ctx.assignManagers(mine.id, [am.id]);
    await ctx.assignManagers(theirs.id, [other.id]);
    await ctx
      .http()
      .post('/dnc')
      .auth(am.token, { type: 'bearer' })
      .send({ phone: '(312) 555-0123', clientId: mine.id })
      .expect(201);
    await ctx
      .http()
      .post('/dnc')
      .auth(am.token, { type: 'bearer' })
      .send({ phone: '(312) 555-0123', clientId: theirs.id })
      .expect(404);
    const seen = await ctx
      .http()
      .get('/dnc/3125550123')
      .auth(am.token, { type: 'bearer' })
      .expect(200);
    expect(seen.body.entries).toEqual([
      expect.objectContaining({ scope: 'client', clientId: mine.id }),
    ]);
    const unseen = await ctx
      .http()
      .get('/dnc/3125550123')
      .auth(other.token, { type: 'bearer' })
      .expect(200);
    expect(unseen.body).toMatchObject({ listed: false, entries: [] });
  });

  it('imports a list file, reporting invalid lines and numbers already listed, all or nothing', async () => {
    const file = [
      'phone',
      '(415) 555-2671',
      '415-555-2671',
      'nonsense',
      '(212) 736-5000',
      '',
      '+1 702 555 0142',
    ].join('\n');
    const res = await ctx
      .http()
      .post('/dnc/imports')
      .auth(ctx.adminToken, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send(file)
      .expect(201);
    // 212 736-5000 is already on the global list (first test); 415 555-2671 appears twice.
    expect(res.body).toMatchObject({
      registry: false,
      received: 5,
      added: 2,
      alreadyListed: 2,
      invalid: 1,
    });
    expect(res.body.errors).toEqual([{ line: 4, reason: 'invalid phone "nonsense"' }]);
  });

  const importList = (file: string, query = '') =>
    ctx
      .http()
      .post(`/dnc/imports${query}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send(file);

  it.each([
    ['without a header', '', '303'],
    ['under a header', 'AreaCode,PhoneNumber\r\n', '401'],
  ])(
    "reads a registry extract in its own layout, %s: area code, then the number's seven digits",
    async (_how, header, area) => {
      const res = await importList(
        `${header}${area},5550100\r\n${area},5550101\r\n${area},555010\r\n`,
        '?registry=true&obtainedAt=2026-03-01',
      ).expect(201);
      expect(res.body).toMatchObject({ received: 3, added: 2, invalid: 1 });
      expect(res.body.errors).toEqual([
        { line: header ? 4 : 3, reason: `invalid phone "${area},555010"` },
      ]);
      const found = await ctx
        .http()
        .get(`/dnc/${area}5550101`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .expect(200);
      expect(found.body).toMatchObject({ phone: `+1${area}5550101`, listed: true });
    },
  );

  it('lists every number of the phone columns a header names, and counts every line', async () => {
    const res = await importList(
      [
        'Name,Mobile Phone,Work Phone,Notes',
        '"Lee, Ann",(304) 555-0100,(304) 555-0101,"asked twice, ""never again"""',
        ',(304) 555-0102,,',
        'Acme,,,no number',
        ',,,',
      ].join('\n'),
    ).expect(201);
    // Line 5 is blank (commas only): not a row. Line 4 has no number in the phone columns.
    expect(res.body).toMatchObject({ received: 3, added: 3, invalid: 1 });
    expect(res.body.errors).toEqual([{ line: 4, reason: 'no phone number' }]);
    const [listed] = await sql<{ n: number }>(
      ctx.dbUrl,
      `SELECT count(*)::int AS n FROM dnc_numbers WHERE phone IN ('+13045550100', '+13045550101', '+13045550102')`,
    );
    expect(listed.n).toBe(3);
  });

  it('takes the first cell that is a number on a list without a header', async () => {
    const res = await importList('Acme,(305) 555-0142\nBeta Co,nothing\n').expect(201);
    expect(res.body).toMatchObject({ received: 2, added: 1, invalid: 1 });
    expect(res.body.errors).toEqual([{ line: 2, reason: 'invalid phone "Beta Co"' }]);
    // A first line naming nothing known is a line like the others, not a header.
    const noHeader = await importList('nonsense\n(401) 555-0102\n').expect(201);
    expect(noHeader.body).toMatchObject({ received: 2, added: 1, invalid: 1 });
    expect(noHeader.body.errors).toEqual([{ line: 1, reason: 'invalid phone "nonsense"' }]);
  });

  it('refuses a file that is not text, naming the field, and lists nothing', async () => {
    const res = await importList(
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0]) as unknown as string,
    ).expect(400);
    expect(res.body.details).toEqual([{ field: 'file', message: expect.any(String) }]);
  });

  it('needs the date a registry extract was obtained, and refuses one from the future', async () => {
    const noDate = await ctx
      .http()
      .post('/dnc/imports?registry=true')
      .auth(ctx.adminToken, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send('2127365000\n')
      .expect(400);
    expect(noDate.body.details).toEqual([
      { field: 'obtainedAt', message: 'required when registry=true' },
    ]);
    await ctx
      .http()
      .post('/dnc/imports?registry=true&obtainedAt=2030-01-01')
      .auth(ctx.adminToken, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send('2127365000\n')
      .expect(400);
  });

  it('is not open to callers or client users', async () => {
    const c = await ctx.newClient();
    const clientUser = await ctx.newUser('client', c.id);
    const caller = await ctx.newUser('caller');
    for (const token of [clientUser.token, caller.token]) {
      await ctx.http().get('/dnc/2127365000').auth(token, { type: 'bearer' }).expect(403);
      await ctx
        .http()
        .post('/dnc')
        .auth(token, { type: 'bearer' })
        .send({ phone: '2127365000' })
        .expect(403);
    }
  });
});
