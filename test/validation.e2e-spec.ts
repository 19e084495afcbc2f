import { TestContext } from './harness';

describe('request validation and the error shape', () => {
  let ctx: TestContext;
  let clientId: string;
  beforeAll(async () => {
    ctx = await TestContext.create();
    clientId = (await ctx.newClient()).id;
  });
  afterAll(() => ctx.close());

  const fieldsOf = (body: { details: { field: string }[] }) =>
    [...new Set(body.details.map((d) => d.field))].sort();

  it('names every missing field', async () => {
    const res = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({})
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'invalid' });
    expect(res.body.message).toContain('email');
    expect(fieldsOf(res.body)).toEqual(['email', 'password', 'role']);
  });

  it('refuses wrong types', async () => {
    const res = await ctx
      .http()
      .post(`/clients/${clientId}/reps`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 42, email: 'not-an-email', specialties: 'solar', available: 'yes' })
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(['available', 'email', 'name', 'specialties']);
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const res = await ctx
      .http()
      .post('/clients')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'Acme', isAdmin: true })
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'isAdmin', message: 'unknown field' }]);
  });

  it('refuses oversized strings', async () => {
    const res = await ctx
      .http()
      .post('/clients')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'x'.repeat(201) })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'name', message: 'name must be shorter than or equal to 200 characters' },
    ]);
    const login = await ctx
      .http()
      .post('/auth/login')
      .send({ email: 'a@b.example', password: 'p'.repeat(201) })
      .expect(400);
    expect(fieldsOf(login.body)).toEqual(['password']);
  });

  it('refuses a malformed id in the path and in nested arrays', async () => {
    const res = await ctx
      .http()
      .get('/clients/not-a-uuid')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(['id']);
    const managers = await ctx
      .http()
      .put(`/clients/${clientId}/managers`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ userIds: ['nope'] })
      .expect(400);
    expect(fieldsOf(managers.body)).toEqual(['userIds']);
  });

  it('answers malformed JSON with a 400 in the same shape, no stack trace', async () => {
    const res = await ctx
      .http()
      .post('/clients')
      .auth(ctx.adminToken, { type: 'bearer' })
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', details: [] });
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('answers an unexpected failure with a bare 500: no stack, no SQL', async () => {
    // Break the database under the running service: the next query fails inside PostgreSQL.
    const { Client } = await import('pg');
    const c = new Client({ connectionString: ctx.dbUrl });
    await c.connect();
    await c.query('ALTER TABLE clients RENAME TO clients_gone');
    try {
      const res = await ctx
        .http()
        .get('/clients')
        .auth(ctx.adminToken, { type: 'bearer' })
        .expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal',
        message: 'Internal server error',
        details: [],
      });
    } finally {
      await c.query('ALTER TABLE clients_gone RENAME TO clients');
      await c.end();
    }
  });
});
