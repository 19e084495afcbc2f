import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { ErrorBody } from './error-body';
import { genericCode } from './error-codes';

/**
 * What a request body may be, checked as its bytes arrive and before anything parses or validates
 * it: a JSON body is refused (400) as soon as it nests deeper than MAX_JSON_DEPTH or holds more than
 * MAX_JSON_ITEMS values, so a hostile body costs a scan of its bytes up to that point, never a
 * parse of all of it nor a validation (which recursed until the stack ran out).
 */
export const MAX_JSON_DEPTH = 32;
/**
 * Members and elements of a JSON body, all levels counted (the largest real body, a campaign with
 * 500 callers, 20 pitches and 20 offers, holds under 1,000).
 */
export const MAX_JSON_ITEMS = 5_000;
/** Bytes of a JSON body (a 50,000-character script fits several times over). */
export const MAX_JSON_BYTES = 1024 * 1024;

/** The kinds of body a route takes. Every route takes JSON unless it says otherwise. */
export type BodyKind = 'json' | 'upload' | 'form';

const MEDIA_TYPES: Record<BodyKind, readonly string[]> = {
  json: ['application/json'],
  upload: [
    'text/csv',
    'text/plain',
    'application/csv',
    'application/octet-stream',
    'multipart/form-data',
  ],
  form: ['application/x-www-form-urlencoded'],
};

/** The route config key (Fastify's `routeOptions.config`) that names a route's body kind. */
const BODY_KIND = 'bodyKind';

/**
 * Sets a route's body kind in its Fastify route config, merged into what other decorators put there
 * (Nest's `@RouteConfig()` replaces the whole config: put it below this one, if at all).
 */
function markBodyKind(handler: object, kind: BodyKind): void {
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
  Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [BODY_KIND]: kind }, handler);
}

/** A route that takes a file: a CSV body (text/csv, text/plain, octet-stream) or a multipart form. */
export function TakesUpload(): MethodDecorator {
  return (target, key, descriptor) => {
    markBodyKind(descriptor.value as object, 'upload');
    ApiConsumes('text/csv', 'multipart/form-data')(target, key, descriptor);
  };
}

/** A controller whose routes take URL-encoded forms only (the phone provider's webhooks). */
export function TakesForms(): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name !== 'constructor' && typeof handler === 'function') markBodyKind(handler, 'form');
    }
  };
}

function bodyKindOf(req: FastifyRequest): BodyKind {
  const config = req.routeOptions.config as { [BODY_KIND]?: BodyKind } | undefined;
  return config?.[BODY_KIND] ?? 'json';
}

function hasBody(req: FastifyRequest): boolean {
  const h = req.headers;
  return (
    h['transfer-encoding'] !== undefined ||
    (h['content-length'] !== undefined && h['content-length'] !== '0')
  );
}

function mediaTypeOf(req: FastifyRequest): string | undefined {
  const header = req.headers['content-type'];
  return header === undefined ? undefined : header.split(';', 1)[0].trim().toLowerCase();
}

/**
 * Registers the checks on request bodies; call before `app.init()` (hooks apply to the routes
 * registered after them), and `registerJsonParser` after it.
 * - A body of a media type the route does not take answers 415 before it is read (a route without
 *   a body takes an empty one of any type).
 * - A route that does not take uploads never sees the stream an upload parser hands over (an empty
 *   text/csv or octet-stream body to `POST /calls/:id/dial` is no body at all).
 */
export function registerBodyChecks(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (req, reply, payload, done) => {
    // Fastify reads no body of a GET or HEAD, whatever it says it is.
    if (req.is404 || req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) {
      return done(null, payload);
    }
    const type = mediaTypeOf(req);
    // No Content-Type with a body: Fastify answers 415 itself.
    if (type === undefined) return done(null, payload);
    const kind = bodyKindOf(req);
    if (MEDIA_TYPES[kind].includes(type)) return done(null, payload);
    // The body is never read: the connection cannot carry another request after it.
    void reply.header('connection', 'close');
    done(
      new UnsupportedMediaTypeException({
        message: `This route takes ${MEDIA_TYPES[kind].join(', ')}, not ${type}`,
        details: [],
      }),
    );
  });
  fastify.addHook('preValidation', (req, _reply, done) => {
    const body = req.body as Readable | undefined;
    if (body && typeof body.pipe === 'function' && bodyKindOf(req) !== 'upload') {
      body.resume();
      req.body = undefined;
    }
    done();
  });
}

/**
 * Tracks where a JSON text is (inside a string or not, how deep, how many values) one byte at a
 * time, across chunks. Structural characters are ASCII, never part of a UTF-8 multi-byte sequence,
 * so the bytes need no decoding.
 */
export class JsonShapeScanner {
  private depth = 0;
  private items = 0;
  private inString = false;
  private escaped = false;
  /** Whether the innermost container has no value yet: its first value counts, then each comma. */
  private pending = false;

  constructor(
    private readonly maxDepth = MAX_JSON_DEPTH,
    private readonly maxItems = MAX_JSON_ITEMS,
  ) {}

  /** Scans the next bytes; answers why the body is refused, or null while it is within bounds. */
  scan(chunk: Buffer): string | null {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      switch (c) {
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          continue;
        case 0x5b: // [
        case 0x7b: // {
          if (this.pending && ++this.items > this.maxItems) return this.tooWide();
          if (++this.depth > this.maxDepth) {
            return `The JSON body is nested deeper than ${this.maxDepth} levels`;
          }
          this.pending = true;
          continue;
        case 0x5d: // ]
        case 0x7d: // }
          this.depth--;
          this.pending = false;
          continue;
        case 0x2c: // ,
          if (++this.items > this.maxItems) return this.tooWide();
          this.pending = false;
          continue;
        case 0x22: // "
          this.inString = true;
          break;
      }
      // The first value (or key) of a container.
      if (this.pending) {
        if (++this.items > this.maxItems) return this.tooWide();
        this.pending = false;
      }
    }
    return null;
  }

  private tooWide(): string {
    return `The JSON body holds more than ${this.maxItems} values`;
  }
}

/**
 * Replaces the JSON parser Nest registers at `app.init()` (call after it): the body is read as a
 * stream and scanned as it arrives (JsonShapeScanner), refused at the first byte past a bound, then
 * parsed by Fastify's own parser (secure-json-parse: `__proto__` and `constructor.prototype` keys
 * refused). An empty body is no body (a route without one, such as dial, takes it).
 */
export function registerJsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (req, payload, done) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_JSON_BYTES) return done(tooLarge(), undefined);
    const scanner = new JsonShapeScanner();
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (err: Error | null) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      if (err) done(err, undefined);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_JSON_BYTES) return stop(tooLarge());
      const refused = scanner.scan(chunk);
      if (refused) return stop(new BadRequestException({ message: refused, details: [] }));
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop(null);
      if (!Number.isNaN(declared) && received !== declared) {
        return done(
          new BadRequestException({
            message: 'The body is not as long as its Content-Length says',
            details: [],
          }),
          undefined,
        );
      }
      if (received === 0) return done(null, undefined);
      void parseJson(req, Buffer.concat(chunks, received).toString('utf8'), done);
    };
    const onError = (err: Error) => {
      stop(
        err instanceof Error && 'statusCode' in err
          ? err
          : new BadRequestException({ message: 'The body could not be read', details: [] }),
      );
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

function tooLarge(): PayloadTooLargeException {
  return new PayloadTooLargeException({
    message: `A JSON body is at most ${MAX_JSON_BYTES} bytes`,
    details: [],
  });
}

/**
 * Fastify's own refusals of a request it cannot route (a path that is not valid percent-encoded
 * UTF-8, an over-long parameter), in the shape of every other error body.
 */
export function frameworkErrorReply(
  error: { statusCode?: number; message: string },
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  const statusCode = error.statusCode ?? 400;
  const body: ErrorBody = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code: genericCode(statusCode),
    message: error.message,
    details: [],
  };
  void reply.status(statusCode).type('application/json; charset=utf-8').send(body);
}
