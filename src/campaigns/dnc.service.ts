import { Injectable } from '@nestjs/common';
import { from as copyFrom } from 'pg-copy-streams';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { toE164 } from './phone';

export interface DncEntryView {
  scope: 'global' | 'client';
  clientId: string | null;
  source: string;
  addedAt: Date;
}

export interface DncImportReport {
  id: string;
  registry: boolean;
  obtainedAt: string | null;
  received: number;
  added: number;
  alreadyListed: number;
  invalid: number;
  errors: { line: number; reason: string }[];
}

/**
 * Do-not-call lists: the agency's global list and one per client. A number listed is never
 * handed out again from the next claim on (the claim checks the lists), and open leases on it
 * are dropped at once.
 */
@Injectable()
export class DncService {
  constructor(
    private readonly db: DataSource,
    private readonly tenants: TenantAccess,
    private readonly clock: Clock,
  ) {}

  async add(
    p: Principal,
    rawPhone: string,
    clientId?: string,
  ): Promise<{ phone: string; clientId: string | null }> {
    if (clientId) await this.tenants.assertClient(p, clientId);
    const phone = toE164(rawPhone);
    if (!phone) {
      throw new AppError('invalid', 'Not a valid phone number', [
        { field: 'phone', message: `"${rawPhone}" is not a valid phone number` },
      ]);
    }
    await this.addNumbers([phone], {
      clientId: clientId ?? null,
      source: 'manual',
      addedBy: userOf(p),
    });
    return { phone, clientId: clientId ?? null };
  }

  /**
   * Adds numbers to a list inside the caller's transaction (a `do_not_call` outcome uses this) or
   * its own, skipping those already listed in the same scope, and drops open leases on them.
   */
  async addNumbers(
    phones: string[],
    opts: {
      clientId: string | null;
      source: 'manual' | 'list' | 'registry' | 'outcome';
      addedBy: string | null;
      extractId?: string;
    },
    tx?: EntityManager,
  ): Promise<number> {
    const run = async (m: EntityManager) => {
      const rows: { phone: string }[] = await m.query(
        `INSERT INTO dnc_numbers (phone, client_id, source, added_by, extract_id)
         SELECT DISTINCT p, $2::uuid, $3::dnc_source, $4::uuid, $5::uuid FROM unnest($1::text[]) AS p
          WHERE NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = p
                              AND d.client_id IS NOT DISTINCT FROM $2::uuid AND (d.source = 'registry') = ($3 = 'registry'))
         RETURNING phone`,
        [phones, opts.clientId, opts.source, opts.addedBy, opts.extractId ?? null],
      );
      await this.dropLeases(m, phones, opts.clientId, opts.source === 'registry');
      return rows.length;
    };
    return tx ? run(tx) : this.db.transaction(run);
  }

  /** Open leases on listed numbers end now: the caller's next claim gets another contact. */
  private async dropLeases(
    m: EntityManager,
    phones: string[],
    clientId: string | null,
    registryOnly: boolean,
  ): Promise<void> {
    const scope = `c.phone = ANY($1::text[]) AND ($2::uuid IS NULL OR c.client_id = $2::uuid)
      AND (NOT $3 OR EXISTS (SELECT 1 FROM campaigns g WHERE g.id = c.campaign_id AND g.kind = 'consumer'))`;
    await m.query(
      `UPDATE calls SET state = 'dropped' FROM contacts c
        WHERE calls.contact_id = c.id AND calls.state = 'leased' AND ${scope}`,
      [phones, clientId, registryOnly],
    );
    await m.query(
      `UPDATE contacts c SET leased_to = NULL, lease_expires_at = NULL WHERE c.leased_to IS NOT NULL AND ${scope}`,
      [phones, clientId, registryOnly],
    );
  }

  async lookup(
    p: Principal,
    rawPhone: string,
  ): Promise<{ phone: string; listed: boolean; entries: DncEntryView[] }> {
    const phone = toE164(rawPhone);
    if (!phone) {
      throw new AppError('invalid', 'Not a valid phone number', [
        { field: 'phone', message: `"${rawPhone}" is not a valid phone number` },
      ]);
    }
    const scope = await this.tenants.scopeOf(p);
    const rows: { client_id: string | null; source: string; created_at: Date }[] =
      await this.db.query(
        `SELECT client_id, source, created_at FROM dnc_numbers
        WHERE phone = $1 AND (client_id IS NULL OR $2 OR client_id = ANY($3::uuid[]))
        ORDER BY created_at`,
        [phone, scope.all, scope.all ? [] : scope.ids],
      );
    const entries = rows.map((r) => ({
      scope: r.client_id ? ('client' as const) : ('global' as const),
      clientId: r.client_id,
      source: r.source,
      addedAt: r.created_at,
    }));
    return { phone, listed: entries.length > 0, entries };
  }

  /**
   * Imports a list of numbers (one per line, first CSV cell; a header line is skipped): a
   * registry extract with the date it was obtained, or an internal list. All or nothing.
   */
  async importList(
    p: Principal,
    input: Readable,
    opts: { clientId?: string; registry?: boolean; obtainedAt?: string },
  ): Promise<DncImportReport> {
    if (opts.clientId) await this.tenants.assertClient(p, opts.clientId);
    const registry = opts.registry ?? false;
    if (registry && !opts.obtainedAt) {
      throw new AppError('invalid', 'A registry extract needs the date it was obtained', [
        { field: 'obtainedAt', message: 'required when registry=true' },
      ]);
    }
    if (registry && opts.obtainedAt && new Date(opts.obtainedAt) > this.clock.now()) {
      throw new AppError('invalid', 'The extract date is in the future', [
        { field: 'obtainedAt', message: 'must not be in the future' },
      ]);
    }
    const runner = this.db.createQueryRunner();
    await runner.connect();
    const errors: { line: number; reason: string }[] = [];
    let received = 0;
    let invalid = 0;
    try {
      await runner.startTransaction();
      await runner.query('CREATE TEMP TABLE dnc_staging (phone text) ON COMMIT DROP');
      const pgClient = (runner as unknown as { databaseConnection: import('pg').PoolClient })
        .databaseConnection;
      const copy = pgClient.query(copyFrom('COPY dnc_staging (phone) FROM STDIN'));
      const done = new Promise<void>((resolve, reject) => {
        copy.on('finish', resolve);
        copy.on('error', reject);
      });
      let line = 0;
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        line++;
        const cell = text
          .replace(/^\uFEFF/, '')
          .split(',')[0]
          .replace(/"/g, '')
          .trim();
        if (!cell) continue;
        const phone = toE164(cell);
        if (!phone) {
          if (line === 1 && /[a-z]/i.test(cell)) continue; // a header
          received++;
          invalid++;
          if (errors.length < 1000)
            errors.push({ line, reason: `invalid phone "${cell.slice(0, 40)}"` });
          continue;
        }
        received++;
        if (!copy.write(phone + '\n')) await new Promise((r) => copy.once('drain', r));
      }
      copy.end();
      await done;
      const [extract]: { id: string }[] = await runner.query(
        `INSERT INTO dnc_extracts (client_id, registry, obtained_at, received, invalid, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [opts.clientId ?? null, registry, opts.obtainedAt ?? null, received, invalid, userOf(p)],
      );
      const phones: { phone: string }[] = await runner.query(
        'SELECT DISTINCT phone FROM dnc_staging',
      );
      const added = await this.addNumbers(
        phones.map((r) => r.phone),
        {
          clientId: opts.clientId ?? null,
          source: registry ? 'registry' : 'list',
          addedBy: userOf(p),
          extractId: extract.id,
        },
        runner.manager,
      );
      await runner.query('UPDATE dnc_extracts SET added = $2 WHERE id = $1', [extract.id, added]);
      await runner.commitTransaction();
      return {
        id: extract.id,
        registry,
        obtainedAt: opts.obtainedAt ?? null,
        received,
        added,
        alreadyListed: received - invalid - added,
        invalid,
        errors,
      };
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw e;
    } finally {
      await runner.release();
    }
  }
}

function userOf(p: Principal): string | null {
  return p.kind === 'user' ? p.userId : null;
}
