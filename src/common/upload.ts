import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from './app-error';

/**
 * Uploads arrive as a stream, never buffered: a `text/csv` (or `text/plain`) body is handed
 * over as is, and a multipart form's `file` field is streamed from the form.
 */
export function registerUploadParsers(fastify: FastifyInstance): void {
  for (const type of ['text/csv', 'text/plain', 'application/csv', 'application/octet-stream']) {
    fastify.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
  }
}

export async function uploadStream(
  req: FastifyRequest,
): Promise<{ stream: Readable; fileName: string | null }> {
  if (req.isMultipart()) {
    for await (const part of req.parts()) {
      if (part.type === 'file' && part.fieldname === 'file')
        return { stream: part.file, fileName: part.filename || null };
      if (part.type === 'file') part.file.resume();
    }
    throw new AppError('invalid', 'The form has no file field', [
      { field: 'file', message: 'a multipart field named file is required' },
    ]);
  }
  const body = req.body as Readable | undefined;
  if (!body || typeof (body as Readable).pipe !== 'function') {
    throw new AppError(
      'invalid',
      'Send the file as a text/csv body or as the multipart field "file"',
      [{ field: 'file', message: 'expected a text/csv body or multipart/form-data' }],
    );
  }
  return { stream: body, fileName: null };
}

/** An upload read to the end into a temporary file. */
export interface SpooledUpload {
  path: string;
  size: number;
  /** Deletes the file and its folder; never fails. */
  remove(): Promise<void>;
}

/**
 * Reads a whole upload into a temporary file (in a folder of its own named `prefix…`) before any
 * work on it: a slow or stalled sender then holds a file, never a database connection or a
 * transaction. Refuses (400) a file larger than `maxBytes` and an upload cut short; leaves
 * nothing behind when it fails.
 */
export async function spoolUpload(
  body: Readable,
  opts: { maxBytes: number; prefix: string },
): Promise<SpooledUpload> {
  const dir = await mkdtemp(join(tmpdir(), opts.prefix));
  const path = join(dir, 'upload.csv');
  const remove = () => rm(dir, { recursive: true, force: true }).catch(() => undefined);
  try {
    await pipeline(body, limitBytes(opts.maxBytes), createWriteStream(path));
    return { path, size: (await stat(path)).size, remove };
  } catch (e) {
    await remove();
    if (e instanceof AppError) throw e;
    throw new AppError('invalid', 'The upload was interrupted before the file was complete');
  }
}

function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max)
        done(new AppError('invalid', `The file is larger than ${Math.round(max / 1048576)} MB`));
      else done(null, chunk);
    },
  });
}
