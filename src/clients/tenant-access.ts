import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';

/** Which clients a principal may see: all of them, or a list. */
export type ClientScope = { all: true } | { all: false; ids: string[] };

/**
 * The tenant rule, in one place: admins see every client; an account manager the clients
 * assigned to them; a client user or API key its own client; callers no client records.
 * Anything outside the scope answers 404, as if it did not exist.
 */
@Injectable()
export class TenantAccess {
  constructor(private readonly db: DataSource) {}

  async scopeOf(p: Principal): Promise<ClientScope> {
    if (p.kind === 'api_key') return { all: false, ids: [p.clientId] };
    switch (p.role) {
      case 'admin':
        return { all: true };
      case 'client':
        return { all: false, ids: p.clientId ? [p.clientId] : [] };
      case 'account_manager': {
        const rows: { client_id: string }[] = await this.db.query(
          'SELECT client_id FROM client_managers WHERE user_id = $1',
          [p.userId],
        );
        return { all: false, ids: rows.map((r) => r.client_id) };
      }
      case 'caller':
        return { all: false, ids: [] };
    }
  }

  /** Throws 404 unless the principal may see this client (which must also exist). */
  async assertClient(p: Principal, clientId: string): Promise<void> {
    if (!(await this.canSee(p, clientId))) throw AppError.notFound('Client');
  }

  async canSee(p: Principal, clientId: string): Promise<boolean> {
    if (p.kind === 'api_key' || (p.kind === 'user' && p.role === 'client')) {
      if (p.clientId !== clientId) return false;
    } else if (p.role === 'account_manager') {
      const rows: unknown[] = await this.db.query(
        'SELECT 1 FROM client_managers WHERE user_id = $1 AND client_id = $2',
        [p.userId, clientId],
      );
      if (rows.length === 0) return false;
    } else if (p.role === 'caller') {
      return false;
    }
    const exists: unknown[] = await this.db.query('SELECT 1 FROM clients WHERE id = $1', [
      clientId,
    ]);
    return exists.length > 0;
  }
}
