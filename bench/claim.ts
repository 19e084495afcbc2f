import { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { isOpenIn, LEGAL_WINDOW } from '../src/campaigns/calling-hours';
import {
  anOpenZone,
  BENCH_ADMIN,
  benchApp,
  benchDatabase,
  jsonClient,
  serviceProcess,
} from './support';

const CALLERS = 64;
/** Zones around the globe: whatever the hour of the run, one of them is inside 08:00–21:00. */

/** Stands in for the outcome (the calls issue): the claimed contact is finished. */
const FINISH_SQL = [
  `UPDATE contacts SET status = 'closed', leased_to = NULL WHERE id = $1`,
  `UPDATE calls SET state = 'completed' WHERE id = $1`,
];

interface Figures {
  claimsPerSecond: number;
  claims: number;
  duplicates: number;
  seconds: number;
}

/**
 * `claim`: claims per second through POST /calls/next with 64 concurrent callers, against the
 * same claim statement run straight through pg with 64 connections, over lists of 100,000 and
 * (when BENCH_CLAIM_SIZES says so) more contacts. Each claimed contact is finished at once with
 * the same two statements on both sides, so every claim is a new contact; duplicates are counted.
 * `peer`: pg-boss fetching and completing as many jobs, at the first list size.
 */
export async function claim(): Promise<Record<string, unknown>> {
  const sizes = (process.env.BENCH_CLAIM_SIZES ?? '100000,1000000').split(',').map(Number);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const out: Record<string, unknown> = {};
  for (const [i, size] of sizes.entries())
    out[String(size)] = await claimAt(size, seconds, i === 0 && size <= 200_000);
  const first = out[String(sizes[0])] as { ratio: number; ours: Figures };
  const last = out[String(sizes[sizes.length - 1])] as { ours: Figures };
  return {
    ...out,
    peer: (out[String(sizes[0])] as { peer: unknown }).peer,
    ours: first.ours,
    baseline: (out[String(sizes[0])] as { baseline: Figures }).baseline,
    ratio: first.ratio,
    ratioToNamed: (out[String(sizes[0])] as { ratioToNamed: number }).ratioToNamed,
    scaling: Number((last.ours.claimsPerSecond / first.ours.claimsPerSecond).toFixed(3)),
    unit: 'claims per second, HTTP ÷ raw SQL; scaling = rate at the largest list ÷ rate at the smallest',
  };
}

async function claimAt(
  size: number,
  seconds: number,
  withPeer: boolean,
): Promise<Record<string, unknown>> {
  const db = await benchDatabase();
  const zone = anOpenZone();
  const pool = new Pool({ connectionString: db.url, max: CALLERS + 4 });
  // Set up through the service in this process; measured against the service as its own process
  // (this process's 64 clients and their garbage are not the service's).
  const setup = await benchApp(db.url);
  const { app } = setup;
  let service: Awaited<ReturnType<typeof serviceProcess>> | null = null;
  let appOpen = true;
  try {
    const setupClient = jsonClient(setup.base);
    const call = setupClient.send;
    const admin = (await call('POST', '/auth/login', null, BENCH_ADMIN)).body.accessToken as string;
    const client = (await call('POST', '/clients', admin, { name: 'Bench Co' })).body.id as string;
    const campaign = (
      await call('POST', '/campaigns', admin, {
        clientId: client,
        name: 'Bench',
        script: 'Calling for Bench Co',
        callerId: '+12125550100',
        maxAttempts: 3,
      })
    ).body.id as string;
    const tokens: string[] = [];
    const callerIds: string[] = [];
    for (let i = 0; i < CALLERS * 2; i++) {
      const email = `caller${i}@bench.example`;
      callerIds.push(
        (
          await call('POST', '/users', admin, {
            email,
            password: 'bench-password-1',
            role: 'caller',
          })
        ).body.id as string,
      );
      tokens.push(
        (await call('POST', '/auth/login', null, { email, password: 'bench-password-1' })).body
          .accessToken as string,
      );
    }
    await call('PUT', `/campaigns/${campaign}/callers`, admin, { callerIds });
    const act = await call('PATCH', `/campaigns/${campaign}`, admin, { status: 'active' });
    if (act.status !== 200) throw new Error(`activation failed: ${JSON.stringify(act.body)}`);
    // The list, made in SQL (the import has its own benchmark), a million rows a statement (each
    // statement's rows pass through the contact tallies' trigger as one transition table).
    for (let from = 1; from <= size; from += 1_000_000) {
      await pool.query(
        `INSERT INTO contacts (campaign_id, client_id, phone, company, time_zones, queue_rank, queue_at)
         SELECT $1, $2, '+1' || (2000000000 + g)::text, 'Company ' || g, ARRAY[$3], 1, now()
           FROM generate_series($4::int, $5::int) AS g`,
        [campaign, client, zone, from, Math.min(size, from + 999_999)],
      );
    }
    await pool.query('UPDATE campaigns SET zones = ARRAY[$2] WHERE id = $1', [campaign, zone]);
    // As autovacuum does soon after a load (insert threshold): hint bits set, pages all-visible.
    // Without it the first claims to touch each page of a 10M list write it again (about 30%
    // slower at 10M, on both sides).
    await pool.query('VACUUM ANALYZE contacts');

    // The claim statement and the campaign's rules, for the baseline, from the set-up service.
    const queue = app.get((await import('../src/campaigns/contact-queue')).ContactQueue);
    const campaignRow = await app
      .get((await import('typeorm')).DataSource)
      .getRepository((await import('../src/campaigns/campaign.entity')).Campaign)
      .findOneByOrFail({ id: campaign });
    const sqlText = (queue as unknown as { claimSql: string }).claimSql;
    setupClient.close();
    await app.close();
    appOpen = false;
    service = await serviceProcess(db.url);

    // Ours: HTTP, the first 64 callers.
    const http = jsonClient(service.base);
    const ours = await runFor(seconds, CALLERS, async (w, seen) => {
      const res = await http.send('POST', '/calls/next', tokens[w], { campaignId: campaign });
      if (res.status !== 200) return false;
      const contactId = (res.body.contact as { id: string }).id;
      seen(contactId);
      await pool.query(FINISH_SQL[0], [contactId]);
      await pool.query(FINISH_SQL[1], [res.body.callId]);
      return true;
    });
    http.close();

    // Baseline: the claim statement alone, straight through pg, the other 64 callers. Run as
    // plain SQL (the baseline the issue names), and again as a named statement, as the service
    // runs it, so the ratio's share of saved planning shows.
    const rawClaims = (name?: string) => async (w: number, seen: (id: string) => void) => {
      const now = new Date();
      const open = isOpenIn(zone, LEGAL_WINDOW, now) ? [zone] : [];
      const r = await pool.query({
        ...(name ? { name } : {}),
        text: sqlText,
        values: [
          campaign,
          now,
          campaignRow.maxAttempts,
          open,
          client,
          false,
          callerIds[CALLERS + w],
          new Date(now.getTime() + 900_000),
          null,
          null,
          ['FL', 'MD', 'OK'],
          [3, 3, 3],
          ...stateParams(sqlText, open),
        ],
      });
      const row = r.rows[0] as { id: string; call_id: string } | undefined;
      if (!row) return false;
      seen(String(row.id));
      await pool.query(FINISH_SQL[0], [row.id]);
      await pool.query(FINISH_SQL[1], [row.call_id]);
      return true;
    };
    const baseline = await runFor(seconds, CALLERS, rawClaims());
    const baselineNamed = await runFor(seconds, CALLERS, rawClaims('bench-claim'));
    return {
      ours,
      baseline,
      baselineNamed,
      ratio: Number((ours.claimsPerSecond / baseline.claimsPerSecond).toFixed(3)),
      ratioToNamed: Number((ours.claimsPerSecond / baselineNamed.claimsPerSecond).toFixed(3)),
      ...(withPeer ? { peer: await pgBossPeer(db.url, size, seconds) } : {}),
      contacts: size,
      callers: CALLERS,
    };
  } finally {
    if (appOpen) await app.close();
    await service?.stop();
    await pool.end();
    await db.close();
  }
}

/**
 * The peer: pg-boss (10.x, the newest for Node 20) doing the same kind of work, 64 workers
 * each fetching one job and completing it, over a queue as long as the contact list.
 */
async function pgBossPeer(url: string, size: number, seconds: number): Promise<Figures> {
  const boss = new PgBoss({
    connectionString: url,
    max: CALLERS + 4,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await boss.createQueue('contacts');
    for (let i = 0; i < size; i += 5000) {
      await boss.insert(
        Array.from({ length: Math.min(5000, size - i) }, (_, j) => ({
          name: 'contacts',
          data: { contact: i + j },
        })),
      );
    }
    return await runFor(seconds, CALLERS, async (_w, seen) => {
      const [job] = await boss.fetch<{ contact: number }>('contacts');
      if (!job) return false;
      seen(String(job.data.contact));
      await boss.complete('contacts', job.id);
      return true;
    });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/** The claim statement takes one open-zone list per state with its own window ($13…). */
function stateParams(sqlText: string, open: string[]): string[][] {
  const n = (sqlText.match(/WHEN c\.state = /g) ?? []).length;
  return Array.from({ length: n }, () => open);
}

async function runFor(
  seconds: number,
  workers: number,
  step: (worker: number, seen: (id: string) => void) => Promise<boolean>,
): Promise<Figures> {
  const ids = new Set<string>();
  let claims = 0;
  let duplicates = 0;
  const seen = (id: string) => {
    claims++;
    if (ids.has(id)) duplicates++;
    ids.add(id);
  };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < until) if (!(await step(w, seen))) break;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    claimsPerSecond: Math.round(claims / elapsed),
    claims,
    duplicates,
    seconds: Number(elapsed.toFixed(2)),
  };
}
