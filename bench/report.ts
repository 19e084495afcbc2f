import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RollupsService } from '../src/reports/rollups.service';
import { BENCH_ADMIN, benchApp, benchDatabase, median, serviceProcess } from './support';

/**
 * `report`: p50/p95 latency of a client report and of a campaign report grouped by day, through
 * HTTP from the service run as its own process, over a generated history (default 10,000,000 calls, 500 campaigns of 50 clients, two
 * years), beside the same figures computed by a plain GROUP BY over the calls table.
 */
export async function report(): Promise<Record<string, unknown>> {
  const calls = Number(process.env.BENCH_REPORT_CALLS ?? 10_000_000);
  const requests = Number(process.env.BENCH_REPORT_REQUESTS ?? 40);
  const scans = Number(process.env.BENCH_REPORT_SCANS ?? 3);
  // BENCH_REPORT_DB (a database URL) keeps the generated history between runs while iterating:
  // seeded on the first run, reused (and never dropped) after. Unset: a throwaway database.
  const kept = process.env.BENCH_REPORT_DB;
  const db = kept ? await keptDatabase(kept) : await benchDatabase();
  const pg = new Client({ connectionString: db.url });
  let service: Awaited<ReturnType<typeof serviceProcess>> | null = null;
  try {
    const seedStart = performance.now();
    // In this process only to migrate, seed and build the roll-ups.
    const { app } = await benchApp(db.url, {
      webhooks: { deliver: false, retrySeconds: [5], timeoutSeconds: 15, pollSeconds: 2 },
    });
    await pg.connect();
    const reused = kept ? await seededWith(pg) : null;
    const { clientId, campaignId } = reused ?? (await seed(pg, calls));
    try {
      if (!reused || (await rollupsEmpty(pg)) || process.env.BENCH_REPORT_REBUILD) {
        // The roll-ups, built by the same code that repairs them.
        await app.get(DataSource).transaction((m) => app.get(RollupsService).rebuild(m));
        // As autovacuum would after such a load (which also marks the pages all-visible, for
        // index-only scans).
        for (const t of ROLLUP_TABLES) await pg.query(`VACUUM ANALYZE ${t}`);
      }
    } finally {
      await app.close();
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    // Measured: the service as its own process, as a client would reach it (this process's
    // fetch, JSON parsing and garbage are the client's, not the service's).
    service = await serviceProcess(db.url);
    const base = service.base;
    const token = await login(base);
    const get = async (path: string) => {
      const t = performance.now();
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.json();
      return performance.now() - t;
    };
    const clientPath = `/reports/clients/${clientId}`;
    const campaignPath = `/reports/campaigns/${campaignId}?groupBy=day`;
    // Warm-up: a service that has run a while has its code compiled and its pool's connections
    // open and warm (a campaign report reads on up to eight at once, and each new connection
    // loads its catalog caches per table on first use: the first 20 or so reports are slower).
    for (let i = 0; i < 30; i++) {
      await get(clientPath);
      await get(campaignPath);
    }
    const clientMs: number[] = [];
    const campaignMs: number[] = [];
    for (let i = 0; i < requests; i++) {
      clientMs.push(await get(clientPath));
      campaignMs.push(await get(campaignPath));
    }
    const scan = async (where: string, group: string) => {
      const t = performance.now();
      await pg.query(
        `SELECT ${group} count(*) AS dials,
                count(*) FILTER (WHERE disposition::text NOT IN ('no_answer','busy','voicemail','wrong_number')) AS connects,
                count(*) FILTER (WHERE disposition = 'referral') AS referrals,
                sum(COALESCE(talk_seconds, 0)) AS talk_seconds
           FROM calls WHERE ${where} AND disposition IS NOT NULL ${group ? 'GROUP BY 1' : ''}`,
      );
      return performance.now() - t;
    };
    const clientScan: number[] = [];
    const campaignScan: number[] = [];
    for (let i = 0; i < scans; i++) {
      clientScan.push(await scan(`client_id = '${clientId}'`, ''));
      campaignScan.push(
        await scan(
          `campaign_id = '${campaignId}'`,
          `(outcome_at AT TIME ZONE 'America/New_York')::date,`,
        ),
      );
    }
    if (process.env.BENCH_REPORT_TRACE)
      console.error(
        JSON.stringify({
          campaignMs: campaignMs.map(Math.round),
          clientMs: clientMs.map(Math.round),
        }),
      );
    const pct = (xs: number[], q: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return Number(s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1));
    };
    const clientP50 = pct(clientMs, 0.5);
    const campaignP50 = pct(campaignMs, 0.5);
    return {
      ours: {
        clientReport: { p50Ms: clientP50, p95Ms: pct(clientMs, 0.95) },
        campaignReportByDay: { p50Ms: campaignP50, p95Ms: pct(campaignMs, 0.95) },
      },
      baseline: {
        clientScanMs: Number(median(clientScan).toFixed(1)),
        campaignScanByDayMs: Number(median(campaignScan).toFixed(1)),
      },
      ratio: Number(
        Math.min(median(clientScan) / clientP50, median(campaignScan) / campaignP50).toFixed(1),
      ),
      clientRatio: Number((median(clientScan) / clientP50).toFixed(1)),
      campaignRatio: Number((median(campaignScan) / campaignP50).toFixed(1)),
      unit: 'times faster than a GROUP BY over calls (the smaller of the two reports; higher = better); goal ≥ 100, p95 < 50 ms',
      calls: reused ? reused.calls : calls,
      ...(reused ? { reusedDatabase: true } : {}),
      seedSeconds: Math.round(seedSeconds),
      requests,
    };
  } finally {
    await service?.stop();
    await pg.end();
    await db.close();
  }
}

/** The roll-up tables the reports read (rebuilt after the seed). */
const ROLLUP_TABLES = [
  'report_daily',
  'report_monthly',
  'report_caller_day',
  'report_followup',
  'report_campaign_day',
  'report_campaign_caller_day',
  'contact_tallies',
];

/**
 * A kept database: reused when an earlier run seeded it completely (the seed's last step is
 * ANALYZE calls), else created afresh; never dropped.
 */
async function keptDatabase(url: string): Promise<{ url: string; close: () => Promise<void> }> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    const complete = rowCount ? await inside(url, seededWith) : null;
    if (!complete) {
      await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`);
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await admin.end();
  }
  return { url, close: async () => {} };
}

async function inside<T>(url: string, f: (pg: Client) => Promise<T>): Promise<T> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return await f(pg);
  } finally {
    await pg.end();
  }
}

/** The kept database's history, when an earlier run seeded it completely. */
async function seededWith(
  pg: Client,
): Promise<{ clientId: string; campaignId: string; calls: number } | null> {
  const { rows: analyzed } = await pg.query(
    `SELECT 1 FROM pg_stat_user_tables WHERE relname = 'calls' AND n_live_tup > 0
        AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`,
  );
  if (!analyzed.length) return null;
  const { rows } = await pg.query<{ client_id: string; id: string; calls: string }>(
    `SELECT g.client_id, g.id, (SELECT count(*) FROM calls) AS calls FROM campaigns g ORDER BY g.id LIMIT 1`,
  );
  return rows[0]
    ? { clientId: rows[0].client_id, campaignId: rows[0].id, calls: Number(rows[0].calls) }
    : null;
}

/** Whether the roll-ups were never built (report_followup stays empty: the seed has no feedback). */
async function rollupsEmpty(pg: Client): Promise<boolean> {
  const { rowCount } = await pg.query(`SELECT 1 FROM report_daily LIMIT 1`);
  return !rowCount;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * 50 clients × 10 campaigns with 4 callers each, the calls spread over two years (one outcome each; about 8%
 * referrals, 40% connects), contacts shared per campaign. Call s belongs to campaign s % 500; its
 * caller, contact and disposition follow from s / 500, the campaign's own count (s % 4, s % 20 and
 * s % 25 would be fixed per campaign, as 500 is a multiple of each). Indexes of calls are dropped
 * during the load and rebuilt after it.
 */
async function seed(pg: Client, calls: number): Promise<{ clientId: string; campaignId: string }> {
  await pg.query(
    `INSERT INTO clients (name, timezone) SELECT 'Client ' || g, 'America/New_York' FROM generate_series(1, 50) g`,
  );
  await pg.query(
    `INSERT INTO users (email, password_hash, role) SELECT 'caller' || g || '@bench.example', 'x', 'caller' FROM generate_series(1, 200) g`,
  );
  await pg.query(
    `INSERT INTO campaigns (client_id, name, status, caller_id)
     SELECT c.id, c.name || ' campaign ' || g, 'active', '+12125550100' FROM clients c, generate_series(1, 10) g`,
  );
  await pg.query(
    `INSERT INTO contacts (client_id, campaign_id, phone, time_zones)
     SELECT g.client_id, g.id, '+1212' || lpad(n::text, 7, '0'), ARRAY['America/New_York']
       FROM campaigns g, generate_series(1, 20) n`,
  );
  const { rows: idx } = await pg.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'calls' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const i of idx) await pg.query(`DROP INDEX ${i.indexname}`);
  await pg.query('SET synchronous_commit = off');
  const chunk = 1_000_000;
  for (let done = 0; done < calls; done += chunk) {
    const n = Math.min(chunk, calls - done);
    await pg.query(
      `WITH camp AS (SELECT id, client_id, row_number() OVER (ORDER BY id) - 1 AS i FROM campaigns),
            callers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM users WHERE role = 'caller'),
            con AS (SELECT campaign_id, min(id) AS first_id FROM contacts GROUP BY campaign_id)
       INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, lease_expires_at,
                          disposition, outcome, outcome_at, talk_seconds, dialed_at)
       SELECT camp.client_id, camp.id, con.first_id + (s / 500 % 20), callers.id, '+12125550000',
              'completed', t, d.disp::call_disposition,
              CASE WHEN d.disp = 'referral' THEN jsonb_build_object('referral', jsonb_build_object('rating',
                   CASE WHEN s % 7 = 0 THEN 'very_interested' ELSE 'needs_work' END)) END,
              t, CASE WHEN d.disp IN ('no_answer', 'busy') THEN NULL ELSE (s % 280) + 20 END, t
         FROM generate_series($1::bigint, $2::bigint) s
         JOIN camp ON camp.i = s % 500
         JOIN callers ON callers.i = (camp.i * 3 + s / 500 % 4) % 200
         JOIN con ON con.campaign_id = camp.id
         CROSS JOIN LATERAL (SELECT timestamptz '2024-11-01 13:00Z' + ((s * 7919) % 63072000) * interval '1 second' AS t) tt
         CROSS JOIN LATERAL (SELECT s / 500 % 25 AS r) rr
         CROSS JOIN LATERAL (SELECT CASE WHEN r < 2 THEN 'referral' WHEN r < 10 THEN 'not_interested'
                                          WHEN r < 18 THEN 'no_answer' WHEN r < 21 THEN 'voicemail' ELSE 'busy' END AS disp) d`,
      [done, done + n - 1],
    );
  }
  for (const i of idx) await pg.query(i.indexdef);
  await pg.query('ANALYZE calls');
  const { rows } = await pg.query<{ client_id: string; id: string }>(
    `SELECT client_id, id FROM campaigns ORDER BY id LIMIT 1`,
  );
  return { clientId: rows[0].client_id, campaignId: rows[0].id };
}
