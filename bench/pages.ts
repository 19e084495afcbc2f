import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { BENCH_ADMIN, benchApp, benchDatabase, median } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Signed {
  token: string;
  user: { id: string; role: string; clientId?: string | null };
}

/**
 * `pages`: how long each page takes in Debian's Chromium, from navigation to its data on screen
 * for a signed-in user (a fresh browser context each time: no cache), beside loading a static
 * file from the same service (the floor: one request, no script). The quality bar is "under 1 s
 * on the bench machine"; the ratio is the baseline's time ÷ the page's.
 */
export async function pages(): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  if (!existsSync(join(__dirname, '..', 'app', 'console.html')))
    return { skipped: 'the pages are not built (npm run build)' };
  const rounds = Number(process.env.BENCH_PAGE_ROUNDS ?? 15);
  const db = await benchDatabase();
  const { app, base } = await benchApp(db.url);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const who = await seed(base, db.url);
    const time = async (
      path: string,
      signed: Signed | null,
      ready: string,
    ): Promise<{ p50: number; p95: number }> => {
      const ms: number[] = [];
      for (let i = 0; i < rounds; i++) ms.push(await loadOnce(browser, base, path, signed, ready));
      ms.sort((a, b) => a - b);
      return { p50: round(median(ms)), p95: round(ms[Math.floor(0.95 * (ms.length - 1))]) };
    };
    const baseline = await time('/assets/app.css', null, 'body');
    const out: Record<string, unknown> = {
      rounds,
      baseline: { what: 'a static file from the same service', ...baseline },
    };
    const checks: [string, string, Signed, string][] = [
      ['console', '/console', who.caller, '#figures:not(:empty)'],
      ['manage', '/manage', who.manager, '#totals:not(:empty) >> nth=0'],
      ['portal', '/portal', who.client, '#figures:not(:empty)'],
    ];
    for (const [name, path, signed, ready] of checks) {
      const t = await time(path, signed, ready);
      out[name] = {
        ...t,
        ratio: round(baseline.p50 / t.p50, 3),
        underOneSecond: t.p95 < 1000,
      };
    }
    return out;
  } finally {
    await browser.close();
    await app.close();
    await db.close();
  }
}

async function loadOnce(
  browser: Browser,
  base: string,
  path: string,
  signed: Signed | null,
  ready: string,
): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    if (signed) {
      await context.addInitScript((s: Signed) => {
        // Runs in the page, where sessionStorage exists.
        const store = (
          globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
        ).sessionStorage;
        store.setItem('rd.token', s.token);
        store.setItem('rd.me', JSON.stringify(s.user));
      }, signed);
    }
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(base + path);
    await page.locator(ready).first().waitFor({ state: 'attached', timeout: 10_000 });
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

/**
 * A client with a campaign, 2,000 contacts and 90 days of figures for three callers (written to
 * the roll-up the reports read), and the three kinds of user signed in.
 */
async function seed(
  base: string,
  dbUrl: string,
): Promise<{ caller: Signed; manager: Signed; client: Signed }> {
  const post = async <T>(path: string, token: string, body: unknown, type = 'application/json') => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const login = async (email: string, password: string): Promise<Signed> => {
    const r = await post<{ accessToken: string; user: Signed['user'] }>('/auth/login', '', {
      email,
      password,
    });
    return { token: r.accessToken, user: r.user };
  };
  const admin = await login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const client = await post<{ id: string }>('/clients', admin.token, { name: 'Pageload Co' });
  const user = async (role: string, n: number) => {
    const email = `${role}-${n}@bench.example`;
    await post('/users', admin.token, {
      email,
      password: 'bench-password-1',
      role,
      name: `${role} ${n}`,
      ...(role === 'client' ? { clientId: client.id } : {}),
    });
    return login(email, 'bench-password-1');
  };
  const callers = [await user('caller', 1), await user('caller', 2), await user('caller', 3)];
  const manager = await user('account_manager', 1);
  await fetch(`${base}/clients/${client.id}/managers`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userIds: [manager.user.id] }),
  });
  const clientUser = await user('client', 1);
  const campaign = await post<{ id: string }>('/campaigns', admin.token, {
    clientId: client.id,
    name: 'Pageload campaign',
    script: 'Hello from Pageload Co.',
    callerId: '+12125550100',
    pitches: [{ name: 'One', text: 'Pitch one' }],
  });
  await fetch(`${base}/campaigns/${campaign.id}/callers`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ callerIds: callers.map((c) => c.user.id) }),
  });
  const csv =
    'phone,company,state\n' +
    Array.from(
      { length: 2000 },
      (_, i) =>
        `(512) ${String(200 + Math.floor(i / 10000))}-${String(i).padStart(4, '0')},Co ${i},TX`,
    ).join('\n');
  await post(`/campaigns/${campaign.id}/imports`, admin.token, csv, 'text/csv');
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  try {
    await pg.query(
      `INSERT INTO report_daily (day, client_id, campaign_id, caller_id, pitch_key, offer_key, dials, connects,
                                 dialed_here, referrals, very_interested, needs_work, published, talk_seconds,
                                 first_at, last_at)
       SELECT d::date, $1, $2, u, 'one', '', 80, 30, 80, 6, 1, 5, 6, 9000, d + interval '9 hours', d + interval '16 hours'
         FROM generate_series(now()::date - 89, now()::date, interval '1 day') AS d, unnest($3::uuid[]) AS u`,
      [client.id, campaign.id, callers.map((c) => c.user.id)],
    );
  } finally {
    await pg.end();
  }
  return { caller: callers[0], manager, client: clientUser };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
