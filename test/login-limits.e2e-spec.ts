import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { ADMIN, TestContext, type TestUser } from './harness';
import { sql } from './pg-server';

/**
 * The sign-in limits behind one trusted proxy (TRUST_PROXY=1): the proxy appends the address it
 * saw to X-Forwarded-For, so the rightmost entry is the client and anything left of it was
 * written by the client. Each test starts in a fresh window (the clock moves an hour).
 */
describe('sign-in limits that cannot be turned against users', () => {
  const WINDOW = 900;
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create({
      trustProxy: 1,
      login: {
        maxFailuresPerAccount: 5,
        maxFailuresPerAddress: 50,
        windowSeconds: WINDOW,
        knownDays: 90,
      },
    });
  });
  afterAll(() => ctx.close());
  beforeEach(() => ctx.clock.advance(3600));

  /** A sign-in from `ip` (as the proxy saw it), with what the client wrote before it, if any. */
  function signIn(
    who: { email: string; password: string },
    ip: string,
    opts: { spoofed?: string; cookie?: string } = {},
  ) {
    const req = ctx
      .http()
      .post('/auth/login')
      .set('X-Forwarded-For', opts.spoofed ? `${opts.spoofed}, ${ip}` : ip);
    if (opts.cookie) req.set('Cookie', opts.cookie);
    return req.send({ email: who.email, password: who.password });
  }

  /** `rd_device=<token>` from a successful sign-in's Set-Cookie. */
  function deviceCookieOf(res: Response): string {
    const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
    const cookie = (raw ?? []).find((c) => c.startsWith('rd_device='));
    expect(cookie).toBeDefined();
    return cookie!.split(';')[0];
  }

  const wrong = (u: { email: string }, i = 0) => ({ email: u.email, password: `wrong-${i}` });

  it('five bad passwords on the admin email do not lock the real admin out where they signed in before', async () => {
    const office = '203.0.113.10';
    const first = await signIn(ADMIN, office).expect(200);
    const cookie = deviceCookieOf(first);
    const setCookie = (first.headers['set-cookie'] as unknown as string[]).join('\n');
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/auth/);
    // The token is kept only as its hash.
    const token = cookie.slice('rd_device='.length);
    const stored = await sql<{ value: string }>(
      ctx.dbUrl,
      "SELECT value FROM login_known_contexts WHERE kind = 'device'",
    );
    expect(stored.map((r) => r.value)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);

    const attacker = '198.51.100.66';
    for (let i = 0; i < 5; i++) await signIn(wrong(ADMIN, i), attacker).expect(401);
    // A stranger now waits, even with the right password (which is not checked).
    const held = await signIn(ADMIN, attacker).expect(429);
    expect(held.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'rate_limited',
      message: 'Too many failed sign-in attempts; try again later',
      details: [],
    });
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(held.headers['retry-after'])).toBeLessThanOrEqual(WINDOW);

    // The admin, from the office address (no cookie) and from a hotel in the same browser.
    await signIn(ADMIN, office).expect(200);
    await signIn(ADMIN, '192.0.2.44', { cookie }).expect(200);
    // From a new place with no cookie the admin is a stranger too, until the window ends.
    await signIn(ADMIN, '192.0.2.45').expect(429);
    ctx.clock.advance(WINDOW + 1);
    await signIn(ADMIN, '192.0.2.45').expect(200);
  });

  it('bounds guesses per account: the account limit from unknown places, and again from each known one', async () => {
    const user = await ctx.newUser('caller', undefined, { signIn: false });
    const home = '203.0.113.30';
    const cookie = deviceCookieOf(await signIn(user, home).expect(200));

    // Every guess from a new address still meets the account's count.
    for (let i = 0; i < 5; i++) await signIn(wrong(user, i), `198.51.100.${100 + i}`).expect(401);
    await signIn(wrong(user, 5), '198.51.100.105').expect(429);
    // Someone behind the user's own address gets the account limit there, no more.
    for (let i = 0; i < 5; i++) await signIn(wrong(user, i), home).expect(401);
    await signIn(user, home).expect(429);
    // The user's browser still signs in.
    await signIn(user, home, { cookie }).expect(200);
  });

  it('50 failures from one address do not lock out users at another address, nor those known at it', async () => {
    const floor = '198.51.100.7';
    const floorCaller = await ctx.newUser('caller', undefined, { signIn: false });
    await signIn(floorCaller, floor).expect(200);
    const elsewhere = await ctx.newUser('caller', undefined, { signIn: false });
    const newcomer = await ctx.newUser('caller', undefined, { signIn: false });

    for (let i = 0; i < 50; i++) {
      await signIn({ email: `spray-${i}@test.example`, password: 'Summer2026!' }, floor).expect(
        401,
      );
    }
    // Credential stuffing (one guess per account) meets the address limit...
    await signIn({ email: 'spray-50@test.example', password: 'Summer2026!' }, floor).expect(429);
    // ...as does an account that never signed in there.
    await signIn(newcomer, floor).expect(429);
    // An account that signed in from there before is not held back by others' failures.
    await signIn(floorCaller, floor).expect(200);
    // Nor is anyone at another address.
    await signIn(elsewhere, '203.0.113.20').expect(200);
  });

  it('takes the address the proxy saw, never the client-written X-Forwarded-For: rotating it does not evade the limit, naming a victim does not lock them out', async () => {
    const attacker = '198.51.100.31';
    const victimAddress = '203.0.113.77';
    const victim = await ctx.newUser('caller', undefined, { signIn: false });

    for (let i = 0; i < 50; i++) {
      await signIn({ email: `rotate-${i}@test.example`, password: 'Summer2026!' }, attacker, {
        spoofed: i % 2 ? victimAddress : `10.9.${i}.1`,
      }).expect(401);
    }
    await signIn({ email: 'rotate-50@test.example', password: 'Summer2026!' }, attacker, {
      spoofed: '10.9.200.1',
    }).expect(429);
    await signIn({ email: 'rotate-51@test.example', password: 'Summer2026!' }, attacker, {
      spoofed: victimAddress,
    }).expect(429);

    // Nothing was counted against the victim's address, and the victim signs in.
    const counted = await sql<{ key: string }>(
      ctx.dbUrl,
      "SELECT key FROM login_failures WHERE key LIKE 'address:%'",
    );
    expect(counted.map((r) => r.key)).toContain(`address:${attacker}`);
    expect(counted.map((r) => r.key)).not.toContain(`address:${victimAddress}`);
    expect(counted.map((r) => r.key).filter((k) => k.startsWith('address:10.9.'))).toEqual([]);
    await signIn(victim, victimAddress).expect(200);
  });

  it('checks at most the account limit in a burst of 40 concurrent bad sign-ins', async () => {
    const target = await ctx.newUser('caller', undefined, { signIn: false });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(wrong(target, i), '192.0.2.80')),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const rows = await sql<{ failures: number }>(
      ctx.dbUrl,
      'SELECT failures FROM login_failures WHERE key = $1',
      [`account:${target.email}`],
    );
    expect(rows).toEqual([{ failures: 5 }]);
  });

  it('checks at most the address limit in a burst of concurrent bad sign-ins across accounts', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        signIn({ email: `burst-${i}@test.example`, password: 'Summer2026!' }, '192.0.2.81'),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // The refused attempts left no count behind on their accounts.
    const accounts = await sql<{ n: string }>(
      ctx.dbUrl,
      "SELECT count(*) AS n FROM login_failures WHERE key LIKE 'account:burst-%'",
    );
    expect(Number(accounts[0].n)).toBe(50);
  });

  it('purges counts whose window has ended and places not signed in from for LOGIN_KNOWN_DAYS', async () => {
    const user: TestUser = await ctx.newUser('caller', undefined, { signIn: false });
    await signIn(user, '192.0.2.91').expect(200);
    for (let i = 0; i < 3; i++) {
      await signIn({ email: `purge-${i}@test.example`, password: 'x-1' }, '192.0.2.90').expect(401);
    }
    const failuresNow = () =>
      sql<{ key: string }>(ctx.dbUrl, "SELECT key FROM login_failures WHERE key LIKE '%purge-%'");
    expect(await failuresNow()).toHaveLength(3);

    // Still inside the window: kept.
    ctx.clock.advance(WINDOW - 120);
    await signIn(ADMIN, '192.0.2.92').expect(200);
    expect(await failuresNow()).toHaveLength(3);
    // Past it: the next sign-in purges every ended window.
    ctx.clock.advance(240);
    await signIn(ADMIN, '192.0.2.92').expect(200);
    expect(await failuresNow()).toEqual([]);
    const ended = await sql<{ n: string }>(
      ctx.dbUrl,
      `SELECT count(*) AS n FROM login_failures
        WHERE window_started_at <= $1::timestamptz - make_interval(secs => $2)`,
      [ctx.clock.now(), WINDOW],
    );
    expect(Number(ended[0].n)).toBe(0);

    const places = () =>
      sql<{ kind: string }>(ctx.dbUrl, 'SELECT kind FROM login_known_contexts WHERE user_id = $1', [
        user.id,
      ]);
    expect((await places()).length).toBeGreaterThan(0);
    ctx.clock.advance(91 * 86400);
    await signIn(ADMIN, '192.0.2.92').expect(200);
    expect(await places()).toEqual([]);
    // Forgotten: that address is a stranger to the account again.
    const stale = await sql<{ n: string }>(
      ctx.dbUrl,
      `SELECT count(*) AS n FROM login_known_contexts
        WHERE last_success_at <= $1::timestamptz - interval '90 days'`,
      [ctx.clock.now()],
    );
    expect(Number(stale[0].n)).toBe(0);
  });
});
