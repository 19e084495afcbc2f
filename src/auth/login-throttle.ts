import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { KnownContextKind } from './login-known-context.entity';

/** Where a sign-in comes from: its address (`addressKey`) and its browser's device token hash. */
export interface SignInPlace {
  address: string;
  deviceHash?: string;
}

/** One failure count an attempt is checked and counted against, and its limit per window. */
export interface ThrottleBucket {
  key: string;
  limit: number;
}

/** How often (clock seconds) an instance deletes ended windows and forgotten places, at most. */
const PURGE_EVERY_SECONDS = 60;

/** Browsers remembered per account (a client that keeps no cookie gets a new one each time). */
const MAX_DEVICES_PER_ACCOUNT = 20;

/** A refused reservation, rolled back; carries the wait. */
class Refused {
  constructor(readonly seconds: number) {}
}

/**
 * Counts failed sign-ins in PostgreSQL (shared by all instances), in fixed windows of
 * `LOGIN_LOCK_SECONDS` that start at a key's first failure. An attempt is counted *before* its
 * password is checked, atomically with the check against the limit, and the count is given back
 * when the password was right; so a burst of concurrent guesses has at most the limit checked,
 * and a success never counts.
 *
 * Which counts an attempt meets depends on where it comes from:
 * - from a browser (device cookie) where the account has signed in successfully: that browser's
 *   count for the account (`device:<user>:<hash>`, the account limit);
 * - else from an address where the account has signed in successfully: that address's count for
 *   the account (`known:<user>@<address>`, the account limit);
 * - else (an unknown place, or an unknown account): the account's count (`account:<email>`,
 *   `LOGIN_MAX_FAILURES_PER_ACCOUNT`) and the address's (`address:<address>`,
 *   `LOGIN_MAX_FAILURES_PER_ADDRESS`): both must have room.
 * So guesses from strangers hold back only strangers, and an account's real user signs in from
 * where they signed in before, whatever others tried; a guesser gets at most the account limit per
 * window from unknown places, and the account limit again from each place the user is known at.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);
  private lastPurge?: number;

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The counts an attempt on `email` from `place` meets (one query, known account or not). */
  async bucketsFor(email: string, place: SignInPlace): Promise<ThrottleBucket[]> {
    const { maxFailuresPerAccount, maxFailuresPerAddress } = this.config.login;
    const rows: { user_id: string; kind: KnownContextKind; value: string }[] = await this.db.query(
      `SELECT k.user_id, k.kind, k.value FROM login_known_contexts k
         JOIN users u ON u.id = k.user_id
        WHERE u.email = $1
          AND ((k.kind = 'address' AND k.value = $2) OR (k.kind = 'device' AND k.value = $3))`,
      [email.toLowerCase(), place.address, place.deviceHash ?? ''],
    );
    const device = rows.find((r) => r.kind === 'device');
    if (device) {
      return [{ key: `device:${device.user_id}:${device.value}`, limit: maxFailuresPerAccount }];
    }
    const address = rows.find((r) => r.kind === 'address');
    if (address) {
      return [{ key: `known:${address.user_id}@${address.value}`, limit: maxFailuresPerAccount }];
    }
    return [
      { key: `account:${email.toLowerCase()}`, limit: maxFailuresPerAccount },
      { key: `address:${place.address}`, limit: maxFailuresPerAddress },
    ];
  }

  /**
   * Counts one attempt in every bucket if each has room, in one transaction (row locks taken in
   * key order, so concurrent attempts queue instead of all reading the same count): 0 when
   * counted, else the seconds until the full bucket's window ends (nothing is counted then).
   */
  async reserve(buckets: ThrottleBucket[], now: Date): Promise<number> {
    const windowSeconds = this.config.login.windowSeconds;
    const sorted = [...buckets].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    try {
      await this.db.transaction(async (m) => {
        for (const b of sorted) {
          const counted: unknown[] = await m.query(
            `INSERT INTO login_failures AS f (key, failures, window_started_at) VALUES ($1, 1, $2)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                               THEN 1 ELSE f.failures + 1 END,
               window_started_at = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                                        THEN $2 ELSE f.window_started_at END
             WHERE f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                OR f.failures < $3
             RETURNING failures`,
            [b.key, now, b.limit, windowSeconds],
          );
          if (counted.length > 0) continue;
          // Full: the row is locked by the statement above, so its window is the one that refused.
          const rows: { started: Date }[] = await m.query(
            'SELECT window_started_at AS started FROM login_failures WHERE key = $1',
            [b.key],
          );
          const ends = new Date(rows[0].started).getTime() + windowSeconds * 1000;
          throw new Refused(Math.max(1, Math.ceil((ends - now.getTime()) / 1000)));
        }
      });
      return 0;
    } catch (e) {
      if (e instanceof Refused) return e.seconds;
      throw e;
    }
  }

  /** Gives back the attempt counted by `reserve` (the password was right). */
  async refund(buckets: ThrottleBucket[], now: Date): Promise<void> {
    await this.db.query(
      `UPDATE login_failures SET failures = failures - 1
        WHERE key = ANY($1) AND failures > 0
          AND window_started_at > $2::timestamptz - make_interval(secs => $3)`,
      [buckets.map((b) => b.key), now, this.config.login.windowSeconds],
    );
  }

  /**
   * Records a successful sign-in of `userId` from `place` (its address, and its browser). A new
   * browser (`newDevice`: one that came without a device cookie, or a client that keeps none)
   * pushes out all but the account's most recent `MAX_DEVICES_PER_ACCOUNT` browsers.
   */
  async remember(userId: string, place: SignInPlace, now: Date, newDevice: boolean): Promise<void> {
    const kinds: string[] = ['address'];
    const values: string[] = [place.address];
    if (place.deviceHash) {
      kinds.push('device');
      values.push(place.deviceHash);
    }
    await this.db.query(
      `INSERT INTO login_known_contexts (user_id, kind, value, last_success_at)
       SELECT $1, k, v, $4 FROM unnest($2::varchar[], $3::varchar[]) AS t(k, v)
       ON CONFLICT (user_id, kind, value) DO UPDATE SET last_success_at = EXCLUDED.last_success_at`,
      [userId, kinds, values, now],
    );
    if (!newDevice) return;
    await this.db.query(
      `DELETE FROM login_known_contexts WHERE user_id = $1 AND kind = 'device'
          AND value NOT IN (SELECT value FROM login_known_contexts
                             WHERE user_id = $1 AND kind = 'device'
                             ORDER BY last_success_at DESC, value LIMIT $2)`,
      [userId, MAX_DEVICES_PER_ACCOUNT],
    );
  }

  /**
   * Deletes counts whose window has ended and places not signed in from for `LOGIN_KNOWN_DAYS`;
   * run by sign-ins, at most once a minute per instance (so the tables stay as small as the
   * current window, with no timer to stop).
   */
  async purgeIfDue(now: Date): Promise<void> {
    if (
      this.lastPurge !== undefined &&
      now.getTime() - this.lastPurge < PURGE_EVERY_SECONDS * 1000
    ) {
      return;
    }
    this.lastPurge = now.getTime();
    const { windowSeconds, knownDays } = this.config.login;
    try {
      await this.db.query(
        `DELETE FROM login_failures WHERE window_started_at <= $1::timestamptz - make_interval(secs => $2)`,
        [now, windowSeconds],
      );
      await this.db.query(
        `DELETE FROM login_known_contexts WHERE last_success_at <= $1::timestamptz - make_interval(days => $2)`,
        [now, knownDays],
      );
    } catch (e) {
      // A failed purge only leaves rows for the next one; the sign-in goes on.
      this.logger.warn(`login purge failed: ${String(e)}`);
    }
  }
}
