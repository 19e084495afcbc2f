import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from './app-error';

/** Seconds a stream refused for want of a slot is asked to wait (`Retry-After`). */
export const STREAM_RETRY_AFTER_SECONDS = 5;

/** Who holds a stream: its client, and the API key (or user) that asked. */
export interface StreamHolder {
  clientId: string;
  /** `key:<id>` or `user:<id>`: the unit of `STREAMS_PER_KEY`. */
  holderId: string;
}

/**
 * Streamed answers (the client feed, the portal export) each hold a pooled database connection
 * until the receiver has read them, so they are bounded: so many at once per API key (or user),
 * per client, and in the instance (fewer than the pool, so sign-in, claims and `/health` always
 * find a connection); and an answer its receiver stops reading is ended after
 * `STREAM_WRITE_TIMEOUT_SECONDS`, which returns its connection. The counts are this instance's
 * (each instance has its own pool).
 */
@Injectable()
export class StreamLimiter {
  private readonly perHolder = new Map<string, number>();
  private readonly perClient = new Map<string, number>();
  private total = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Takes a stream slot for the reply (429 past the key's or the client's cap, 503 `busy` past the
   * instance's), then opens the stream; the slot is given back when the reply closes (sent, ended
   * for a stalled receiver, or dropped by the client) or when opening fails.
   */
  async open<T>(reply: FastifyReply, holder: StreamHolder, open: () => Promise<T>): Promise<T> {
    const release = this.take(holder);
    reply.raw.once('close', release);
    // Gone before this request got here: its close has passed (what follows sends nothing).
    if (reply.raw.destroyed) release();
    try {
      return await open();
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Sends the stream as the reply, ending it (resetting the connection: the answer is seen to be
   * cut short) when the receiver has taken nothing for `STREAM_WRITE_TIMEOUT_SECONDS` while data
   * waited for it. Ending the reply destroys the stream, whose owner returns its connection.
   */
  send(reply: FastifyReply, stream: Readable): FastifyReply {
    const timeoutMs = this.config.streams.writeTimeoutSeconds * 1000;
    endWhenStalled(reply.raw, timeoutMs, () => {
      reply.log.warn(
        { timeoutSeconds: this.config.streams.writeTimeoutSeconds },
        'streamed answer ended: the receiver stopped reading',
      );
      // A reset, not a close: the kernel would otherwise keep the unsent megabytes and go on
      // offering them to a receiver that takes nothing.
      const socket = reply.raw.socket;
      if (socket) socket.resetAndDestroy();
      else reply.raw.destroy();
    });
    return reply.send(stream);
  }

  /** Streams held now (for tests and diagnostics). */
  get active(): number {
    return this.total;
  }

  private take(holder: StreamHolder): () => void {
    const limits = this.config.streams;
    if ((this.perHolder.get(holder.holderId) ?? 0) >= limits.perKey) {
      throw new AppError(
        'rate_limited',
        `At most ${limits.perKey} streamed answers at once per API key (or user): wait for one to end`,
        { retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS },
      );
    }
    if ((this.perClient.get(holder.clientId) ?? 0) >= limits.perClient) {
      throw new AppError(
        'rate_limited',
        `At most ${limits.perClient} streamed answers at once per client: wait for one to end`,
        { retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS },
      );
    }
    if (this.total >= limits.total) {
      throw new AppError('unavailable', 'The service is busy: too many streamed answers at once', {
        reason: 'busy',
        retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS,
      });
    }
    bump(this.perHolder, holder.holderId, 1);
    bump(this.perClient, holder.clientId, 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.perHolder, holder.holderId, -1);
      bump(this.perClient, holder.clientId, -1);
      this.total -= 1;
    };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/**
 * Calls `onStall` once when the response has been blocked on its receiver for `timeoutMs`: its
 * socket refusing more (`writableNeedDrain`) with no `drain` since, or, once the body is all
 * written, its last bytes not flushed. A source that is slow to produce (the database) is not a
 * stall: nothing waits for the receiver then.
 */
export function endWhenStalled(res: ServerResponse, timeoutMs: number, onStall: () => void): void {
  let progressAt = Date.now();
  const onDrain = () => {
    progressAt = Date.now();
  };
  const stop = () => {
    clearInterval(tick);
    res.off('drain', onDrain);
    res.off('close', stop);
  };
  const tick = setInterval(
    () => {
      const now = Date.now();
      const blocked = res.writableEnded ? !res.writableFinished : res.writableNeedDrain;
      if (!blocked) {
        progressAt = now;
      } else if (now - progressAt >= timeoutMs) {
        stop();
        onStall();
      }
    },
    Math.min(1000, Math.max(25, timeoutMs / 4)),
  );
  tick.unref();
  res.on('drain', onDrain);
  res.once('close', stop);
}
