import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
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
