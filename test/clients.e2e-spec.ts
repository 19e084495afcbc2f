import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

describe('clients, account managers and sales reps', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('creates a client with a feed time zone, defaulting to New York, and refuses an unknown zone', async () => {
    const ny = await ctx.newClient('Default Zone Co');
    expect(ny).toMatchObject({ name: 'Default Zone Co', timezone: 'America/New_York' });
    const chi = await ctx.newClient('Chicago Co', 'America/Chicago');
    expect(chi).toMatchObject({ timezone: 'America/Chicago' });
    const bad = await ctx
      .http()
      .post('/clients')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'X', timezone: 'Mars/Olympus' })
      .expect(400);
    expect(bad.body.details).toEqual([
      { field: 'timezone', message: 'timezone must be an IANA time zone such as America/Chicago' },
    ]);
  });

  it('shows an account manager only the clients assigned to them; admins see all', async () => {
    const am = await ctx.newUser('account_manager');
    const mine = await ctx.newClient();
    const other = await ctx.newClient();
    await ctx.assignManagers(mine.id, [am.id]);
    // A client the manager creates is assigned to them at once.
    const created = await ctx
      .http()
      .post('/clients')
      .auth(am.token, { type: 'bearer' })
      .send({ name: 'Own Pick' })
      .expect(201);

    const seen = await ctx.http().get('/clients').auth(am.token, { type: 'bearer' }).expect(200);
    expect(seen.body.map((c: { id: string }) => c.id).sort()).toEqual(
      [mine.id, created.body.id].sort(),
    );
    await ctx.http().get(`/clients/${other.id}`).auth(am.token, { type: 'bearer' }).expect(404);

    const all = await ctx
      .http()
      .get('/clients')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(all.body.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([mine.id, other.id, created.body.id]),
    );

    const detail = await ctx
      .http()
      .get(`/clients/${mine.id}`)
      .auth(am.token, { type: 'bearer' })
      .expect(200);
    expect(detail.body.managers).toEqual([{ id: am.id, email: am.email, name: null }]);
  });

  it('lists the callers by name for account managers, and to nobody else', async () => {
    const am = await ctx.newUser('account_manager');
    const caller = await ctx.newUser('caller');
    const client = await ctx.newClient();
    const clientUser = await ctx.newUser('client', client.id);
    await ctx
      .http()
      .patch(`/users/${caller.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'Dana Dialer' })
      .expect(200);
    const seen = await ctx.http().get('/callers').auth(am.token, { type: 'bearer' }).expect(200);
    const list = seen.body as { id: string; name: string | null; email: string; role?: string }[];
    expect(list.find((c) => c.id === caller.id)).toEqual({
      id: caller.id,
      name: 'Dana Dialer',
      email: caller.email,
      active: true,
    });
    // Only callers: neither the manager nor the client user is listed.
    expect(list.map((c) => c.id)).not.toContain(am.id);
    expect(list.map((c) => c.id)).not.toContain(clientUser.id);
    for (const who of [caller, clientUser])
      await ctx.http().get('/callers').auth(who.token, { type: 'bearer' }).expect(403);
  });

  it('assigns only account managers, and replaces the assignment as a whole', async () => {
    const c = await ctx.newClient();
    const am1 = await ctx.newUser('account_manager');
    const am2 = await ctx.newUser('account_manager');
    const caller = await ctx.newUser('caller');
    const refused = await ctx
      .http()
      .put(`/clients/${c.id}/managers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ userIds: [am1.id, caller.id] })
      .expect(400);
    expect(refused.body.details).toEqual([
      { field: 'userIds', message: `${caller.id} is not an account manager` },
    ]);
    // Nothing half-applied: am1 was not assigned either.
    const before = await ctx
      .http()
      .get(`/clients/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(before.body.managers).toEqual([]);
    // A deactivated account manager is not assigned either.
    const gone = await ctx.newUser('account_manager');
    await ctx
      .http()
      .patch(`/users/${gone.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ active: false })
      .expect(200);
    await ctx
      .http()
      .put(`/clients/${c.id}/managers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ userIds: [gone.id] })
      .expect(400);

    await ctx.assignManagers(c.id, [am1.id]);
    await ctx.assignManagers(c.id, [am2.id]);
    const after = await ctx
      .http()
      .get(`/clients/${c.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(after.body.managers.map((m: { id: string }) => m.id)).toEqual([am2.id]);
    await ctx.http().get(`/clients/${c.id}`).auth(am1.token, { type: 'bearer' }).expect(404);
  });

  it("keeps a client's sales reps with specialties, territories and availability", async () => {
    const c = await ctx.newClient();
    const user: TestUser = await ctx.newUser('client', c.id);
    const created = await ctx
      .http()
      .post(`/clients/${c.id}/reps`)
      .auth(user.token, { type: 'bearer' })
      .send({
        name: 'Maria Lopez',
        email: 'Maria@Northwind.example',
        specialties: ['commercial solar', 'commercial solar', ' batteries '],
        territories: ['tx', '750'],
      })
      .expect(201);
    expect(created.body).toMatchObject({
      clientId: c.id,
      name: 'Maria Lopez',
      email: 'maria@northwind.example',
      specialties: ['commercial solar', 'batteries'],
      territories: ['TX', '750'],
      available: true,
    });
    const dup = await ctx
      .http()
      .post(`/clients/${c.id}/reps`)
      .auth(user.token, { type: 'bearer' })
      .send({ name: 'Again', email: 'maria@northwind.example' })
      .expect(409);
    expect(dup.body.details[0].field).toBe('email');

    const badTerritory = await ctx
      .http()
      .post(`/clients/${c.id}/reps`)
      .auth(user.token, { type: 'bearer' })
      .send({ name: 'T', email: 't@x.example', territories: ['Texas'] })
      .expect(400);
    expect(badTerritory.body.details[0].field).toBe('territories');

    const updated = await ctx
      .http()
      .patch(`/clients/${c.id}/reps/${created.body.id}`)
      .auth(user.token, { type: 'bearer' })
      .send({ available: false, territories: ['OK'] })
      .expect(200);
    expect(updated.body).toMatchObject({
      available: false,
      territories: ['OK'],
      name: 'Maria Lopez',
    });
    const list = await ctx
      .http()
      .get(`/clients/${c.id}/reps`)
      .auth(user.token, { type: 'bearer' })
      .expect(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ id: created.body.id, available: false });
  });
});

describe('API keys', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('shows the key once, stores only its hash, answers /v1/me until revoked, then 401', async () => {
    const c = await ctx.newClient('Key Co', 'America/Denver');
    const created = await ctx
      .http()
      .post(`/clients/${c.id}/api-keys`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'CRM pull' })
      .expect(201);
    const { id, key, prefix } = created.body as { id: string; key: string; prefix: string };
    expect(key.startsWith(prefix)).toBe(true);
    expect(created.body.lastUsedAt).toBeNull();

    const stored = await sql<{ key_hash: string; prefix: string }>(
      ctx.dbUrl,
      'SELECT key_hash, prefix FROM api_keys WHERE id = $1',
      [id],
    );
    expect(stored[0].prefix).toBe(prefix);
    expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = await sql<{ t: string }>(
      ctx.dbUrl,
      "SELECT string_agg(api_keys::text, ' ') AS t FROM api_keys",
    );
    expect(everything[0].t).not.toContain(key.slice(prefix.length));

    const listed = await ctx
      .http()
      .get(`/clients/${c.id}/api-keys`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ id, prefix, name: 'CRM pull', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const me = await ctx.http().get('/v1/me').auth(key, { type: 'bearer' }).expect(200);
    expect(me.body).toEqual({ id: c.id, name: 'Key Co', timezone: 'America/Denver' });

    const used = await ctx
      .http()
      .get(`/clients/${c.id}/api-keys`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(new Date(used.body[0].lastUsedAt).getTime()).toBe(ctx.clock.now().getTime());

    const revoked = await ctx
      .http()
      .delete(`/clients/${c.id}/api-keys/${id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await ctx.http().get('/v1/me').auth(key, { type: 'bearer' }).expect(401);
    expect(after.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    // Revoking again changes nothing.
    const again = await ctx
      .http()
      .delete(`/clients/${c.id}/api-keys/${id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('records last use at most once a minute, so a polling feed does not write on every request', async () => {
    const c = await ctx.newClient();
    const k = await ctx.newApiKey(c.id);
    await ctx.http().get('/v1/me').auth(k.key, { type: 'bearer' }).expect(200);
    const first = ctx.clock.now().toISOString();
    ctx.clock.advance(30);
    await ctx.http().get('/v1/me').auth(k.key, { type: 'bearer' }).expect(200);
    const read = async () =>
      (
        await sql<{ last_used_at: Date }>(
          ctx.dbUrl,
          'SELECT last_used_at FROM api_keys WHERE id = $1',
          [k.id],
        )
      )[0].last_used_at.toISOString();
    expect(await read()).toBe(first);
    ctx.clock.advance(31);
    await ctx.http().get('/v1/me').auth(k.key, { type: 'bearer' }).expect(200);
    expect(await read()).toBe(ctx.clock.now().toISOString());
  });

  it('refuses a made-up key that looks real', async () => {
    await ctx
      .http()
      .get('/v1/me')
      .auth('rdk_' + 'A'.repeat(43), { type: 'bearer' })
      .expect(401);
  });
});
