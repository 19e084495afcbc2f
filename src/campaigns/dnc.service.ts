import { Injectable } from '@nestjs/common';
import { from as copyFrom } from 'pg-copy-streams';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/roles';
import { TenantAccess } from '../clients/tenant-access';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { spoolUpload } from '../common/upload';
import { MAX_IMPORT_BYTES } from './imports.service';
import { mapHeader } from './import/columns';
import { csvRecordBatches, ImportFileError, normalizePhone } from './import/parse-contacts';
import { toE164 } from './phone';

export interface DncEntryView {
  scope: 'global' | 'client';
  clientId: string | null;
  source: string;
  addedAt: Date;
}

interface ListOptions {
  clientId: string | null;
  source: 'manual' | 'list' | 'registry' | 'outcome';
  addedBy: string | null;
  extractId?: string;
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
 * are dropped at once. The global list and registry extracts bind every client: only admins
 * change them; an account manager lists numbers for the clients they manage.
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
    await this.assertMayList(p, clientId, false);
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
   * Who may list numbers where: the global list (no client) and registry extracts, which bind
   * every client, are the admins'; anyone else lists for a client they may see (404 otherwise,
   * as if it did not exist).
   */
  private async assertMayList(
    p: Principal,
    clientId: string | undefined,
    registry: boolean,
  ): Promise<void> {
    const admin = p.kind === 'user' && p.role === 'admin';
    if (registry && !admin) {
      throw new AppError('forbidden', 'Only an admin uploads national registry extracts', [
        { field: 'registry', message: 'registry extracts are for admins only' },
      ]);
    }
    if (!clientId) {
      if (admin) return;
      throw new AppError(
        'forbidden',
        "Only an admin lists numbers on the agency's global list; name a client you manage",
        [{ field: 'clientId', message: 'required: the client whose list this is' }],
      );
    }
    await this.tenants.assertClient(p, clientId);
  }

  /**
   * Adds numbers to a list inside the caller's transaction (a `do_not_call` outcome uses this) or
   * its own, skipping those already listed in the same scope, and drops open leases on them.
   */
  async addNumbers(phones: string[], opts: ListOptions, tx?: EntityManager): Promise<number> {
    const run = (m: EntityManager) => this.list(m, 'SELECT unnest($1::text[])', [phones], opts);
    return tx ? run(tx) : this.db.transaction(run);
  }

  /**
   * Lists the numbers `phonesSql` selects (its parameters first), skipping those already listed in
   * the same scope, and drops open leases on them; answers how many were new.
   */
  private async list(
    m: EntityManager,
    phonesSql: string,
    params: unknown[],
    opts: ListOptions,
  ): Promise<number> {
    const n = params.length;
    const [{ added }]: { added: number }[] = await m.query(
      `WITH listed AS (
         INSERT INTO dnc_numbers (phone, client_id, source, added_by, extract_id)
         SELECT DISTINCT p, $${n + 1}::uuid, $${n + 2}::dnc_source, $${n + 3}::uuid, $${n + 4}::uuid
           FROM (${phonesSql}) AS s(p)
          WHERE NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = p
                              AND d.client_id IS NOT DISTINCT FROM $${n + 1}::uuid
                              AND (d.source = 'registry') = ($${n + 2} = 'registry'))
         RETURNING 1)
       SELECT count(*)::int AS added FROM listed`,
      [...params, opts.clientId, opts.source, opts.addedBy, opts.extractId ?? null],
    );
    await this.dropLeases(m, phonesSql, params, opts.clientId, opts.source === 'registry');
    return added;
  }

  /** Open leases on listed numbers end now: the caller's next claim gets another contact. */
  private async dropLeases(
    m: EntityManager,
    phonesSql: string,
    params: unknown[],
    clientId: string | null,
    registryOnly: boolean,
  ): Promise<void> {
    const n = params.length;
    const scope = `c.phone IN (${phonesSql}) AND ($${n + 1}::uuid IS NULL OR c.client_id = $${n + 1}::uuid)
      AND (NOT $${n + 2} OR EXISTS (SELECT 1 FROM campaigns g WHERE g.id = c.campaign_id AND g.kind = 'consumer'))`;
    await m.query(
      `UPDATE calls SET state = 'dropped' FROM contacts c
        WHERE calls.contact_id = c.id AND calls.state = 'leased' AND ${scope}`,
      [...params, clientId, registryOnly],
    );
    await m.query(
      `UPDATE contacts c SET leased_to = NULL, lease_expires_at = NULL WHERE c.leased_to IS NOT NULL AND ${scope}`,
      [...params, clientId, registryOnly],
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
   * Imports a list of numbers: a registry extract with the date it was obtained, or an internal
   * list. A CSV whose first line names its phone columns (`Phone`, `Mobile`, … as a contact list's
   * would) has every number of those columns listed; without such a header each line gives one
   * number: `212,5550100` (area code, number: the registry's own layout), else its first cell
   * that is a phone number. Every non-blank line counts, listed or reported invalid with its line.
   * A registry extract that lists no valid number is refused (400) and recorded nowhere: it could
   * otherwise restart consumer campaigns without scrubbing a single number.
   *
   * The upload is read to the end into a spool file before a connection is taken or a
   * transaction opened (a stalled sender holds a file, not a connection); then streamed into a
   * staging table and listed by one statement: all or nothing.
   */
  async importList(
    p: Principal,
    upload: Readable,
    opts: { clientId?: string; registry?: boolean; obtainedAt?: string },
  ): Promise<DncImportReport> {
    const registry = opts.registry ?? false;
    await this.assertMayList(p, opts.clientId, registry);
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
    const spooled = await spoolUpload(upload, { maxBytes: MAX_IMPORT_BYTES, prefix: 'rd-dnc-' });
    try {
      return await this.importSpooled(p, createReadStream(spooled.path), { ...opts, registry });
    } finally {
      await spooled.remove();
    }
  }

  private async importSpooled(
    p: Principal,
    input: Readable,
    opts: { clientId?: string; registry: boolean; obtainedAt?: string },
  ): Promise<DncImportReport> {
    const registry = opts.registry;
    const runner = this.db.createQueryRunner();
    await runner.connect();
    const errors: { line: number; reason: string }[] = [];
    let received = 0;
    let invalid = 0;
    let numbers = 0;
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
      // The phone columns named by a header; null: no header, each line read as it comes.
      let columns: number[] | null | undefined;
      try {
        for await (const records of csvRecordBatches(input)) {
          let text = '';
          for (const record of records) {
            if (columns === undefined) {
              columns = headerColumns(record.fields);
              if (columns !== null) continue;
            }
            received++;
            const found = record.error ?? numbersOf(record.fields, columns);
            if (typeof found === 'string') {
              invalid++;
              if (errors.length < 1000) errors.push({ line: record.line, reason: found });
              continue;
            }
            numbers += found.length;
            for (const phone of found) text += phone + '\n';
          }
          if (text && !copy.write(text)) await new Promise((r) => copy.once('drain', r));
        }
      } catch (e) {
        // The connection leaves COPY mode (a CopyFail) before the rollback can run on it.
        copy.destroy(e as Error);
        await done.catch(() => undefined);
        if (e instanceof ImportFileError) {
          throw new AppError('invalid', e.message, [{ field: 'file', message: e.message }]);
        }
        throw e;
      }
      copy.end();
      await done;
      if (registry && numbers === 0) {
        const message = `no valid phone number in ${received} line${received === 1 ? '' : 's'}`;
        throw new AppError(
          'invalid',
          'The registry extract lists no valid number: it was not recorded, and does not count as a scrub',
          [{ field: 'file', message }],
        );
      }
      await runner.query('ANALYZE dnc_staging');
      const [extract]: { id: string }[] = await runner.query(
        `INSERT INTO dnc_extracts (client_id, registry, obtained_at, received, invalid, listed, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          opts.clientId ?? null,
          registry,
          opts.obtainedAt ?? null,
          received,
          invalid,
          numbers,
          userOf(p),
        ],
      );
      const added = await this.list(runner.manager, STAGED, [], {
        clientId: opts.clientId ?? null,
        source: registry ? 'registry' : 'list',
        addedBy: userOf(p),
        extractId: extract.id,
      });
      await runner.query('UPDATE dnc_extracts SET added = $2 WHERE id = $1', [extract.id, added]);
      await runner.commitTransaction();
      return {
        id: extract.id,
        registry,
        obtainedAt: opts.obtainedAt ?? null,
        received,
        added,
        alreadyListed: numbers - added,
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

/** SQL: the numbers of an import, staged in its transaction's temporary table. */
const STAGED = 'SELECT phone FROM dnc_staging';

/**
 * The phone columns of a list's first line when it is a header (it names a phone column and
 * holds no number itself); [] for a header naming none (its lines are read cell by cell); null
 * when the first line is already a number's.
 */
function headerColumns(fields: string[]): number[] | null {
  if (fields.some((f) => normalizePhone(f, 'US') !== null)) return null;
  const map = mapHeader(fields);
  if (map.hasPhone) {
    return map.fields.flatMap((f, i) => (f === 'phone' || f === 'altPhone' ? [i] : []));
  }
  // A header naming other things (`Name,Number`): its lines are read cell by cell. A first line
  // naming nothing known is a line like the others, counted (and reported when no number).
  return map.fields.some((f) => typeof f === 'string') ? [] : null;
}

/** A line's numbers (E.164), or why it has none. */
function numbersOf(fields: string[], columns: number[] | null): string[] | string {
  const cells = columns?.length ? columns.map((i) => fields[i] ?? '') : fields;
  const [first, second] = fields.map((f) => f.trim());
  // The registry's layout: area code, then the seven digits (under a header or not).
  if (/^\d{3}$/.test(first) && /^\d+$/.test(second ?? '')) {
    const phone = normalizePhone(first + second, 'US');
    return phone ? [phone.number] : `invalid phone "${first},${second}"`;
  }
  const found: string[] = [];
  for (const cell of cells) {
    const phone = cell.trim() ? normalizePhone(cell, 'US') : null;
    if (phone) {
      found.push(phone.number);
      // Without a header, one number a line: the first cell that is one.
      if (!columns?.length) break;
    }
  }
  if (found.length) return found;
  const shown = cells.find((c) => c.trim() !== '')?.trim() ?? '';
  return shown ? `invalid phone "${shown.slice(0, 40)}"` : 'no phone number';
}

function userOf(p: Principal): string | null {
  return p.kind === 'user' ? p.userId : null;
}
