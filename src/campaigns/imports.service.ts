import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Principal } from '../auth/roles';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { CampaignsService } from './campaigns.service';
import type { Campaign } from './campaign.entity';
import { ContactImport, type ImportProblem } from './contact-import.entity';
import { copyArray, copyRow, copyValue } from './copy-text';
import { ImportFileError, parseContacts } from './import/parse-contacts';
import { ZoneResolver } from './time-zones';

/** Larger uploads are refused (the issue asks for at least 200 MB / 1,000,000 rows). */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;
const MAX_LISTED_ERRORS = 1000;
const HEARTBEAT_MS = 5000;
/** A running import whose heartbeat is older than this lost its worker (server stopped). */
const STALE_AFTER_MS = 60000;

export interface ImportView {
  id: string;
  campaignId: string;
  status: ContactImport['status'];
  fileName: string | null;
  bytesTotal: number;
  bytesRead: number;
  received: number;
  imported: number;
  duplicates: number;
  invalid: number;
  dnc: number;
  errors: ImportProblem[];
  failureReason: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/**
 * Contact-list imports. The upload is spooled to a temporary file (so the 202 comes as soon as
 * the file is in, whatever the speed of the work), then worked in the background: streamed
 * through the parser, COPYed into a staging table, de-duplicated and scrubbed against
 * do-not-call in SQL, and inserted — all in one transaction, so an import that fails midway
 * leaves no rows behind.
 */
@Injectable()
export class ImportsService implements OnModuleDestroy {
  private readonly logger = new Logger(ImportsService.name);
  private readonly running = new Map<string, Promise<void>>();
  private zones?: Promise<ZoneResolver>;
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly campaigns: CampaignsService,
    private readonly clock: Clock,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.running.values());
  }

  async start(
    p: Principal,
    campaignId: string,
    body: Readable,
    fileName: string | null,
  ): Promise<{ id: string }> {
    const campaign = await this.campaigns.findVisible(p, campaignId);
    if (campaign.status === 'closed')
      throw new AppError('conflict', 'A closed campaign takes no more contacts');
    const dir = await mkdtemp(join(tmpdir(), 'rd-import-'));
    const file = join(dir, 'upload.csv');
    try {
      await pipeline(body, limitBytes(MAX_IMPORT_BYTES), createWriteStream(file));
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      if (e instanceof AppError) throw e;
      throw new AppError('invalid', 'The upload was interrupted before the file was complete');
    }
    const size = (await stat(file)).size;
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO contact_imports (campaign_id, client_id, status, file_name, bytes_total, created_by, heartbeat_at)
       VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING id`,
      [
        campaign.id,
        campaign.clientId,
        fileName?.slice(0, 300) ?? null,
        size,
        p.kind === 'user' ? p.userId : null,
        this.clock.now(),
      ],
    );
    const work = this.work(row.id, campaign, file)
      .catch((e: unknown) =>
        this.logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e)),
      )
      .finally(() => {
        this.running.delete(row.id);
        void rm(dir, { recursive: true, force: true });
      });
    this.running.set(row.id, work);
    return { id: row.id };
  }

  /** Resolves when the import has finished (for tests and the seed script). */
  async settled(importId: string): Promise<void> {
    await this.running.get(importId);
  }

  async get(p: Principal, campaignId: string, importId: string): Promise<ImportView> {
    await this.campaigns.findVisible(p, campaignId);
    const found = await this.db
      .getRepository(ContactImport)
      .findOneBy({ id: importId, campaignId });
    if (!found) throw AppError.notFound('Import');
    if (
      found.status === 'running' &&
      !this.running.has(found.id) &&
      this.clock.now().getTime() - new Date(found.heartbeatAt).getTime() > STALE_AFTER_MS
    ) {
      await this.fail(found.id, 'the server stopped during the import; nothing was imported');
      return this.get(p, campaignId, importId);
    }
    return {
      id: found.id,
      campaignId: found.campaignId,
      status: found.status,
      fileName: found.fileName,
      bytesTotal: Number(found.bytesTotal),
      bytesRead: Number(found.bytesRead),
      received: found.received,
      imported: found.imported,
      duplicates: found.duplicates,
      invalid: found.invalid,
      dnc: found.dnc,
      errors: found.errors,
      failureReason: found.failureReason,
      createdAt: found.createdAt,
      finishedAt: found.finishedAt,
    };
  }

  private async work(importId: string, campaign: Campaign, file: string): Promise<void> {
    const zones = await (this.zones ??= ZoneResolver.load());
    let bytesRead = 0;
    const heartbeat = setInterval(() => {
      void this.db
        .query('UPDATE contact_imports SET heartbeat_at = $2, bytes_read = $3 WHERE id = $1', [
          importId,
          this.clock.now(),
          bytesRead,
        ])
        .catch(() => undefined);
    }, HEARTBEAT_MS);
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      await runner.query(`CREATE TEMP TABLE import_rows (
          line int, phone text, alt_phones text[], company text, first_name text, last_name text, title text,
          email text, website text, street text, city text, state text, zip text, country text, employees int,
          industry text, custom jsonb, time_zones text[]) ON COMMIT DROP`);
      const errors: ImportProblem[] = [];
      let invalid = 0;
      // COPY starts with the first good row: a file refused outright never opens it.
      let copy: ReturnType<typeof copyFrom> | undefined;
      let copied: Promise<void> = Promise.resolve();
      let batch = '';
      const openCopy = () => {
        const stream = clientOf(runner).query(copyFrom('COPY import_rows FROM STDIN'));
        copied = new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        copied.catch(() => undefined); // awaited below; an early failure must not go unhandled
        return stream;
      };
      const input = createReadStream(file).pipe(
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            bytesRead += chunk.length;
            done(null, chunk);
          },
        }),
      );
      try {
        for await (const ev of parseContacts(input, { defaultCountry: campaign.defaultCountry })) {
          if (this.stopping)
            throw new ImportStopped('the server shut down during the import; nothing was imported');
          if (ev.kind === 'invalid') {
            invalid++;
            if (errors.length < MAX_LISTED_ERRORS)
              errors.push({ line: ev.line, reason: ev.reason });
            continue;
          }
          const r = ev.row;
          const line = copyRow([
            copyValue(r.line),
            copyValue(r.phone),
            copyArray(r.altPhones),
            copyValue(r.company),
            copyValue(r.firstName),
            copyValue(r.lastName),
            copyValue(r.title),
            copyValue(r.email),
            copyValue(r.website),
            copyValue(r.street),
            copyValue(r.city),
            copyValue(r.state),
            copyValue(r.zip),
            copyValue(r.country),
            copyValue(r.employees),
            copyValue(r.industry),
            copyValue(JSON.stringify(r.custom)),
            copyArray(zones.zonesFor({ zip: r.zip, state: r.state, phone: r.phone })),
          ]);
          // Rows go to COPY in ~64 KB batches: one socket write per row would be the bottleneck.
          batch += line;
          if (batch.length >= 65536) {
            copy ??= openCopy();
            const ok = copy.write(batch);
            batch = '';
            if (!ok) await new Promise((resolve) => copy!.once('drain', resolve));
          }
        }
        if (batch) {
          copy ??= openCopy();
          copy.write(batch);
          batch = '';
        }
      } catch (e) {
        // Leave COPY mode (CopyFail) so that the connection can roll back.
        if (copy && !copy.writableFinished) {
          copy.destroy(e instanceof Error ? e : new Error(String(e)));
          await copied.catch(() => undefined);
        }
        input.destroy();
        throw e;
      }
      copy?.end();
      await copied;
      await this.finish(runner, importId, campaign, invalid, errors);
      await runner.commitTransaction();
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      let reason: string;
      if (e instanceof ImportFileError) reason = e.message;
      else if (e instanceof ImportStopped) reason = e.message;
      else {
        // Database and programming errors stay in the log: no SQL in anything a person reads.
        this.logger.error(`import ${importId} failed: ${summarize(e)}`);
        reason =
          'the import failed and nothing was imported (an internal error; it is in the server log)';
      }
      await this.fail(importId, reason);
    } finally {
      clearInterval(heartbeat);
      await runner.release();
    }
  }

  /**
   * In SQL, inside the import's transaction: the first occurrence of a number in the file is
   * kept; later ones, and numbers already in the campaign, are duplicates; numbers on a
   * do-not-call list that binds this campaign are suppressed; the rest go in.
   */
  private async finish(
    runner: QueryRunner,
    importId: string,
    campaign: Campaign,
    invalid: number,
    errors: ImportProblem[],
  ): Promise<void> {
    // Imports into one campaign are serialised from here to commit, so the duplicate check below
    // cannot race another import and the insert needs no ON CONFLICT (speculative insertion
    // measured at a third of the insert's time). Memory for the sorts stays in RAM.
    await runner.query('SELECT 1 FROM campaigns WHERE id = $1 FOR UPDATE', [campaign.id]);
    await runner.query("SET LOCAL work_mem = '64MB'");
    await runner.query('ANALYZE import_rows');
    await runner.query(
      `CREATE TEMP TABLE import_verdicts ON COMMIT DROP AS
       SELECT s.line, s.phone, s.first_line,
              CASE WHEN s.line <> first_line THEN 'duplicate_in_file'
                   WHEN EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = $1 AND c.phone = s.phone) THEN 'duplicate_in_campaign'
                   WHEN EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = s.phone AND (d.client_id IS NULL OR d.client_id = $2)
                                  AND (d.source <> 'registry' OR $3)) THEN 'dnc'
                   ELSE 'new' END AS verdict
         FROM (SELECT line, phone, min(line) OVER (PARTITION BY phone) AS first_line FROM import_rows) s`,
      [campaign.id, campaign.clientId, campaign.kind === 'consumer'],
    );
    // A semi-join scans import_rows in file order (COPY appended them so), which gives the
    // contacts the file's order without sorting every row (the sort cost a fifth of the import).
    const [{ inserted }]: { inserted: number }[] = await runner.query(
      `WITH ins AS (INSERT INTO contacts (campaign_id, client_id, import_id, phone, alt_phones, company, first_name, last_name, title,
                             email, website, street, city, state, zip, country, employees, industry, custom, time_zones,
                             queue_rank, queue_at)
       SELECT $1, $2, $3, r.phone, alt_phones, company, first_name, last_name, title, email, website, street, city, state,
              zip, country, employees, industry, custom, time_zones, 1, $4
         FROM import_rows r WHERE r.line IN (SELECT line FROM import_verdicts WHERE verdict = 'new')
       RETURNING 1)
       SELECT count(*)::int AS inserted FROM ins`,
      [campaign.id, campaign.clientId, importId, this.clock.now()],
    );
    const counts: { verdict: string; n: string }[] = await runner.query(
      'SELECT verdict, count(*) AS n FROM import_verdicts GROUP BY verdict',
    );
    const n = (v: string) => Number(counts.find((c) => c.verdict === v)?.n ?? 0);
    const duplicates = n('duplicate_in_file') + n('duplicate_in_campaign');
    const room = MAX_LISTED_ERRORS - errors.length;
    if (room > 0) {
      const listed: { line: number; reason: string }[] = await runner.query(
        `SELECT line, CASE verdict WHEN 'duplicate_in_file' THEN 'duplicate of line ' || first_line
                               WHEN 'duplicate_in_campaign' THEN 'number already in the campaign'
                               ELSE 'on a do-not-call list' END AS reason
           FROM import_verdicts WHERE verdict <> 'new' ORDER BY line LIMIT $1`,
        [room],
      );
      errors.push(...listed);
      errors.sort((a, b) => a.line - b.line);
    }
    await runner.query(
      `UPDATE campaigns SET zones = ARRAY(
         SELECT DISTINCT z FROM (SELECT unnest(zones) AS z FROM campaigns WHERE id = $1
                                 UNION SELECT unnest(time_zones) FROM import_rows) u ORDER BY z)
        WHERE id = $1`,
      [campaign.id],
    );
    const received =
      invalid + n('new') + n('duplicate_in_file') + n('duplicate_in_campaign') + n('dnc');
    await runner.query(
      `UPDATE contact_imports SET status = 'completed', received = $2, imported = $3, duplicates = $4, invalid = $5,
              dnc = $6, errors = $7, bytes_read = bytes_total, finished_at = $8, heartbeat_at = $8
        WHERE id = $1`,
      [
        importId,
        received,
        inserted,
        duplicates,
        invalid,
        n('dnc'),
        JSON.stringify(errors),
        this.clock.now(),
      ],
    );
  }

  private async fail(importId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE contact_imports SET status = 'failed', failure_reason = $2, finished_at = $3,
              received = 0, imported = 0, duplicates = 0, invalid = 0, dnc = 0
        WHERE id = $1 AND status = 'running'`,
      [importId, reason, this.clock.now()],
    );
  }
}

class ImportStopped extends Error {}

function clientOf(runner: QueryRunner): PoolClient {
  return (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
}

function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max)
        done(new AppError('invalid', `The file is larger than ${Math.round(max / 1048576)} MB`));
      else done(null, chunk);
    },
  });
}

function summarize(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
