import { isIP } from 'node:net';

/**
 * Configuration, read once from the environment at boot and validated as a whole: a bad or
 * missing value stops the service with one message that names every offending variable.
 */
export interface AppConfig {
  port: number;
  /**
   * The address the service listens on (`HOST`): the loopback by default, so a development
   * machine is not reachable from its network; `0.0.0.0` (or `::`) in a container or wherever
   * other machines (a load balancer) must reach it.
   */
  host: string;
  /** Unset = an embedded PostgreSQL under ./.data/ is started by main.ts before the app. */
  databaseUrl?: string;
  embeddedPgPort: number;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  /** Unset in development = generated and kept under ./.data/ by main.ts. */
  jwtSecret?: string;
  jwtTtlSeconds: number;
  publicBaseUrl: string;
  twilio?: {
    accountSid: string;
    authToken: string;
    apiKeySid: string;
    apiKeySecret: string;
    twimlAppSid: string;
  };
  webhookAllowPrivateUrls: boolean;
  webhooks: {
    /** Whether this instance works webhook deliveries (every instance queues them). */
    deliver: boolean;
    /** Delays before each retry, in seconds; a delivery is given up after the last. */
    retrySeconds: number[];
    timeoutSeconds: number;
    /** How often an idle worker looks for due deliveries. */
    pollSeconds: number;
  };
  /** This instance's PostgreSQL pool. */
  database: {
    /** Connections at most (`DB_POOL_SIZE`). */
    poolSize: number;
    /**
     * How long a request waits for a connection (a free one, or a new one to open) before it
     * answers 503 `busy` with `Retry-After` (`DB_POOL_ACQUIRE_TIMEOUT_MS`).
     */
    acquireTimeoutMs: number;
  };
  /** Streamed answers (the client feed, the portal export): each holds a pooled connection. */
  streams: {
    /**
     * Seconds a receiver may take nothing while the answer waits for it; then the answer is
     * ended (the connection dropped) and its database connection returned.
     */
    writeTimeoutSeconds: number;
    /** Streams at once per API key (or per user, for the portal export); more answer 429. */
    perKey: number;
    /** Streams at once per client, all its keys and users together; more answer 429. */
    perClient: number;
    /** Streams at once in this instance, all clients together (less than the pool); more 503. */
    total: number;
  };
  /** pg-boss maintenance (archiving, expiry) in this instance. */
  jobMaintenance: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which proxies in front may name the client in `X-Forwarded-For`: none (`false`), the number
   * of hops (the address the nearest N proxies appended), or their addresses/CIDRs. Never
   * "every hop": the leftmost entry is written by the client.
   */
  trustProxy: TrustProxy;
  production: boolean;
  /** Seconds after hang-up within which the caller records the outcome. */
  wrapUpSeconds: number;
  /** How often the service looks for calls past their talk cap and ends them (0 = never). */
  capSweepSeconds: number;
  /**
   * Seconds past a live call's hard cap after which the same sweep asks the provider how the call
   * ended (its final status callback never came, or was lost) and applies the answer.
   */
  reconcileMarginSeconds: number;
  /**
   * Seconds after a live call's start (answer, else dial) after which the reconciliation stops
   * waiting for the provider (its API keeps failing, or it keeps reporting the call not over) and
   * closes the call itself, as the simulated phone would. At least an hour: a call is first asked
   * about only after its cap and the margin, and one failed request must not close it.
   */
  reconcileGiveUpSeconds: number;
  /**
   * Seconds after Twilio says a browser leg ended (or its `<Dial>` finished) with no dialed leg
   * known, before Twilio's REST API is asked whether one exists: the time a late callback of the
   * dialed leg has to arrive. Also the spacing of further attempts when the API fails.
   */
  parentEndGraceSeconds: number;
  /**
   * Seconds after the browser leg ended after which a call with no dialed leg known is closed
   * `failed` without Twilio's answer (its REST API kept failing); the caller is free then.
   */
  parentEndGiveUpSeconds: number;
  /** States that cap calls to one number in 24 hours, and the cap (`FL:3,OK:3,MD:3`). */
  stateDailyCallLimits: Record<string, number>;
  login: {
    /**
     * Failed attempts per account, from addresses and browsers it has never signed in from,
     * before such attempts wait out the window; also the failures allowed per account from each
     * known address or browser.
     */
    maxFailuresPerAccount: number;
    /** Failed attempts per client address (unknown to the account tried) before it waits. */
    maxFailuresPerAddress: number;
    /** The counting window, and the longest wait. */
    windowSeconds: number;
    /** Days an address or browser stays known to an account after its last successful sign-in. */
    knownDays: number;
  };
}

/** `TRUST_PROXY`: no proxy, a hop count, or the proxies' addresses and CIDRs. */
export type TrustProxy = false | number | string[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TWILIO_VARS = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SID',
  'TWILIO_API_KEY_SECRET',
  'TWILIO_TWIML_APP_SID',
] as const;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be a ${protocols.join(' or ')}// URL (got "${redact(raw)}")`);
      return undefined;
    }
  };

  const production = str('NODE_ENV') === 'production';
  const port = int('PORT', 3000, 1, 65535);
  const host = str('HOST') ?? '127.0.0.1';
  if (
    isIP(host) === 0 &&
    !/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      host,
    )
  ) {
    problems.push(`HOST must be an IP address or a host name, e.g. 0.0.0.0 (got "${host}")`);
  }
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const embeddedPgPort = int('EMBEDDED_PG_PORT', 54329, 1024, 65535);
  if (embeddedPgPort === 5432)
    problems.push('EMBEDDED_PG_PORT must not be 5432 (kept for a real server)');

  const adminEmail = str('ADMIN_EMAIL');
  const adminPassword = str('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    problems.push(`ADMIN_EMAIL must be an email address (got "${adminEmail}")`);
  }
  if (adminPassword !== undefined && adminPassword.length < 8) {
    problems.push('ADMIN_PASSWORD must be at least 8 characters');
  }

  const jwtSecret = str('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters');
  }
  if (jwtSecret === undefined && production) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }

  const twilioSet = TWILIO_VARS.filter((n) => str(n) !== undefined);
  let twilio: AppConfig['twilio'];
  if (twilioSet.length > 0 && twilioSet.length < TWILIO_VARS.length) {
    const missing = TWILIO_VARS.filter((n) => !twilioSet.includes(n));
    problems.push(
      `Twilio is partly configured: set all of ${TWILIO_VARS.join(', ')} or none (missing: ${missing.join(', ')})`,
    );
  } else if (twilioSet.length === TWILIO_VARS.length) {
    twilio = {
      accountSid: str('TWILIO_ACCOUNT_SID')!,
      authToken: str('TWILIO_AUTH_TOKEN')!,
      apiKeySid: str('TWILIO_API_KEY_SID')!,
      apiKeySecret: str('TWILIO_API_KEY_SECRET')!,
      twimlAppSid: str('TWILIO_TWIML_APP_SID')!,
    };
  }

  const logLevel = (str('LOG_LEVEL') ?? 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const poolSize = int('DB_POOL_SIZE', 10, 2, 1000);
  // Streams alone never take the whole pool: sign-in, claims and health keep connections.
  const streamsTotal = int('STREAMS_MAX', Math.max(1, Math.floor(poolSize / 2)), 1, 1000);
  if (streamsTotal >= poolSize) {
    problems.push(
      `STREAMS_MAX must be less than DB_POOL_SIZE (${poolSize}) (got "${streamsTotal}")`,
    );
  }

  const config: AppConfig = {
    port,
    host,
    databaseUrl,
    embeddedPgPort,
    dataDir: str('DATA_DIR') ?? '.data',
    adminEmail: adminEmail?.toLowerCase(),
    adminPassword,
    jwtSecret,
    jwtTtlSeconds: int('JWT_TTL_SECONDS', 12 * 3600, 60, 7 * 24 * 3600),
    publicBaseUrl: (
      url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`
    ).replace(/\/+$/, ''),
    twilio,
    webhookAllowPrivateUrls: bool('WEBHOOK_ALLOW_PRIVATE_URLS', false),
    webhooks: {
      deliver: bool('WEBHOOK_DELIVERY', true),
      retrySeconds: retrySchedule(
        str('WEBHOOK_RETRY_SECONDS') ?? '5,300,1800,7200,18000,36000,36000',
        problems,
      ),
      timeoutSeconds: int('WEBHOOK_TIMEOUT_SECONDS', 15, 1, 120),
      pollSeconds: int('WEBHOOK_POLL_SECONDS', 2, 1, 60),
    },
    jobMaintenance: bool('JOB_MAINTENANCE', true),
    database: { poolSize, acquireTimeoutMs: int('DB_POOL_ACQUIRE_TIMEOUT_MS', 5000, 100, 120_000) },
    streams: {
      writeTimeoutSeconds: int('STREAM_WRITE_TIMEOUT_SECONDS', 30, 1, 3600),
      perKey: int('STREAMS_PER_KEY', 2, 1, 1000),
      perClient: int('STREAMS_PER_CLIENT', 4, 1, 1000),
      total: streamsTotal,
    },
    logLevel,
    trustProxy: trustProxy(str('TRUST_PROXY'), problems),
    production,
    wrapUpSeconds: int('WRAP_UP_SECONDS', 120, 10, 3600),
    capSweepSeconds: int('CAP_SWEEP_SECONDS', 2, 0, 60),
    reconcileMarginSeconds: int('RECONCILE_MARGIN_SECONDS', 60, 10, 3600),
    reconcileGiveUpSeconds: int('RECONCILE_GIVE_UP_SECONDS', 6 * 3600, 3600, 7 * 24 * 3600),
    parentEndGraceSeconds: int('PARENT_END_GRACE_SECONDS', 5, 0, 60),
    parentEndGiveUpSeconds: int('PARENT_END_GIVE_UP_SECONDS', 30, 1, 3600),
    stateDailyCallLimits: stateLimits(str('STATE_DAILY_CALL_LIMITS') ?? 'FL:3,OK:3,MD:3', problems),
    login: {
      maxFailuresPerAccount: int('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
      maxFailuresPerAddress: int('LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100000),
      windowSeconds: int('LOGIN_LOCK_SECONDS', 15 * 60, 1, 24 * 3600),
      knownDays: int('LOGIN_KNOWN_DAYS', 90, 1, 3650),
    },
  };
  if (config.parentEndGiveUpSeconds <= config.parentEndGraceSeconds) {
    problems.push('PARENT_END_GIVE_UP_SECONDS must be more than PARENT_END_GRACE_SECONDS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function retrySchedule(raw: string, problems: string[]): number[] {
  const out = raw.split(',').map((x) => Number(x.trim()));
  if (
    out.length === 0 ||
    out.length > 20 ||
    out.some((n) => !Number.isFinite(n) || n < 0 || n > 7 * 86400)
  ) {
    problems.push(
      `WEBHOOK_RETRY_SECONDS must list up to 20 delays in seconds, 0 to 604800 (got "${raw}")`,
    );
    return [5, 300, 1800, 7200, 18000, 36000, 36000];
  }
  return out;
}

function stateLimits(raw: string, problems: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{2}):(\d{1,3})$/.exec(part);
    if (!m || Number(m[2]) < 1) {
      problems.push(`STATE_DAILY_CALL_LIMITS must look like FL:3,OK:3 (got "${part}")`);
      continue;
    }
    out[m[1].toUpperCase()] = Number(m[2]);
  }
  return out;
}

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `false`/`0`/unset = no proxy; `1`…`10` = hops; else a comma-separated list of proxy addresses,
 * CIDRs (IPv4 /8 or narrower, IPv6 /7 or narrower) and the keywords `loopback`, `linklocal`,
 * `uniquelocal`. `true` (once "trust every hop", which let any client name its own address) is
 * refused.
 */
function trustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined || ['false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes'].includes(raw.toLowerCase())) {
    problems.push(
      'TRUST_PROXY=true is no longer accepted (it trusted every hop, so any client could name its own address): ' +
        'set the number of proxies in front of the service (e.g. TRUST_PROXY=1) or their addresses/CIDRs',
    );
    return false;
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) problems.push(`TRUST_PROXY must be a hop count from 1 to 10 (got "${raw}")`);
    return hops <= 10 ? hops : false;
  }
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !PROXY_KEYWORDS.includes(e) && !isProxyCidr(e));
  if (entries.length === 0 || bad.length > 0) {
    problems.push(
      'TRUST_PROXY must be false, a hop count (1-10) or a comma-separated list of proxy addresses, ' +
        `CIDRs (IPv4 /8 or narrower, IPv6 /7 or narrower), loopback, linklocal, uniquelocal (bad: "${bad.join(', ') || raw}")`,
    );
    return false;
  }
  return entries;
}

function isProxyCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  return family === 4 ? bits >= 8 && bits <= 32 : bits >= 7 && bits <= 128;
}

function redact(raw: string): string {
  return raw.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
