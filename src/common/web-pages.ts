import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project folder (the one with package.json), from wherever this file was compiled to. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the console loads the Voice SDK from. */
export const VOICE_SDK_PATH = '/vendor/twilio.min.js';

/** Pages still served as static HTML from `web/public` (the console is built by Vite). */
const PAGES: Record<string, string> = {
  '/manage': 'manage.html',
  '/portal': 'portal.html',
};

/** Where Vite writes the pages it builds (`npm run build`), served under `/app/`. */
const APP_PREFIX = '/app/';

/**
 * The pages, served as static files: HTML and CSS from `web/public`, the compiled scripts from
 * `dist/web` (`npm run build` makes them), and the Voice SDK's browser build. No page holds
 * data: they fetch it with the signed-in user's token, under the same guard as every API route.
 */
export async function registerWebPages(app: NestFastifyApplication): Promise<void> {
  const root = projectRoot();
  const publicDir = join(root, 'web', 'public');
  const scripts = join(root, 'dist', 'web');
  await app.register(fastifyStatic as never, {
    root: publicDir,
    prefix: '/assets/',
    index: false,
    allowedPath: noSourceMaps,
  });
  if (existsSync(scripts)) {
    await app.register(fastifyStatic as never, {
      root: scripts,
      prefix: '/js/',
      decorateReply: false,
      index: false,
      allowedPath: noSourceMaps,
    });
  }
  const built = join(root, 'dist', 'app');
  if (existsSync(built)) {
    await app.register(fastifyStatic as never, {
      root: built,
      prefix: APP_PREFIX,
      decorateReply: false,
      index: false,
      allowedPath: noSourceMaps,
    });
  }
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/console', (_req, reply) => {
    if (!existsSync(join(built, 'console.html'))) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built yet: run `npm run build`.');
    }
    return reply.type('text/html; charset=utf-8').sendFile('console.html', built);
  });
  for (const [path, file] of Object.entries(PAGES)) {
    fastify.get(path, (_req, reply) =>
      reply.type('text/html; charset=utf-8').sendFile(file, publicDir),
    );
  }
  fastify.get('/', (_req, reply) => reply.redirect('/console'));
  // The Twilio Voice SDK's browser build (it is on no CDN), for the console in twilio mode.
  const sdk = voiceSdkDist();
  if (sdk) {
    fastify.get(VOICE_SDK_PATH, (_req, reply) => reply.sendFile('twilio.min.js', sdk));
  }
}

/**
 * Source maps are never served (404), even when a build left some beside the scripts: they
 * would hand anyone the pages' source. The production builds make none (web/vite.config.mts,
 * web/tsconfig.json).
 */
function noSourceMaps(pathName: string): boolean {
  return !pathName.toLowerCase().endsWith('.map');
}

/**
 * The `dist/` folder of the installed `@twilio/voice-sdk` (its `exports` block deep paths, so
 * from the package's main entry, `es5/twilio.js`), or null when it is not installed.
 */
function voiceSdkDist(): string | null {
  try {
    const dir = join(dirname(require.resolve('@twilio/voice-sdk')), '..', 'dist');
    return existsSync(join(dir, 'twilio.min.js')) ? dir : null;
  } catch {
    return null;
  }
}
