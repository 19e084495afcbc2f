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

const PAGES: Record<string, string> = {
  '/console': 'console.html',
  '/manage': 'manage.html',
  '/portal': 'portal.html',
};

/**
 * The pages, served as static files: HTML and CSS from `web/public`, the compiled scripts from
 * `dist/web` (`npm run build` makes them). No page holds data: they fetch it with the signed-in
 * user's token, under the same guard as every API route.
 */
export async function registerWebPages(app: NestFastifyApplication): Promise<void> {
  const root = projectRoot();
  const publicDir = join(root, 'web', 'public');
  const scripts = join(root, 'dist', 'web');
  await app.register(fastifyStatic as never, { root: publicDir, prefix: '/assets/', index: false });
  if (existsSync(scripts)) {
    await app.register(fastifyStatic as never, {
      root: scripts,
      prefix: '/js/',
      decorateReply: false,
      index: false,
    });
  }
  const fastify = app.getHttpAdapter().getInstance();
  for (const [path, file] of Object.entries(PAGES)) {
    fastify.get(path, (_req, reply) =>
      reply.type('text/html; charset=utf-8').sendFile(file, publicDir),
    );
  }
  fastify.get('/', (_req, reply) => reply.redirect('/console'));
}
