import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CLIENT_REFERRAL_CSV, CLIENT_REFERRAL_FROM } from '../src/referrals/referral-view';
import { BENCH_ADMIN, benchDatabase, mb, median, serviceProcess } from './support';

const DAY = '2026-03-02';

/**
 * `feed`: referrals per second streaming a 100,000-referral day from `GET /v1/referrals?date=`
 * as CSV and as NDJSON, from the service running as its own process (so its peak RSS, VmHWM,
 * is the service's alone), beside `COPY (SELECT …) TO STDOUT` of the same rows and columns
 * straight from PostgreSQL, the ceiling.
 */
export async function feed(): Promise<Record<string, unknown>> {
  const count = Number(process.env.BENCH_FEED_REFERRALS ?? 100_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const db = await benchDatabase();
  const service = await serviceProcess(db.url);
  const base = service.base;
  const pg = new Client({ connectionString: db.url });
  try {
    await pg.connect();
    const { token, clientId } = await clientWithKey(base);
    await seed(pg, clientId, count);
    const rssStart = await service.rss();

    const ceiling = `COPY (SELECT ${CLIENT_REFERRAL_CSV.map(([n, e]) => `${e} AS "${n}"`).join(', ')}
      FROM ${CLIENT_REFERRAL_FROM} WHERE r.client_id = '${clientId}' AND r.feed_day = '${DAY}'
      ORDER BY (r.rating = 'very_interested') DESC, r.score DESC, r.feed_seq) TO STDOUT WITH (FORMAT csv, HEADER true)`;
    const copyRuns: number[] = [];
    const csvRuns: number[] = [];
    const ndjsonRuns: number[] = [];
    let check = { copyLines: 0, csvLines: 0, ndjsonLines: 0 };
    for (let i = 0; i < rounds; i++) {
      const c = await timed(() => copyLines(pg, ceiling));
      const csv = await timed(() =>
        httpLines(`${base}/v1/referrals?date=${DAY}`, token, 'text/csv'),
      );
      const nd = await timed(() =>
        httpLines(`${base}/v1/referrals?date=${DAY}`, token, 'application/x-ndjson'),
      );
      copyRuns.push(count / c.seconds);
      csvRuns.push(count / csv.seconds);
      ndjsonRuns.push(count / nd.seconds);
      check = { copyLines: c.value, csvLines: csv.value, ndjsonLines: nd.value };
    }
    if (
      check.csvLines !== count + 1 ||
      check.ndjsonLines !== count ||
      check.copyLines !== count + 1
    )
      throw new Error(`feed returned the wrong number of rows: ${JSON.stringify(check)}`);
    const peak = await service.peakRss();
    const copyRate = Math.round(median(copyRuns));
    const csvRate = Math.round(median(csvRuns));
    const ndRate = Math.round(median(ndjsonRuns));
    return {
      ours: { csvReferralsPerSecond: csvRate, ndjsonReferralsPerSecond: ndRate },
      baseline: { copyReferralsPerSecond: copyRate },
      ratio: Number((Math.min(csvRate, ndRate) / copyRate).toFixed(3)),
      csvRatio: Number((csvRate / copyRate).toFixed(3)),
      ndjsonRatio: Number((ndRate / copyRate).toFixed(3)),
      unit: "referrals per second streaming one client's 100,000-referral day, the slower of CSV and NDJSON ÷ COPY of the same rows",
      goal: 0.3,
      serviceRssMb: { beforeFeeds: mb(rssStart), peak: mb(peak), goalPeakUnder: 200 },
      referrals: count,
      rounds,
    };
  } finally {
    await pg.end().catch(() => undefined);
    await service.stop();
    await db.close();
  }
}

async function clientWithKey(base: string): Promise<{ token: string; clientId: string }> {
  const post = async (path: string, body: object, auth?: string) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const { accessToken } = await post('/auth/login', BENCH_ADMIN);
  const client = await post('/clients', { name: 'Feed bench client' }, accessToken);
  const key = await post(`/clients/${client.id}/api-keys`, { name: 'bench' }, accessToken);
  return { token: key.key, clientId: client.id };
}

/** One published day of referrals, with realistic text (quotes, commas, a formula-like cell). */
async function seed(pg: Client, clientId: string, count: number): Promise<void> {
  const campaign = await pg.query<{ id: string }>(
    `INSERT INTO campaigns (client_id, name, status, caller_id) VALUES ($1, 'Feed bench', 'active', '+12125550100') RETURNING id`,
    [clientId],
  );
  const rep = await pg.query<{ id: string }>(
    `INSERT INTO sales_reps (client_id, name, email) VALUES ($1, 'Rep One', 'rep@bench.example') RETURNING id`,
    [clientId],
  );
  const caller = await pg.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, role) VALUES ('feed-caller@bench.example', 'x', 'caller') RETURNING id`,
  );
  await pg.query(
    `INSERT INTO contacts (client_id, campaign_id, phone, time_zones)
     SELECT $1, $2, '+1512' || lpad(g::text, 7, '0'), ARRAY['America/Chicago'] FROM generate_series(1, $3) g`,
    [clientId, campaign.rows[0].id, count],
  );
  await pg.query(
    `INSERT INTO referrals (client_id, campaign_id, call_id, contact_id, caller_id, rating, score, need, timeframe,
                            budget, decision_maker, employees, expecting_call, next_step, contact, status,
                            rep_id, routing_reason, published_at, feed_seq, feed_day)
     SELECT $1, $2, gen_random_uuid(), c.id, $3,
            (CASE WHEN c.id % 12 = 0 THEN 'very_interested' ELSE 'needs_work' END)::referral_rating,
            (c.id * 37) % 101,
            'Needs a quote for "rooftop solar", about ' || (c.id % 900 + 100) || ' kW, before the summer; budget approved by the CFO, wants a call this week',
            'quarter', 'likely', 'yes', c.id % 5000, true, 'quote',
            json_build_object('name', 'Dana Whitfield ' || c.id, 'title', CASE WHEN c.id % 50 = 0 THEN '=HEAD(ops)' ELSE 'Facilities Director' END,
                              'phone', c.phone, 'email', 'dana' || c.id || '@example.com', 'website', 'https://example.com',
                              'company', 'Whitfield, Logistics ' || c.id),
            'published', $4, 'bench', $5::date + time '18:00', nextval('referral_feed_seq'), $5::date
       FROM contacts c WHERE c.campaign_id = $2`,
    [clientId, campaign.rows[0].id, caller.rows[0].id, rep.rows[0].id, DAY],
  );
  await pg.query('ANALYZE referrals');
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - t) / 1000 };
}

/** Counts the lines of a stream without keeping it. */
function lineCounter(): { sink: Writable; lines: () => number } {
  let n = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      done();
    },
  });
  return { sink, lines: () => n };
}

async function copyLines(pg: Client, sql: string): Promise<number> {
  const c = lineCounter();
  await pipeline(pg.query(copyTo(sql)), c.sink);
  return c.lines();
}

async function httpLines(url: string, token: string, accept: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept } });
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status}`);
  const c = lineCounter();
  for await (const chunk of res.body) c.sink.write(Buffer.from(chunk as Uint8Array));
  return c.lines();
}
