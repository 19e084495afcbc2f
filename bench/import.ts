import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { BENCH_ADMIN, benchDatabase, mb, serviceProcess } from './support';

const AREAS = [212, 213, 305, 312, 415, 512, 617, 702, 206, 404];
const STATES = ['NY', 'CA', 'FL', 'IL', 'CA', 'TX', 'MA', 'NV', 'WA', 'GA'];

/** A contact list with 5% bad rows (invalid phones, ragged rows), written to disk as a stream. */
async function writeList(file: string, rows: number): Promise<void> {
  function* lines() {
    yield 'Company,First Name,Last Name,Title,Phone Number,Email,City,State,ZIP,Employees,Industry,Notes\n';
    for (let i = 0; i < rows; i++) {
      const a = i % AREAS.length;
      const phone =
        i % 40 === 7
          ? 'n/a'
          : `(${AREAS[a]}) ${200 + (Math.floor(i / 10000) % 800)}-${String(i % 10000).padStart(4, '0')}`;
      const ragged = i % 40 === 21 ? ',extra,cells' : '';
      yield `"Company ${i}, Inc",First${i},Last${i},Owner,${phone},owner${i}@example.com,City,${STATES[a]},,${i % 500},Retail,"note ${i}"${ragged}\n`;
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(file));
}

const CONTACT_COLUMNS =
  'campaign_id, client_id, import_id, phone, alt_phones, company, first_name, last_name, title, email, ' +
  'website, street, city, state, zip, country, employees, industry, custom, time_zones, queue_rank, queue_at';

/**
 * Seconds to COPY the contacts of an import, written out to `file` first, into empty copies of
 * the contacts table: `indexed` with all its indexes, `bare` with its columns, types and defaults
 * but no index (each table dropped after).
 */
async function contactCopies(
  url: string,
  importId: string,
  file: string,
): Promise<{ indexed: number; bare: number }> {
  const pg = new Client({ connectionString: url });
  pg.on('error', () => undefined);
  await pg.connect();
  try {
    await pipeline(
      pg.query(
        copyTo(
          `COPY (SELECT ${CONTACT_COLUMNS} FROM contacts WHERE import_id = '${importId}' ORDER BY id) TO STDOUT`,
        ),
      ),
      createWriteStream(file),
    );
    const copyInto = async (like: string) => {
      await pg.query(`CREATE TABLE contacts_like (LIKE contacts ${like})`);
      await pg.query('CHECKPOINT');
      const t0 = performance.now();
      await pipeline(
        createReadStream(file),
        pg.query(copyFrom(`COPY contacts_like (${CONTACT_COLUMNS}) FROM STDIN`)),
      );
      const seconds = (performance.now() - t0) / 1000;
      await pg.query('DROP TABLE contacts_like');
      return seconds;
    };
    return {
      indexed: await copyInto('INCLUDING ALL'),
      bare: await copyInto('INCLUDING DEFAULTS INCLUDING IDENTITY'),
    };
  } finally {
    await pg.end();
  }
}

/**
 * `import`: rows per second importing a generated 1,000,000-row CSV (5% bad rows) through
 * POST /campaigns/:id/imports until the report is final, against a raw COPY of the same file
 * into an unindexed table of text columns. Also the service's peak RSS (VmHWM of its own process).
 */
export async function importBench(): Promise<Record<string, unknown>> {
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'rd-bench-import-'));
  const file = join(dir, 'list.csv');
  await writeList(file, rows);
  const bytes = (await stat(file)).size;
  const db = await benchDatabase();
  // The service runs as its own process, so its peak RSS is its own, not this harness's.
  const service = await serviceProcess(db.url);
  const base = service.base;
  try {
    const json = async (method: string, path: string, token: string | null, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const token = (await json('POST', '/auth/login', null, BENCH_ADMIN)).accessToken as string;
    const client = (await json('POST', '/clients', token, { name: 'Bench Co' })).id as string;
    const campaign = (await json('POST', '/campaigns', token, { clientId: client, name: 'Bench' }))
      .id as string;

    // Baseline: COPY of the same file into an unindexed table, straight from disk. The file has no
    // tabs, backslashes or quoted line breaks, so each line loads as one text value: the least
    // work PostgreSQL can do with these bytes.
    const pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    await pg.query('CREATE UNLOGGED TABLE raw_copy (line text)');
    const t0 = performance.now();
    await pipeline(createReadStream(file), pg.query(copyFrom('COPY raw_copy (line) FROM STDIN')));
    const rawSeconds = (performance.now() - t0) / 1000;
    await pg.end();

    const rssBefore = await service.rss();
    const t1 = performance.now();
    const started = await fetch(`${base}/campaigns/${campaign}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const { id } = (await started.json()) as { id: string };
    let report: Record<string, unknown>;
    for (;;) {
      report = await json('GET', `/campaigns/${campaign}/imports/${id}`, token);
      if (report.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const oursSeconds = (performance.now() - t1) / 1000;
    const peak = await service.peakRss();
    if (report.status !== 'completed')
      throw new Error(`import ${String(report.status)}: ${String(report.failureReason)}`);

    // A second, fairer yardstick: the rows the import produced (already parsed, normalised and
    // scrubbed) COPYed from disk into an empty table indexed as contacts is. What PostgreSQL
    // alone needs to store these contacts, whatever the service does before.
    // And the floor under both: the same rows into the same columns with no index at all (typed
    // columns, defaults, the identity): the most any importer of contacts could approach.
    const copies = await contactCopies(db.url, id, join(dir, 'contacts.copy'));
    const indexedSeconds = copies.indexed;
    return {
      ours: {
        rowsPerSecond: Math.round(rows / oursSeconds),
        seconds: Number(oursSeconds.toFixed(2)),
        received: report.received,
        imported: report.imported,
        invalid: report.invalid,
        duplicates: report.duplicates,
        servicePeakRssMb: mb(peak),
        serviceRssBeforeMb: mb(rssBefore),
        goalPeakRssUnderMb: 300,
      },
      baseline: {
        rowsPerSecond: Math.round(rows / rawSeconds),
        seconds: Number(rawSeconds.toFixed(2)),
      },
      ratio: Number((rawSeconds / oursSeconds).toFixed(3)),
      indexedCopy: {
        rowsPerSecond: Math.round(Number(report.imported) / indexedSeconds),
        seconds: Number(indexedSeconds.toFixed(2)),
      },
      ratioToIndexedCopy: Number((indexedSeconds / oursSeconds).toFixed(3)),
      unindexedContactsCopy: {
        rowsPerSecond: Math.round(Number(report.imported) / copies.bare),
        seconds: Number(copies.bare.toFixed(2)),
        ratio: Number((rawSeconds / copies.bare).toFixed(3)),
      },
      rows,
      fileMb: Math.round(bytes / 1048576),
      unit:
        'rows per second, our import (parse, normalise, zones, dedupe, DNC scrub, insert) ÷ raw COPY; ' +
        'ratioToIndexedCopy: ÷ COPY of the imported rows into a table indexed as contacts; ' +
        "unindexedContactsCopy.ratio: that COPY into contacts' columns with no index, ÷ raw COPY (the ceiling)",
    };
  } finally {
    await service.stop();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
