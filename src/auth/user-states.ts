import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Role } from './roles';

/** What a signed-in request needs to know of its user now, not when its token was made. */
export interface UserState {
  active: boolean;
  role: Role;
  clientId: string | null;
  tokenVersion: number;
}

/** How long a user's state is kept in memory: a change reaches other instances within this. */
const KEEP_MS = 5_000;

/**
 * Users' states for the check of every bearer token (active, token version, role, client), one
 * indexed read per user every few seconds rather than one per request. A change made through
 * this instance is seen at once (forget); through another, within KEEP_MS.
 */
@Injectable()
export class UserStates {
  private readonly kept = new Map<string, { state: UserState | null; at: number }>();

  constructor(private readonly db: DataSource) {}

  async get(userId: string): Promise<UserState | null> {
    const now = Date.now();
    const hit = this.kept.get(userId);
    if (hit && now - hit.at < KEEP_MS) return hit.state;
    const [row]: {
      active: boolean;
      role: Role;
      client_id: string | null;
      token_version: number;
    }[] = await this.db.query(
      'SELECT active, role, client_id, token_version FROM users WHERE id = $1',
      [userId],
    );
    const state = row
      ? {
          active: row.active,
          role: row.role,
          clientId: row.client_id,
          tokenVersion: row.token_version,
        }
      : null;
    if (this.kept.size > 10_000) this.kept.clear();
    this.kept.set(userId, { state, at: now });
    return state;
  }

  forget(userId: string): void {
    this.kept.delete(userId);
  }
}
