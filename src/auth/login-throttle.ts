import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

export interface ThrottleKeys {
  account: string;
  address: string;
}

/**
 * Counts failed sign-ins per account and per address in PostgreSQL (shared by all instances).
 * Only failures count: a successful sign-in is never slowed or counted, so a call floor behind
 * one address can all sign in at 9:00. A key with too many failures in the window is locked
 * for the window, whatever password comes next.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  static keys(email: string, address: string): ThrottleKeys {
    return { account: `account:${email.toLowerCase()}`, address: `address:${address}` };
  }

  /** Seconds until the later of the two locks ends, or 0 when neither is locked. */
  async lockedFor(keys: ThrottleKeys, now: Date): Promise<number> {
    const rows: { until: Date }[] = await this.db.query(
      `SELECT max(locked_until) AS until FROM login_failures
        WHERE key = ANY($1) AND locked_until > $2`,
      [[keys.account, keys.address], now],
    );
    const until = rows[0]?.until;
    return until ? Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)) : 0;
  }

  async recordFailure(keys: ThrottleKeys, now: Date): Promise<void> {
    const { maxFailuresPerAccount, maxFailuresPerAddress, windowSeconds } = this.config.login;
    await this.bump(keys.account, maxFailuresPerAccount, windowSeconds, now);
    await this.bump(keys.address, maxFailuresPerAddress, windowSeconds, now);
  }

  async recordSuccess(keys: ThrottleKeys): Promise<void> {
    await this.db.query('DELETE FROM login_failures WHERE key = $1', [keys.account]);
  }

  private async bump(key: string, max: number, windowSeconds: number, now: Date): Promise<void> {
    // One statement, so concurrent failures for one key cannot lose a count.
    await this.db.query(
      `INSERT INTO login_failures AS f (key, failures, window_started_at, locked_until)
       VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $2::timestamptz + make_interval(secs => $4) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                         THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                                  THEN $2 ELSE f.window_started_at END,
         locked_until = CASE
           WHEN (CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                      THEN 1 ELSE f.failures + 1 END) >= $3
           THEN $2::timestamptz + make_interval(secs => $4)
           ELSE f.locked_until END`,
      [key, now, max, windowSeconds],
    );
  }
}
