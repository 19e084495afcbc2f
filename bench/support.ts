import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { freePort } from '../src/common/free-port';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { isOpenIn } from '../src/campaigns/calling-hours';
import { createLogger } from '../src/common/logger';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

/** The service on a database, listening on a free port of 127.0.0.1, with logs off. */
export async function benchApp(
  databaseUrl: string,
  overrides: Partial<AppConfig> = {},
): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createApp(
    {
      ...loadConfig({}),
      ...overrides,
      databaseUrl,
      jwtSecret: 'bench-secret-bench-secret-bench-secret',
      adminEmail: BENCH_ADMIN.email,
      adminPassword: BENCH_ADMIN.password,
      logLevel: 'silent',
    },
    { logger: createLogger('silent') },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: await app.getUrl() };
}

/**
 * The service as its own process (`dist/src/main.js`), so that its memory (VmRSS, and VmHWM for
 * the peak) is the service's alone, not the benchmark's.
 */
export async function serviceProcess(databaseUrl: string): Promise<{
  base: string;
  rss: () => Promise<number>;
  peakRss: () => Promise<number>;
  stop: () => Promise<void>;
}> {
  const port = await freePort();
  const service = spawn(process.execPath, [join(__dirname, '../src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      LOG_LEVEL: 'silent',
      WEBHOOK_DELIVERY: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (service.exitCode !== null) return;
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/health`);
  } catch (e) {
    await stop();
    throw e;
  }
  const field = async (name: string) => {
    const status = await readFile(`/proc/${service.pid}/status`, 'utf8');
    const kb = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return kb ? Number(kb[1]) * 1024 : 0;
  };
  return { base, rss: () => field('VmRSS'), peakRss: () => field('VmHWM'), stop };
}

async function waitFor(url: string): Promise<void> {
  for (let t = 0; t < 600; t++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/**
 * A keep-alive JSON client for the measured loops of a benchmark. It does what `fetch` does here
 * for about a third of the CPU (measured: 1.7 against 2.9 ms a request with 64 in flight),
 * and on a 2-core machine the client's CPU is taken from the service and PostgreSQL under test.
 */
export function jsonClient(base: string, sockets = 128) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(base);
  const send = (
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: {
            ...(data === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
              });
            } catch (e) {
              reject(e as Error);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { send, close: () => agent.destroy() };
}

export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Zones around the globe: whatever the hour, one of them is inside calling hours. */
const WORLD_ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Pacific/Honolulu',
  'Asia/Tokyo',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
];

/** A zone whose local time is between 09:00 and 20:00 now, so that a run with the real clock can call. */
export function anOpenZone(now = new Date()): string {
  return (
    WORLD_ZONES.find((z) => isOpenIn(z, { start: '09:00', end: '20:00' }, now)) ?? WORLD_ZONES[0]
  );
}

/** A throwaway database for one benchmark: on DATABASE_URL's server when set, else an embedded one. */
export async function benchDatabase(): Promise<{ url: string; close: () => Promise<void> }> {
  const name = `rd_bench_${process.pid}_${Date.now()}`;
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'rd-bench-pg-'));
    await chmod(dir, 0o711);
    const db = await startEmbeddedPostgres({
      dir,
      port: await freePort(),
      database: 'postgres',
      persistent: false,
    });
    adminUrl = db.adminUrl;
    stopServer = async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    close: async () => {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await stopServer();
    },
  };
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** A bounded load on 127.0.0.1: fixed connections for a fixed time. */
export async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections = 10,
): Promise<LoadFigures> {
  const r = await autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
