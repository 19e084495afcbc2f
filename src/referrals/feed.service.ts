import { Injectable } from '@nestjs/common';
import { to as copyTo } from 'pg-copy-streams';
import { Transform, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { pgPool } from '../database/pg-pool';
import { CLIENT_REFERRAL_CSV, CLIENT_REFERRAL_FROM, CLIENT_REFERRAL_JSON } from './referral-view';

export type FeedFormat = 'json' | 'csv' | 'ndjson';

export interface FeedStream {
  stream: Readable;
  contentType: string;
  nextCursor: string | null;
}

const CURSOR_PREFIX = 'v1.';

/** The opaque cursor: a position in the client's publication order. */
export function encodeCursor(seq: string): string {
  return Buffer.from(CURSOR_PREFIX + seq).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString();
  if (!raw.startsWith(CURSOR_PREFIX) || !/^\d{1,18}$/.test(raw.slice(CURSOR_PREFIX.length))) {
    throw new AppError('invalid', 'The cursor is not one this service gave out', [
      { field: 'since', message: 'use the nextCursor of an earlier answer' },
    ]);
  }
  return raw.slice(CURSOR_PREFIX.length);
}

/**
 * The client's referral feed, streamed from PostgreSQL with `COPY … TO STDOUT` (constant memory,
 * no row objects in Node): by day (the client's own calendar day, hot first, then by score) or
 * after a cursor (publication order). Publications of one client commit in feed order (they
 * take a per-client lock), so the cursor never skips a referral that commits later.
 */
@Injectable()
export class FeedService {
  constructor(private readonly db: DataSource) {}

  async open(
    clientId: string,
    q: { date?: string; since?: string; limit?: number },
    format: FeedFormat,
  ): Promise<FeedStream> {
    if (q.date && q.since) {
      throw new AppError('invalid', 'Ask for a date or a cursor, not both', [
        { field: 'since', message: 'not with date' },
      ]);
    }
    // Date.parse rolls 2026-02-30 over to March 2: a real day reads back as itself.
    const day = q.date ? new Date(`${q.date}T00:00:00Z`) : null;
    if (
      q.date &&
      (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== q.date)
    ) {
      throw new AppError('invalid', 'Not a calendar date', [
        { field: 'date', message: 'must be a real YYYY-MM-DD date' },
      ]);
    }
    const client = await pgPool(this.db).connect();
    try {
      const lit = (v: string) => client.escapeLiteral(v);
      let where: string;
      let order: string;
      let next: string | null;
      if (q.date) {
        where = `r.client_id = ${lit(clientId)} AND r.feed_day = ${lit(q.date)}::date AND r.status = 'published'`;
        order = `(r.rating = 'very_interested') DESC, r.score DESC, r.feed_seq`;
        const { rows } = await client.query<{ max: string | null }>(
          `SELECT max(r.feed_seq)::text AS max FROM referrals r WHERE ${where}`,
        );
        next = rows[0].max;
        // The rows are read by a second statement: one published meanwhile waits for the next
        // pull after the cursor, so an answer never holds a row beyond its own cursor.
        where += next === null ? ' AND false' : ` AND r.feed_seq <= ${next}`;
      } else {
        const after = q.since ? decodeCursor(q.since) : '0';
        const limit = q.limit ?? 100;
        const { rows } = await client.query<{ max: string | null }>(
          `SELECT max(feed_seq)::text AS max FROM (
             SELECT feed_seq FROM referrals WHERE client_id = $1 AND feed_seq > $2 ORDER BY feed_seq LIMIT $3) w`,
          [clientId, after, limit],
        );
        const upTo = rows[0].max;
        where = `r.client_id = ${lit(clientId)} AND r.feed_seq > ${after} AND r.feed_seq <= ${upTo ?? after}`;
        order = 'r.feed_seq';
        next = upTo ?? after;
      }
      const nextCursor = next === null ? null : encodeCursor(next);
      const select =
        format === 'csv'
          ? `SELECT ${CLIENT_REFERRAL_CSV.map(([name, expr]) => `${expr} AS "${name}"`).join(', ')}`
          : `SELECT ${CLIENT_REFERRAL_JSON}::text`;
      // CSV: PostgreSQL's RFC 4180 quoting. JSON lines: CSV mode with a quote and delimiter that
      // JSON text never contains (control characters are escaped in JSON), so lines pass as is.
      const options =
        format === 'csv'
          ? 'FORMAT csv, HEADER true'
          : `FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'`;
      const copy = client.query(
        copyTo(
          `COPY (${select} FROM ${CLIENT_REFERRAL_FROM} WHERE ${where} ORDER BY ${order}) TO STDOUT WITH (${options})`,
        ),
      );
      let released = false;
      const release = (err?: Error) => {
        if (released) return;
        released = true;
        client.release(err);
      };
      copy.on('end', () => release());
      copy.on('error', (e: Error) => release(e));
      const out = format === 'json' ? copy.pipe(jsonArray(nextCursor)) : copy;
      out.on('close', () => {
        // The receiver went away mid-stream: stop the COPY and drop the connection.
        if (!released) {
          copy.destroy();
          release(new Error('feed stream closed early'));
        }
      });
      return {
        stream: out,
        contentType:
          format === 'csv'
            ? 'text/csv; charset=utf-8'
            : format === 'ndjson'
              ? 'application/x-ndjson; charset=utf-8'
              : 'application/json; charset=utf-8',
        nextCursor,
      };
    } catch (e) {
      client.release();
      throw e;
    }
  }
}

/** JSON lines → `{"data":[…],"nextCursor":…}`, streaming (newlines become commas). */
function jsonArray(nextCursor: string | null): Transform {
  let started = false;
  let pendingComma = false;
  const decoder = new StringDecoder('utf8');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let text = decoder.write(chunk);
      let out = started ? '' : '{"data":[';
      started = true;
      if (pendingComma && text.length) out += ',';
      pendingComma = text.endsWith('\n');
      if (pendingComma) text = text.slice(0, -1);
      out += text.replace(/\n/g, ',');
      done(null, out);
    },
    flush(done) {
      done(null, (started ? '' : '{"data":[') + `],"nextCursor":${JSON.stringify(nextCursor)}}`);
    },
  });
}
