import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { hashApiKey, looksLikeApiKey } from './api-key-format';
import { addressKey } from './client-address';
import { hashDeviceToken, newDeviceToken } from './device-cookie';
import { LoginThrottle, type SignInPlace } from './login-throttle';
import { hashPassword, verifyPassword } from './passwords';
import type { Principal, Role } from './roles';
import { type TokenClaims, Tokens } from './tokens';
import { User } from './user.entity';
import { UserStates } from './user-states';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; email: string; role: Role; name: string | null; clientId: string | null };
}

/** How often an API key's `last_used_at` is written at most: a busy feed must not write per request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

@Injectable()
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly db: DataSource,
    private readonly tokens: Tokens,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly userStates: UserStates,
  ) {}

  /**
   * Checks a password, within the sign-in limits (see LoginThrottle): `from` is the client's
   * address and the device token its browser sent, if any. Answers the body and the device token
   * the browser is to keep (the one it sent, else a new one).
   */
  async login(
    email: string,
    password: string,
    from: { ip: string; deviceToken?: string },
  ): Promise<{ body: LoginResult; deviceToken: string }> {
    const now = this.clock.now();
    await this.throttle.purgeIfDue(now);
    const place: SignInPlace = {
      address: addressKey(from.ip),
      deviceHash: from.deviceToken ? hashDeviceToken(from.deviceToken) : undefined,
    };
    const buckets = await this.throttle.bucketsFor(email, place);
    // Counted before the password is checked, in one step with the check against the limit.
    const wait = await this.throttle.reserve(buckets, now);
    if (wait > 0) {
      throw new AppError(
        'rate_limited',
        'Too many failed sign-in attempts; try again later',
        [],
        wait,
      );
    }
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.toLowerCase() })
      .getOne();
    // An unknown account costs the same hash as a known one, so timing does not reveal accounts.
    const ok = user
      ? await verifyPassword(user.passwordHash, password)
      : await verifyPassword(await this.getDummyHash(), password).then(() => false);
    if (!user || !ok || !user.active) {
      // The attempt stays counted.
      throw new AppError('unauthenticated', 'Wrong email or password');
    }
    const deviceToken = from.deviceToken ?? newDeviceToken();
    await this.throttle.refund(buckets, now);
    await this.throttle.remember(
      user.id,
      { address: place.address, deviceHash: hashDeviceToken(deviceToken) },
      now,
      !from.deviceToken,
    );
    const claims: TokenClaims = {
      sub: user.id,
      role: user.role,
      cid: user.clientId,
      email: user.email,
      ver: user.tokenVersion,
    };
    const body: LoginResult = {
      accessToken: this.tokens.sign(claims),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtTtlSeconds,
      user: {
        id: user.id,
        email: user.email,
        role: user.role,
        name: user.name,
        clientId: user.clientId,
      },
    };
    return { body, deviceToken };
  }

  /**
   * A bearer token (signed JWT) or an API key → who is calling, or undefined. A token counts
   * only while its user is active and has not changed password since (its token version), and
   * the role and client are the user's now.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (looksLikeApiKey(token)) return this.authenticateApiKey(token);
    const c = this.tokens.verify(token);
    if (!c) return undefined;
    const state = await this.userStates.get(c.sub);
    if (!state || !state.active || state.tokenVersion !== (c.ver ?? 0)) return undefined;
    return {
      kind: 'user',
      userId: c.sub,
      role: state.role,
      clientId: state.clientId,
      email: c.email,
    };
  }

  private async authenticateApiKey(key: string): Promise<Principal | undefined> {
    const rows: { id: string; client_id: string; last_used_at: Date | null }[] =
      await this.db.query(
        'SELECT id, client_id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        [hashApiKey(key)],
      );
    const row = rows[0];
    if (!row) return undefined;
    const now = this.clock.now();
    const stale =
      !row.last_used_at ||
      now.getTime() - new Date(row.last_used_at).getTime() >= LAST_USED_RESOLUTION_SECONDS * 1000;
    if (stale) {
      // Written at most once a minute per key: a feed polled every second stays read-only.
      await this.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [row.id, now]);
    }
    return { kind: 'api_key', keyId: row.id, clientId: row.client_id };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword('not-a-real-password-' + Math.random());
    return this.dummyHash;
  }
}
