import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/**
 * M2: the global do-not-call list and registry extracts bind every client, so only admins change
 * them; an account manager lists numbers for the clients they manage, and a registry extract
 * restarts consumer campaigns only when it listed numbers.
 */
describe('do-not-call authority', () => {
  let ctx: TestContext;
  let a: { id: string };
  let b: { id: string };
  /** Manager of client A, manager of client B, and a manager with no client. */
  let amA: TestUser;
  let amB: TestUser;
  let amNone: TestUser;

  beforeAll(async () => {
    ctx = await TestContext.create();
    ctx.clock.set('2026-03-02T18:00:00Z'); // 10:00 in Los Angeles: inside calling hours
    a = await ctx.newClient();
    b = await ctx.newClient();
    [amA, amB, amNone] = await Promise.all([
      ctx.newUser('account_manager'),
      ctx.newUser('account_manager'),
      ctx.newUser('account_manager'),
    ]);
    await ctx.assignManagers(a.id, [amA.id]);
    await ctx.assignManagers(b.id, [amB.id]);
  });
  afterAll(() => ctx.close());

  const add = (who: TestUser | string, body: object) =>
    ctx
      .http()
      .post('/dnc')
      .auth(typeof who === 'string' ? who : who.token, { type: 'bearer' })
      .send(body);
  const upload = (who: TestUser | string, query: string, file: string) =>
    ctx
      .http()
      .post(`/dnc/imports${query}`)
      .auth(typeof who === 'string' ? who : who.token, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send(file);
  const listings = (phone: string) =>
    sql<{ client_id: string | null; source: string; added_by: string | null }>(
      ctx.dbUrl,
      'SELECT client_id, source, added_by FROM dnc_numbers WHERE phone = $1 ORDER BY id',
      [phone],
    );
  const extracts = () =>
    sql<{
      client_id: string | null;
      registry: boolean;
      listed: number;
      created_by: string | null;
    }>(
      ctx.dbUrl,
      'SELECT client_id, registry, listed, created_by FROM dnc_extracts ORDER BY created_at',
    );

  it('lets a manager of client B list numbers for B only: not globally (403), not for A (404)', async () => {
    const global = await add(amB, { phone: '(212) 555-0101' }).expect(403);
    expect(global.body).toMatchObject({ code: 'forbidden' });
    expect(global.body.details).toEqual([
      { field: 'clientId', message: 'required: the client whose list this is' },
    ]);
    await add(amB, { phone: '(212) 555-0101', clientId: a.id }).expect(404);
    expect(await listings('+12125550101')).toEqual([]);

    await add(amB, { phone: '(212) 555-0101', clientId: b.id }).expect(201);
    expect(await listings('+12125550101')).toEqual([
      { client_id: b.id, source: 'manual', added_by: amB.id },
    ]);

    // The same by file.
    await upload(amB, '', 'phone\n(212) 555-0102\n').expect(403);
    await upload(amB, `?clientId=${a.id}`, 'phone\n(212) 555-0102\n').expect(404);
    expect(await listings('+12125550102')).toEqual([]);
    const own = await upload(amB, `?clientId=${b.id}`, 'phone\n(212) 555-0102\n').expect(201);
    expect(own.body).toMatchObject({ received: 1, added: 1, invalid: 0 });
    expect(await listings('+12125550102')).toEqual([
      { client_id: b.id, source: 'list', added_by: amB.id },
    ]);

    // The admin still rules the global list.
    await add(ctx.adminToken, { phone: '(212) 555-0103' }).expect(201);
    expect(await listings('+12125550103')).toEqual([
      { client_id: null, source: 'manual', added_by: expect.any(String) },
    ]);
  });

  it('keeps registry extracts to admins: no manager uploads one, for any client or none', async () => {
    const before = await extracts();
    const extract = 'phone\n(212) 555-0111\n';
    for (const [who, query] of [
      [amNone, '?registry=true&obtainedAt=2026-03-02'],
      [amB, '?registry=true&obtainedAt=2026-03-02'],
      [amB, `?registry=true&obtainedAt=2026-03-02&clientId=${b.id}`],
      [amA, `?registry=true&obtainedAt=2026-03-02&clientId=${a.id}`],
    ] as const) {
      const res = await upload(who, query, extract).expect(403);
      expect(res.body.details).toEqual([
        { field: 'registry', message: 'registry extracts are for admins only' },
      ]);
    }
    expect(await extracts()).toEqual(before);
    expect(await listings('+12125550111')).toEqual([]);
  });

  it('lets an all-invalid or empty registry extract restart no consumer campaign, and records who uploaded the one that counts', async () => {
    const { campaignId, callers } = await ctx.activeCampaign({
      clientId: a.id,
      fields: { kind: 'consumer' },
    });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 555-0140,CA\n');
    const next = () =>
      ctx
        .http()
        .post('/calls/next')
        .auth(callers[0].token, { type: 'bearer' })
        .send({ campaignId });
    // No registry extract yet: a consumer campaign hands out nothing.
    await next().expect(204);

    // The finding: a manager with no clients, one invalid line dated today.
    await upload(amNone, '?registry=true&obtainedAt=2026-03-02', 'nonsense\n').expect(403);
    await next().expect(204);

    // Not even an admin's counts when it lists no valid number: refused, recorded nowhere.
    for (const file of ['nonsense\n', 'phone\n(212) 555\n12345\n', '', 'phone\n', '\n\n']) {
      const res = await upload(ctx.adminToken, '?registry=true&obtainedAt=2026-03-02', file);
      expect([file, res.status]).toEqual([file, 400]);
      expect(res.body.details).toEqual([
        { field: 'file', message: expect.stringMatching(/^no valid phone number in \d+ lines?$/) },
      ]);
      await next().expect(204);
    }
    expect((await extracts()).filter((x) => x.registry)).toEqual([]);

    // An extract from before this rule that listed nothing does not count either.
    await sql(
      ctx.dbUrl,
      `INSERT INTO dnc_extracts (registry, obtained_at, received, invalid, listed)
       VALUES (true, '2026-03-02', 1, 1, 0)`,
    );
    await next().expect(204);

    // One valid number is a scrub: the campaign goes on, and the uploader is on record.
    const ok = await upload(
      ctx.adminToken,
      '?registry=true&obtainedAt=2026-03-02',
      'nonsense\n212,5550150\n',
    ).expect(201);
    expect(ok.body).toMatchObject({ registry: true, received: 2, added: 1, invalid: 1 });
    await next().expect(200);
    const [me] = await sql<{ id: string }>(ctx.dbUrl, "SELECT id FROM users WHERE role = 'admin'");
    expect((await extracts()).filter((x) => x.registry && x.listed > 0)).toEqual([
      { client_id: null, registry: true, listed: 1, created_by: me.id },
    ]);
  });
});
