import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import { registerCompression } from './common/compression';
import { createLogger, PinoNestLogger } from './common/logger';
import {
  frameworkErrorReply,
  registerBodyChecks,
  registerJsonParser,
} from './common/request-bodies';
import { registerSecurityHeaders } from './common/security-headers';
import { registerUploadParsers } from './common/upload';
import { registerWebPages } from './common/web-pages';
import type { AppConfig } from './config/app-config';
import { runMigrations } from './database/data-source';
import { MAX_IMPORT_BYTES } from './campaigns/imports.service';
import multipart from '@fastify/multipart';
import { parseForm } from './calls/telephony/webhook-params';

/**
 * Builds the service (used by main.ts, the tests and the benchmarks alike): runs pending
 * migrations, then assembles Nest on Fastify with JSON logs and the OpenAPI document.
 */
export async function createApp(
  config: AppConfig,
  options: {
    clock?: Clock;
    logger?: Logger;
    /** The HTTP client of the Twilio REST client (tests pass a fake: no network). */
    twilioHttpClient?: unknown;
  } = {},
): Promise<NestFastifyApplication> {
  if (!config.databaseUrl) throw new Error('createApp needs config.databaseUrl');
  if (!config.jwtSecret) throw new Error('createApp needs config.jwtSecret');
  const logger = options.logger ?? createLogger(config.logLevel);
  const ran = await runMigrations(config.databaseUrl);
  if (ran.length > 0) logger.info({ migrations: ran }, 'migrations applied');

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path that is not valid UTF-8 (a lone surrogate, %00 bytes) answered in the API's error shape.
    frameworkErrors: frameworkErrorReply,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, options.clock, options.twilioHttpClient),
    adapter,
    {
      logger: new PinoNestLogger(logger),
    },
  );

  const fastify = app.getHttpAdapter().getInstance();
  // CSP, no framing, nosniff, Referrer-Policy, HSTS over https: on every response, by route.
  registerSecurityHeaders(fastify, config.publicBaseUrl);
  // Uploads (contact lists, do-not-call files) are streamed: CSV bodies as is, forms through multipart.
  registerUploadParsers(fastify);
  // A body of a type its route does not take: 415 before it is read.
  registerBodyChecks(fastify);
  // Large answers (reports by day, lists) gzipped for clients that take it.
  registerCompression(fastify);
  await app.register(multipart as unknown as Parameters<typeof app.register>[0], {
    limits: { fileSize: MAX_IMPORT_BYTES, files: 1 },
  });

  await registerWebPages(app);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Referral Desk API')
      .setDescription(
        'Campaigns, callers, referrals and client feeds of an outsourced referral-generation agency. ' +
          'Staff and client users sign in at POST /auth/login; client systems use an API key. ' +
          'Both go in `Authorization: Bearer <token>`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  // Forms are only Twilio's webhooks: parsed flat, exactly as posted, so the signature can be
  // checked over them (in place of Nest's extended parser, registered by init()).
  fastify.removeContentTypeParser('application/x-www-form-urlencoded');
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => done(null, parseForm(body as string)),
  );
  // JSON bodies bounded in depth, values and bytes as they arrive, before parsing and validation.
  registerJsonParser(fastify);
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
