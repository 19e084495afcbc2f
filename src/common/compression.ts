import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const gzipAsync = promisify(gzip);

/** Answers smaller than this go as they are (compressing them saves less than it costs). */
export const COMPRESS_FROM_BYTES = 32 * 1024;

/**
 * Whether an Accept-Encoding header takes gzip: named (or `*`) without `q=0`.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star = false;
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    const allowed = !q || Number(q[1]) > 0;
    if (name === 'gzip') return allowed;
    if (name === '*') star = allowed;
  }
  return star;
}

/**
 * Gzips large answers (a report by day over two years is about 380 KB of JSON, 13 KB gzipped)
 * for clients that accept it, off the event loop (zlib's thread pool, level 3: the bytes saved
 * cost less than writing them). Streams (the feeds, CSV exports streamed from the database) and
 * answers already encoded are left alone; every answer that could be compressed says
 * `Vary: Accept-Encoding`.
 */
export function registerCompression(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    if (reply.hasHeader('content-encoding')) return payload;
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size < COMPRESS_FROM_BYTES) return payload;
    void reply.header('vary', 'accept-encoding');
    if (request.method === 'HEAD' || !acceptsGzip(request.headers['accept-encoding'])) {
      return payload;
    }
    const body = await gzipAsync(payload, { level: 3 });
    void reply.header('content-encoding', 'gzip');
    reply.removeHeader('content-length');
    return body;
  });
}
