import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from './app.factory';
import { createLogger } from './common/logger';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';

/**
 * Resolves what a bare machine lacks: with no DATABASE_URL an embedded PostgreSQL under
 * ./.data/; with no JWT_SECRET (outside production) a secret generated once and kept there;
 * with no ADMIN_EMAIL a first admin whose password is generated and shown once in the log.
 */
export async function prepareEnvironment(
  config: AppConfig,
  log: (msg: string) => void,
): Promise<{ config: AppConfig; embedded?: EmbeddedDatabase }> {
  let embedded: EmbeddedDatabase | undefined;
  const resolved = { ...config };
  await mkdir(config.dataDir, { recursive: true, mode: 0o711 });
  if (!resolved.databaseUrl) {
    log(`DATABASE_URL not set: starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort}`);
    embedded = await startEmbeddedPostgres({
      dir: join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      database: 'referral_desk',
    });
    resolved.databaseUrl = embedded.url;
  }
  if (!resolved.jwtSecret) {
    resolved.jwtSecret = await readOrCreateSecret(join(config.dataDir, 'jwt-secret'), () =>
      randomBytes(48).toString('base64url'),
    );
  }
  if (!resolved.adminEmail && !config.production) {
    const file = join(config.dataDir, 'admin-password');
    const fresh = !existsSync(file);
    resolved.adminEmail = 'admin@example.com';
    resolved.adminPassword = await readOrCreateSecret(file, () =>
      randomBytes(12).toString('base64url'),
    );
    if (fresh) {
      log(
        `ADMIN_EMAIL not set: first admin is ${resolved.adminEmail} with password ${resolved.adminPassword} ` +
          `(kept in ${file}; set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own)`,
      );
    }
  }
  return { config: resolved, embedded };
}

async function readOrCreateSecret(file: string, make: () => string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const value = make();
  await writeFile(file, value + '\n', { mode: 0o600 });
  return value;
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const { config: resolved, embedded } = await prepareEnvironment(config, (m) => logger.info(m));
  const app = await createApp(resolved, { logger });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: resolved.port, host: resolved.host });
  const where = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  logger.info(`listening on http://${where}:${resolved.port} (docs at /docs)`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`Failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
