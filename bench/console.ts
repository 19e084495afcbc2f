import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { anOpenZone, BENCH_ADMIN, benchApp, benchDatabase } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `console`: the caller console in power mode (Ready, preview 0 s, simulated phone) in Chromium:
 * the time from **Save outcome** to the next contact ringing, over `BENCH_CONSOLE_CONTACTS`
 * contacts (default 50), beside the same API calls made directly from Node (outcome, next, dial,
 * the ringing event): what the page adds is the difference. Goal: under 100 ms at p95.
 */
export async function consoleBench(): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  if (!existsSync(join(__dirname, '..', 'app', 'console.html')))
    return { skipped: 'the console is not built (npm run build)' };
  const n = Number(process.env.BENCH_CONSOLE_CONTACTS ?? 50);
  const db = await benchDatabase();
  const { app, base } = await benchApp(db.url);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const s = await seed(base, db.url, n + 5);
    const baseline = await direct(base, s.callers[1].token, n);
    const ours = await inPage(browser, base, s.callers[0], n);
    const p95 = (xs: number[]) => xs[Math.floor(0.95 * (xs.length - 1))];
    const p50 = (xs: number[]) => xs[Math.floor(0.5 * (xs.length - 1))];
    const sum = (xs: number[]) => ({ p50: round(p50(xs)), p95: round(p95(xs)) });
    const o = sum(ours.sort((a, b) => a - b));
    const b = sum(baseline.sort((a, b) => a - b));
    return {
      contacts: n,
      ours: { what: 'Save outcome → next contact ringing, in the page', ...o },
      baseline: { what: 'outcome, next, dial and ringing through the API from Node', ...b },
      ratio: round(b.p95 / o.p95, 3),
      addedMsP95: round(o.p95 - b.p95),
      underGoal: o.p95 - b.p95 < 100,
    };
  } finally {
    await browser.close();
    await app.close();
    await db.close();
  }
}

interface Signed {
  token: string;
  user: { id: string; role: string };
}

async function api<T>(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** The same work without the page: one caller's loop through the API. */
async function direct(base: string, token: string, n: number): Promise<number[]> {
  const event = (callId: string, e: string) =>
    api(base, 'POST', `/telephony/simulated/calls/${callId}/events`, token, { event: e });
  let c = await api<{ callId: string }>(base, 'POST', '/calls/next', token, {});
  await api(base, 'POST', `/calls/${c.callId}/dial`, token);
  await event(c.callId, 'ringing');
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await event(c.callId, 'no-answer');
    const started = performance.now();
    await api(base, 'POST', `/calls/${c.callId}/outcome`, token, { disposition: 'no_answer' });
    c = await api<{ callId: string }>(base, 'POST', '/calls/next', token, {});
    await api(base, 'POST', `/calls/${c.callId}/dial`, token);
    await event(c.callId, 'ringing');
    times.push(performance.now() - started);
  }
  return times;
}

/** The console in Chromium, Ready: each contact rings, gets no answer, and is saved. */
async function inPage(
  browser: import('playwright-core').Browser,
  base: string,
  signed: Signed,
  n: number,
): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((s: Signed) => {
    const store = (
      globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
    ).sessionStorage;
    store.setItem('rd.token', s.token);
    store.setItem('rd.me', JSON.stringify(s.user));
  }, signed);
  const page = await context.newPage();
  await page.goto(base + '/console');
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  const status = page.locator('#call-state');
  const waitFor = async (words: string) => {
    for (let i = 0; i < 400; i++) {
      if ((await status.textContent()) === words) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the console did not reach "${words}"`);
  };
  const times: number[] = [];
  for (let i = 0; i <= n; i++) {
    await waitFor('ringing');
    await page.getByRole('button', { name: 'Simulate no answer' }).click();
    await waitFor('ended (no answer)');
    if (i === n) break;
    // Timed in the page: the click on Save to the status region saying "ringing" again.
    const ms = await page.evaluate<number>(`new Promise((resolve) => {
      const started = performance.now();
      let left = false;
      const observer = new MutationObserver(() => {
        const words = document.getElementById('call-state')?.textContent;
        if (words !== 'ringing') left = true;
        else if (left) {
          observer.disconnect();
          resolve(performance.now() - started);
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      document.getElementById('save').click();
    })`);
    times.push(ms);
  }
  await context.close();
  return times;
}

async function seed(base: string, dbUrl: string, contacts: number): Promise<{ callers: Signed[] }> {
  const login = async (email: string, password: string): Promise<Signed> => {
    const res = await fetch(base + '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const r = (await res.json()) as { accessToken: string; user: Signed['user'] };
    return { token: r.accessToken, user: r.user };
  };
  const admin = (await login(BENCH_ADMIN.email, BENCH_ADMIN.password)).token;
  const client = await api<{ id: string }>(base, 'POST', '/clients', admin, { name: 'Power Co' });
  const campaigns: string[] = [];
  const callers: Signed[] = [];
  for (let i = 0; i < 2; i++) {
    const email = `power-caller-${i}@bench.example`;
    await api(base, 'POST', '/users', admin, {
      email,
      password: 'bench-password-1',
      role: 'caller',
      name: `Caller ${i}`,
    });
    callers.push(await login(email, 'bench-password-1'));
    // One campaign each, so the two loops never take each other's contacts.
    const campaign = await api<{ id: string }>(base, 'POST', '/campaigns', admin, {
      clientId: client.id,
      name: `Power ${i}`,
      script: 'Hello {first name}, calling from Power Co.',
      callerId: '+12125550100',
      previewSeconds: 0,
      maxAttempts: 3,
    });
    campaigns.push(campaign.id);
    await api(base, 'PUT', `/campaigns/${campaign.id}/callers`, admin, {
      callerIds: [callers[i].user.id],
    });
  }
  const zone = anOpenZone();
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  try {
    for (const [i, campaign] of campaigns.entries()) {
      await pg.query(
        `INSERT INTO contacts (campaign_id, client_id, phone, company, first_name, time_zones, queue_rank, queue_at)
         SELECT $1, $2, '+1' || (2000000000 + $4::int * 100000 + g)::text, 'Company ' || g, 'Pat', ARRAY[$3], 1, now()
           FROM generate_series(1, $5::int) AS g`,
        [campaign, client.id, zone, i, contacts],
      );
      await pg.query('UPDATE campaigns SET zones = ARRAY[$2] WHERE id = $1', [campaign, zone]);
    }
  } finally {
    await pg.end();
  }
  for (const campaign of campaigns) {
    await api(base, 'PATCH', `/campaigns/${campaign}`, admin, { status: 'active' });
  }
  return { callers };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
