import { ADMIN, TestContext } from './harness';

describe('sign-in', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create({
      login: {
        maxFailuresPerAccount: 5,
        maxFailuresPerAddress: 12,
        windowSeconds: 900,
        knownDays: 90,
      },
    });
  });
  afterAll(() => ctx.close());

  it('gives a bearer token for the right password, which opens the routes of the role', async () => {
    const res = await ctx.http().post('/auth/login').send(ADMIN).expect(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      user: { email: ADMIN.email, role: 'admin' },
    });
    expect(res.body.user.passwordHash).toBeUndefined();
    const me = await ctx
      .http()
      .get('/auth/me')
      .auth(res.body.accessToken, { type: 'bearer' })
      .expect(200);
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin' });
  });

  it('accepts the email in any case', async () => {
    await ctx
      .http()
      .post('/auth/login')
      .send({ ...ADMIN, email: ADMIN.email.toUpperCase() })
      .expect(200);
  });

  it('refuses a wrong password and an unknown user alike, without saying which', async () => {
    const caller = await ctx.newUser('caller');
    const wrong = await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: 'nope-nope' })
      .expect(401);
    const unknown = await ctx
      .http()
      .post('/auth/login')
      .send({ email: 'nobody@test.example', password: 'nope-nope' })
      .expect(401);
    expect(wrong.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'unauthenticated',
      message: 'Wrong email or password',
      details: [],
    });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses a tampered or foreign token', async () => {
    const token = await ctx.login(ADMIN.email, ADMIN.password);
    const [h, p] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    await ctx
      .http()
      .get('/clients')
      .auth(`${h}.${forged}.${token.split('.')[2]}x`, { type: 'bearer' })
      .expect(401);
    await ctx.http().get('/clients').set('Authorization', 'Basic abc').expect(401);
  });

  it('holds back an account after repeated failures, even for the right password, from a place it never signed in from, until the window passes', async () => {
    // Created, never signed in: this address is unknown to the account.
    const caller = await ctx.newUser('caller', undefined, { signIn: false });
    for (let i = 0; i < 5; i++) {
      await ctx
        .http()
        .post('/auth/login')
        .send({ email: caller.email, password: `wrong-${i}` })
        .expect(401);
    }
    const locked = await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: caller.password })
      .expect(429);
    expect(locked.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'rate_limited',
    });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account from the same address is not affected.
    await ctx.http().post('/auth/login').send(ADMIN).expect(200);

    ctx.clock.advance(901);
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: caller.password })
      .expect(200);
    // Signed in here now: this address is known to the account, and a typo from it does not
    // meet the failures strangers left on the account.
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: 'wrong' })
      .expect(401);
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: caller.password })
      .expect(200);
  });

  it('never counts or slows successful sign-ins: a whole call floor on one address signs in', async () => {
    ctx.clock.advance(3600);
    const callers = await Promise.all(Array.from({ length: 6 }, () => ctx.newUser('caller')));
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        callers.map((c) =>
          ctx.http().post('/auth/login').send({ email: c.email, password: c.password }).expect(200),
        ),
      );
    }
  });

  it('holds back an address that keeps failing across many accounts, except for accounts that signed in there before', async () => {
    ctx.clock.advance(3600);
    const newcomer = await ctx.newUser('caller', undefined, { signIn: false });
    for (let i = 0; i < 12; i++) {
      await ctx
        .http()
        .post('/auth/login')
        .send({ email: `spray-${i}@test.example`, password: 'guess-1234' })
        .expect(401);
    }
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: newcomer.email, password: newcomer.password })
      .expect(429);
    // The admin signed in from this address before: the failures of others do not hold it back.
    await ctx.http().post('/auth/login').send(ADMIN).expect(200);
    ctx.clock.advance(901);
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: newcomer.email, password: newcomer.password })
      .expect(200);
  });

  it('refuses a deactivated user', async () => {
    ctx.clock.advance(3600);
    const caller = await ctx.newUser('caller');
    await ctx
      .http()
      .patch(`/users/${caller.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ active: false })
      .expect(200);
    await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: caller.password })
      .expect(401);
    // The token it had before stops working too, and does not come back with reactivation.
    await ctx.http().get('/auth/me').auth(caller.token, { type: 'bearer' }).expect(401);
    await ctx
      .http()
      .patch(`/users/${caller.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ active: true })
      .expect(200);
    await ctx.http().get('/auth/me').auth(caller.token, { type: 'bearer' }).expect(401);
    const again = await ctx
      .http()
      .post('/auth/login')
      .send({ email: caller.email, password: caller.password })
      .expect(200);
    await ctx.http().get('/auth/me').auth(again.body.accessToken, { type: 'bearer' }).expect(200);
  });

  it('ends every session of a user whose password is changed', async () => {
    ctx.clock.advance(3600);
    const am = await ctx.newUser('account_manager');
    await ctx.http().get('/clients').auth(am.token, { type: 'bearer' }).expect(200);
    await ctx
      .http()
      .patch(`/users/${am.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ password: 'a-brand-new-password-42' })
      .expect(200);
    await ctx.http().get('/clients').auth(am.token, { type: 'bearer' }).expect(401);
    const fresh = await ctx
      .http()
      .post('/auth/login')
      .send({ email: am.email, password: 'a-brand-new-password-42' })
      .expect(200);
    await ctx.http().get('/clients').auth(fresh.body.accessToken, { type: 'bearer' }).expect(200);
    // A name change ends nothing.
    await ctx
      .http()
      .patch(`/users/${am.id}`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'Renamed' })
      .expect(200);
    await ctx.http().get('/clients').auth(fresh.body.accessToken, { type: 'bearer' }).expect(200);
  });
});

describe('users', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  it('lets the admin create staff and client users, never showing a password hash', async () => {
    const client = await ctx.newClient();
    const created = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({
        email: 'Rep.Viewer@Client.example',
        password: 'long-enough-1',
        role: 'client',
        clientId: client.id,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      email: 'rep.viewer@client.example',
      role: 'client',
      clientId: client.id,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/password|argon/i);

    const list = await ctx
      .http()
      .get('/users?role=client')
      .auth(ctx.adminToken, { type: 'bearer' })
      .expect(200);
    expect(list.body.map((u: { email: string }) => u.email)).toEqual(['rep.viewer@client.example']);
    expect(JSON.stringify(list.body)).not.toMatch(/argon/);
  });

  it('requires a client for a client user and refuses one for staff', async () => {
    const noClient = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ email: 'c1@test.example', password: 'long-enough-1', role: 'client' })
      .expect(400);
    expect(noClient.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'clientId' })]),
    );

    const client = await ctx.newClient();
    const staffWithClient = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({
        email: 'c2@test.example',
        password: 'long-enough-1',
        role: 'caller',
        clientId: client.id,
      })
      .expect(400);
    expect(staffWithClient.body.details).toEqual([
      { field: 'clientId', message: 'must be empty for role caller' },
    ]);

    const unknownClient = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({
        email: 'c3@test.example',
        password: 'long-enough-1',
        role: 'client',
        clientId: '00000000-0000-4000-8000-000000000000',
      })
      .expect(400);
    expect(unknownClient.body.details[0].field).toBe('clientId');
  });

  it('answers 409 for an email already in use, in any case', async () => {
    const u = await ctx.newUser('caller');
    const res = await ctx
      .http()
      .post('/users')
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ email: u.email.toUpperCase(), password: 'long-enough-1', role: 'caller' })
      .expect(409);
    expect(res.body.details).toEqual([{ field: 'email', message: 'already in use' }]);
  });
});
