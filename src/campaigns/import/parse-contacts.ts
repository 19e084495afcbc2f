import { isAscii, isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import {
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  PhoneNumber,
  type CountryCode,
  type E164Number,
} from 'libphonenumber-js';
import { mapHeader, type ColumnMap } from './columns';

/*
 * The pure part of a contact-list import: bytes in, one event per contact row out, streaming.
 *
 *   bytes ─ decodeText (is it text? UTF-8 or Windows-1252) ─ CsvReader (records with line numbers)
 *         ─ parseContacts (header → columns, each record → a ContactRow or an invalid row)
 *
 * The CSV tokenizer is our own rather than csv-parse because the report needs what csv-parse does
 * not give: the physical line a record starts on (csv-parse counts a quoted CRLF as two lines),
 * mixed line endings (it settles on the first one it sees), and recovery from a stray quote without
 * holding the rest of the file (an unclosed quote makes csv-parse buffer to the end, and its
 * max_record_size with skip_records_with_error drops the remainder of each chunk). The tests check
 * it against csv-parse on every input csv-parse accepts.
 */

/** A file that cannot be imported at all; the message says why, in words a user understands. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export interface ContactRow {
  /**
   * Physical line (1-based, the header's first line is 1) where the record starts. A line ends at
   * CRLF, LF or a lone CR; line breaks inside quoted fields count too.
   */
  line: number;
  /** E.164, e.g. '+13105551234'. */
  phone: string;
  /** E.164, valid ones only, without the main phone, de-duplicated. */
  altPhones: string[];
  company: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  /** Lower-cased and trimmed. An invalid email is dropped to null: the contact is still worth calling. */
  email: string | null;
  website: string | null;
  street: string | null;
  city: string | null;
  /** Two-letter code for US and Canadian rows when recognisable (`California` → `CA`); else the text. */
  state: string | null;
  /** Five digits for US rows (see normalizeZip), `A1A 1A1` for Canadian ones, else the text. */
  zip: string | null;
  /** ISO 3166 alpha-2: the row's country column when recognisable, else the default country. */
  country: string;
  /** Lower bound of the size given (`1,200` → 1200, `50-99` → 50), else null. */
  employees: number | null;
  industry: string | null;
  /** Unknown columns by header text, non-empty values only (plus `<phone header> extension`). */
  custom: Record<string, string>;
}

export type ParseEvent =
  { kind: 'row'; row: ContactRow } | { kind: 'invalid'; line: number; reason: string };

export interface ParseOptions {
  /** ISO 3166 alpha-2 country for rows without a recognisable country, e.g. 'US'. */
  defaultCountry: string;
  /** Longest record accepted, in characters (default 1 MiB); longer ones are reported invalid. */
  maxRecordChars?: number;
  /** Most columns a file may have (default MAX_COLUMNS); a wider header refuses the file. */
  maxColumns?: number;
  /** Most characters of a contact's own columns (default MAX_CUSTOM_CHARS); more: invalid. */
  maxCustomChars?: number;
}

/**
 * Most columns a contact list may have: a wider header refuses the file before any row is read
 * (a file of 100,000 columns stored 1.7 MB per contact and took a minute and 500 MB).
 */
export const MAX_COLUMNS = 500;

/**
 * Most characters, names and values together, of a contact's own columns (those that are no
 * contact field, kept in `contacts.custom` and shown on the contact card); a row with more is
 * reported invalid, naming the cap.
 */
export const MAX_CUSTOM_CHARS = 8192;

/**
 * Streams a CSV contact list: never holds the whole file, yields one event per non-empty data row,
 * in file order. Bad rows are 'invalid' events with their line and a reason: wrong number of
 * fields, missing or invalid phone, broken quoting, binary data. Empty lines and lines of empty
 * fields only (`,,,,`) are skipped: neither rows nor counted.
 *
 * Throws ImportFileError, before yielding anything, for a file that is not CSV text (binary, a
 * ZIP/XLSX/PDF/image signature, UTF-16), an empty file, or a header without a phone column; and at
 * the end for a header without any row below it. Throws nothing else for any input bytes; an error
 * of the input stream itself is passed on as it is.
 */
export async function* parseContacts(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  opts: ParseOptions,
): AsyncGenerator<ParseEvent> {
  for await (const events of parseContactBatches(input, opts)) yield* events;
}

/**
 * parseContacts, the events of each chunk of input as one array (never empty), in file order:
 * the same events and errors, without an asynchronous step per row (a bulk import reads a million
 * rows, and the async generator's promise per row cost more than a tenth of the parse).
 */
export async function* parseContactBatches(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  opts: ParseOptions,
): AsyncGenerator<ParseEvent[]> {
  const defaultCountry = opts.defaultCountry.toUpperCase();
  if (!isSupportedCountry(defaultCountry)) {
    // A campaign saved before its country was checked: the import says why, not "internal error".
    throw new ImportFileError(
      `The campaign's default country ${JSON.stringify(opts.defaultCountry)} is not one phone numbers can be read in; set it to a code such as US or GB`,
    );
  }
  const reader = new CsvReader(opts.maxRecordChars);
  let plan: RowPlan | undefined;
  let rows = 0;
  let sawNul = false;

  function drain(): ParseEvent[] {
    const events: ParseEvent[] = [];
    for (let record = reader.read(); record !== null; record = reader.read()) {
      if (plan === undefined) {
        if (record.error !== undefined || !isBlankRecord(record.fields)) {
          plan = headerPlan(record, defaultCountry, opts);
        }
        continue;
      }
      const event = contactEvent(record, plan, sawNul);
      if (event === null) continue;
      rows++;
      events.push(event);
    }
    return events;
  }

  for await (const text of decodeText(input as AsyncIterable<unknown>)) {
    if (!sawNul && text.includes('\0')) sawNul = true;
    reader.push(text);
    const events = drain();
    if (events.length > 0) yield events;
  }
  reader.end();
  const last = drain();
  if (last.length > 0) yield last;

  if (plan === undefined) {
    throw new ImportFileError(
      'The file is empty: a CSV file with a header row and one contact per row is expected.',
    );
  }
  if (rows === 0) {
    throw new ImportFileError(
      `The file has a header row (line ${plan.headerLine}) but no contacts below it.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes to text

/** How much of the start of a file is examined before deciding it is text. */
const SNIFF_BYTES = 8192;

const NOT_CSV_HINT = 'Upload the contact list saved as CSV (comma-separated text).';
const SIGNATURES: { bytes: number[]; what: string; hint?: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx workbook is one)' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'a ZIP archive (an Excel .xlsx workbook is one)' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'an Excel .xls workbook or another old Office document',
  },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], what: 'an RTF document' },
];
const EXCEL_HINT = 'In Excel, use File › Save As › "CSV UTF-8 (Comma delimited)" and upload that.';

/** Refuses a start of file that is not CSV text. */
function checkIsText(head: Buffer): void {
  for (const s of SIGNATURES) {
    if (head.length >= s.bytes.length && s.bytes.every((b, i) => head[i] === b)) {
      const hint = s.what.includes('Excel') ? EXCEL_HINT : NOT_CSV_HINT;
      throw new ImportFileError(`This is not a CSV file: it looks like ${s.what}. ${hint}`);
    }
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new ImportFileError(
      `This file is saved as UTF-16 ("Unicode text"), which is not supported. ${EXCEL_HINT}`,
    );
  }
  if (head.includes(0)) {
    throw new ImportFileError(
      `This is not a CSV file: it contains binary data (NUL bytes). ${NOT_CSV_HINT}`,
    );
  }
  const start = head
    .subarray(0, 256)
    .toString('latin1')
    .replace(/^\ufeff|^ï»¿/, '')
    .trimStart();
  if (/^<(?:\?xml|!doctype html|html[\s>])/i.test(start)) {
    throw new ImportFileError(
      `This is not a CSV file: it looks like an HTML or XML document. ${NOT_CSV_HINT}`,
    );
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  throw new TypeError('parseContacts: the input must yield Buffers or strings');
}

/**
 * The records of a CSV input (its bytes decoded as a contact list's are), a chunk's worth at a
 * time, blank lines left out. Throws ImportFileError for a file that is not text.
 */
export async function* csvRecordBatches(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
): AsyncGenerator<CsvRecord[]> {
  const reader = new CsvReader();
  const drain = () => {
    const records: CsvRecord[] = [];
    for (let r = reader.read(); r !== null; r = reader.read()) {
      if (r.error !== undefined || !isBlankRecord(r.fields)) records.push(r);
    }
    return records;
  };
  for await (const text of decodeText(input as AsyncIterable<unknown>)) {
    reader.push(text);
    const records = drain();
    if (records.length) yield records;
  }
  reader.end();
  const records = drain();
  if (records.length) yield records;
}

/**
 * The input as text. The first SNIFF_BYTES are checked for binary content first. Text is UTF-8
 * unless its first non-ASCII byte does not start a UTF-8 character: then the whole file is read
 * as Windows-1252 (what Excel writes for "CSV (Comma delimited)" on Windows). Invalid UTF-8 after
 * a valid non-ASCII character becomes U+FFFD. String chunks are taken as UTF-8.
 */
async function* decodeText(input: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new AutoDecoder();
  let head: Buffer[] | null = [];
  let headBytes = 0;
  for await (const chunk of input) {
    const bytes = toBuffer(chunk);
    if (head === null) {
      yield decoder.write(bytes);
      continue;
    }
    head.push(bytes);
    headBytes += bytes.length;
    if (headBytes < SNIFF_BYTES) continue;
    const first = Buffer.concat(head);
    head = null;
    checkIsText(first);
    yield decoder.write(first);
  }
  if (head !== null) {
    const first = Buffer.concat(head);
    if (first.length === 0) return;
    checkIsText(first);
    yield decoder.write(first);
  }
  yield decoder.end();
}

/** Windows-1252 where it differs from Latin-1 (0x80–0x9F); the five unassigned bytes stay as they are. */
const CP1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function windows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return /[\x80-\x9f]/.test(text)
    ? text.replace(/[\x80-\x9f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80])
    : text;
}

/** Bytes in the UTF-8 sequence a lead byte starts; 0 for a byte that cannot start one. */
function utf8Length(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Decodes UTF-8, or Windows-1252 if the first non-ASCII byte does not start a UTF-8 character. */
class AutoDecoder {
  private mode: 'ascii' | 'utf8' | 'cp1252' = 'ascii';
  private readonly utf8 = new StringDecoder('utf8');
  /** In 'ascii' mode: the start of the first non-ASCII character, cut by the end of a chunk. */
  private pending: Buffer | null = null;

  write(chunk: Buffer): string {
    if (this.mode === 'utf8') return this.utf8.write(chunk);
    if (this.mode === 'cp1252') return windows1252(chunk);
    const bytes = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    if (isAscii(bytes)) return bytes.toString('latin1');
    let first = 0;
    while (bytes[first] < 0x80) first++;
    const length = utf8Length(bytes[first]);
    if (length !== 0 && first + length > bytes.length) {
      this.pending = Buffer.from(bytes.subarray(first));
      return bytes.toString('latin1', 0, first);
    }
    if (length !== 0 && isUtf8(bytes.subarray(first, first + length))) {
      this.mode = 'utf8';
      return this.utf8.write(bytes);
    }
    this.mode = 'cp1252';
    return windows1252(bytes);
  }

  end(): string {
    if (this.mode === 'utf8') return this.utf8.end();
    const rest = this.pending;
    this.pending = null;
    return rest === null ? '' : windows1252(rest);
  }
}

// ---------------------------------------------------------------------------------------------
// CSV records

/** A record of the file: its fields, or why it could not be read. */
export interface CsvRecord {
  /** Physical line the record starts on. */
  line: number;
  /** Empty when `error` is set. */
  fields: string[];
  error?: string;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;
const BOM = 0xfeff;
const MAX_RECORD_CHARS = 1 << 20;

// Sticky runs: after `test`, lastIndex is the first position at or after the start holding one of
// the excluded characters (or the end of the text). No match object is allocated.
const PLAIN_RUN = /[^\r\n"]*/y;
const FIELD_RUN = /[^,\r\n]*/y;
const LINE_RUN = /[^\r\n]*/y;

function runEnd(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
}

function lineBreakLength(text: string, at: number): number {
  return text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
}

/** CRLF, LF and lone CR each count once. */
function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}

interface PartialRecord {
  fields: string[];
  /** Start of the current field (its opening quote when quoted). */
  fieldStart: number;
  /** Where scanning resumes when more text arrives. */
  scan: number;
  /** At the start of a field: blanks then a quote make it quoted. */
  atFieldStart: boolean;
  quoted: boolean;
  /** The quoted field holds a doubled quote. */
  escaped: boolean;
  /** Line breaks inside the quoted fields read so far. */
  lines: number;
}

/**
 * Incremental RFC 4180 reader: comma-separated, fields optionally in double quotes (`""` for a
 * quote, line breaks allowed inside), records ended by CRLF, LF or CR, in any mix. Lenient where
 * the meaning is clear: a quote inside an unquoted field is a character (`5'10" tall`), blanks may
 * surround a quoted field, a leading UTF-8 BOM is dropped. Empty lines yield nothing.
 *
 * A record it cannot read is yielded with an `error` at its first line, and reading resumes at the
 * next line: text after a closing quote (`"Acme" Inc`), a quote never closed, or a record longer
 * than `maxRecordChars` (which bounds memory). Resuming at the next line means the rows a stray
 * quote swallowed are read again rather than lost.
 *
 * Usage: `push` text, then `read` until null (more text needed); after `end`, null means done.
 * Work is linear in the input whatever the chunking.
 */
export class CsvReader {
  private buf = '';
  /** Start of the current record in `buf`, or the position a skip resumes from. */
  private pos = 0;
  /** Physical line at `pos`. */
  private line = 1;
  private ended = false;
  private started = false;
  /** Discarding up to the next line break, after a record that could not be read. */
  private skipping = false;
  private partial: PartialRecord | null = null;

  constructor(private readonly maxRecordChars = MAX_RECORD_CHARS) {}

  push(text: string): void {
    if (text === '') return;
    const shift = this.pos;
    if (shift === 0) {
      this.buf += text;
      return;
    }
    this.buf = this.buf.slice(shift) + text;
    this.pos = 0;
    if (this.partial !== null) {
      this.partial.fieldStart -= shift;
      this.partial.scan -= shift;
    }
  }

  end(): void {
    this.ended = true;
  }

  read(): CsvRecord | null {
    for (;;) {
      const buf = this.buf;
      const len = buf.length;
      if (!this.started) {
        if (len === 0) return null;
        this.started = true;
        if (buf.charCodeAt(0) === BOM) this.pos = 1;
      }
      if (this.skipping) {
        if (!this.skipLine()) return null;
        continue;
      }
      const start = this.pos;
      if (start >= len) return null;

      if (this.partial === null) {
        const c = buf.charCodeAt(start);
        if (c === LF || c === CR) {
          if (c === CR && start + 1 === len && !this.ended) return null;
          this.pos = start + lineBreakLength(buf, start);
          this.line++;
          continue;
        }
        // The common case: a whole line without quotes.
        const end = runEnd(PLAIN_RUN, buf, start);
        if (end < len && buf.charCodeAt(end) !== QUOTE) {
          if (buf.charCodeAt(end) === CR && end + 1 === len && !this.ended) return null;
          if (end - start > this.maxRecordChars) return this.tooLong();
          const line = this.line;
          this.pos = end + lineBreakLength(buf, end);
          this.line = line + 1;
          return { line, fields: buf.slice(start, end).split(',') };
        }
        if (end === len && this.ended) {
          if (end - start > this.maxRecordChars) return this.tooLong();
          this.pos = len;
          return { line: this.line, fields: buf.slice(start).split(',') };
        }
        this.partial = {
          fields: [],
          fieldStart: start,
          scan: start,
          atFieldStart: true,
          quoted: false,
          escaped: false,
          lines: 0,
        };
      }

      const record = this.continueRecord(this.partial);
      if (record !== null) return record;
      return this.pastLimit(len) ? this.tooLong() : null;
    }
  }

  /** Reads on in the slow path (a quote on the line, or a line cut by the end of the text). */
  private continueRecord(part: PartialRecord): CsvRecord | null {
    const buf = this.buf;
    const len = buf.length;
    const ended = this.ended;
    for (;;) {
      if (part.quoted) {
        const q = buf.indexOf('"', part.scan);
        if (q === -1) {
          if (!ended) {
            part.scan = len;
            return null;
          }
          return this.broken('a quoted field is never closed (a " is missing)', len);
        }
        if (q + 1 === len && !ended) {
          part.scan = q;
          return null;
        }
        if (buf.charCodeAt(q + 1) === QUOTE) {
          part.escaped = true;
          part.scan = q + 2;
          continue;
        }
        let after = q + 1;
        while (after < len && isBlank(buf.charCodeAt(after))) after++;
        if (after === len && !ended) {
          part.scan = q;
          return null;
        }
        const c = after < len ? buf.charCodeAt(after) : -1;
        if (c !== COMMA && c !== LF && c !== CR && c !== -1) {
          return this.broken(
            'text after a closing quote (a quoted field must end at a comma)',
            after,
          );
        }
        if (c === CR && after + 1 === len && !ended) {
          part.scan = q;
          return null;
        }
        const raw = buf.slice(part.fieldStart + 1, q);
        part.fields.push(part.escaped ? raw.replaceAll('""', '"') : raw);
        part.lines += countLineBreaks(raw);
        part.quoted = false;
        part.escaped = false;
        if (c !== COMMA) return this.complete(after);
        part.fieldStart = part.scan = after + 1;
        part.atFieldStart = true;
        continue;
      }
      if (part.atFieldStart) {
        let first = part.fieldStart;
        while (first < len && isBlank(buf.charCodeAt(first))) first++;
        if (first === len && !ended) return null;
        part.atFieldStart = false;
        if (buf.charCodeAt(first) === QUOTE) {
          part.quoted = true;
          part.fieldStart = first;
          part.scan = first + 1;
          continue;
        }
        part.scan = first;
      }
      const end = runEnd(FIELD_RUN, buf, part.scan);
      if (end === len) {
        if (!ended) {
          part.scan = len;
          return null;
        }
        part.fields.push(buf.slice(part.fieldStart));
        return this.complete(len);
      }
      const c = buf.charCodeAt(end);
      if (c === CR && end + 1 === len && !ended) {
        part.scan = end;
        return null;
      }
      part.fields.push(buf.slice(part.fieldStart, end));
      if (c !== COMMA) return this.complete(end);
      part.fieldStart = part.scan = end + 1;
      part.atFieldStart = true;
    }
  }

  /** The record ends at `end` (its line break, or the end of the text). */
  private complete(end: number): CsvRecord {
    if (end - this.pos > this.maxRecordChars) return this.tooLong();
    const part = this.partial as PartialRecord;
    this.partial = null;
    const line = this.line;
    this.pos = end < this.buf.length ? end + lineBreakLength(this.buf, end) : end;
    this.line = line + part.lines + 1;
    return { line, fields: part.fields };
  }

  /** The same reason wherever the text was cut, so a file gets the same report however it streams. */
  private tooLong(): CsvRecord {
    const size = this.maxRecordChars.toLocaleString('en-US');
    return this.fail(
      `the record is longer than ${size} characters (or a quote on this line is never closed)`,
    );
  }

  /**
   * Whether text up to `end` (exclusive) is more than a record may hold, before its end is known.
   * One more than the limit: a record of exactly the limit may be waiting to see whether an LF
   * follows its CR.
   */
  private pastLimit(end: number): boolean {
    return end - this.pos > this.maxRecordChars + 1;
  }

  /**
   * A record that cannot be read, as seen at `at`. Past the limit it is reported as too long,
   * as it would have been had the text been cut before `at`.
   */
  private broken(error: string, at: number): CsvRecord {
    return this.pastLimit(at) ? this.tooLong() : this.fail(error);
  }

  /** Reports the record at its first line and resumes reading at the line after. */
  private fail(error: string): CsvRecord {
    this.partial = null;
    this.skipping = true;
    return { line: this.line, fields: [], error };
  }

  /** Drops text up to and including the next line break; false when more text is needed. */
  private skipLine(): boolean {
    const buf = this.buf;
    const len = buf.length;
    const end = runEnd(LINE_RUN, buf, this.pos);
    if (end === len || (end + 1 === len && buf.charCodeAt(end) === CR && !this.ended)) {
      this.pos = end;
      if (end === len && this.ended) this.skipping = false;
      return false;
    }
    this.pos = end + lineBreakLength(buf, end);
    this.line++;
    this.skipping = false;
    return true;
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

// ---------------------------------------------------------------------------------------------
// Field values

/** A cell without surrounding blanks, and without Excel's `="..."` text wrapper. */
function cellText(raw: string): string {
  const s = raw.trim();
  if (s.charCodeAt(0) === 61 && s.length >= 3 && s.startsWith('="') && s.endsWith('"')) {
    return s.slice(2, -1).trim();
  }
  return s;
}

const MESSY_SPACE = /[\t\n\v\f\r\u00a0\u2028\u2029]| {2}/;

/** A one-line text value: blanks trimmed, inner runs of white space (line breaks too) as one space. */
function oneLine(raw: string): string | null {
  const s = cellText(raw);
  if (s === '') return null;
  return MESSY_SPACE.test(s) ? s.replace(/\s+/g, ' ') : s;
}

/** Bounded memo: a Map emptied when it gets large (lists repeat the same states and countries). */
function memo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      if (cache.size >= limit) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value as V;
  };
}

/** `' São-Tomé & Príncipe '` → `'saotomeandprincipe'`. */
function compactKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '');
}

// Phones ----------------------------------------------------------------------------------------

const NANP_COUNTRIES = new Set<string>(
  getCountries().filter((c) => getCountryCallingCode(c) === '1'),
);
/** `(310) 555-1234`, `310.555.1234`, `+1 310 555 1234`, `1-310-555-1234`, `3105551234`. */
/**
 * What libphonenumber-js starts a number at (its PLUS_CHARS and VALID_DIGITS, ASCII, full-width,
 * Arabic-Indic and Persian digits): a text with none of these is never a number.
 */
const NUMBER_START = /[+\uFF0B0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/;
const NANP_SHAPE = /^(?:(\+\s*)?1[\s.-]*)?\(?\s*([2-9]\d\d)\s*\)?[\s.-]*(\d{3})[\s.-]*(\d{4})$/;

/**
 * Whether a NANP number is valid, by its first six digits (area code and exchange). It is what
 * libphonenumber answers for the whole number: its NANP patterns never look past the sixth digit
 * (checked for all 800,000 area codes and exchanges, and sampled by the tests). Parsing every
 * number would cost 10–20 µs each; this makes the common North American number a regex and a
 * lookup. A prefix seen for the first time is checked as a US number first (a `PhoneNumber`
 * without a country is checked against the US plan: half the cost of a parse), which implies
 * valid; only the others (Canada, the Caribbean, invalid ones) take the full parse.
 */
const nanpValidity = new Uint8Array(1_000_000); // by area code and exchange: 0 unknown, 1 valid, 2 not

function nanpPrefixValid(areaCode: string, exchange: string): boolean {
  const index = Number(areaCode) * 1000 + Number(exchange);
  if (nanpValidity[index] === 0) {
    const e164 = `+1${areaCode}${exchange}0000` as E164Number;
    const valid =
      new PhoneNumber(e164).isValid() || Boolean(parsePhoneNumberFromString(e164)?.isValid());
    nanpValidity[index] = valid ? 1 : 2;
  }
  return nanpValidity[index] === 1;
}

export interface Phone {
  /** E.164. */
  number: string;
  ext?: string;
}

/**
 * A phone number in E.164 when valid (libphonenumber, minimal metadata), read in `country`
 * unless it carries its own country code; null when not a valid number.
 */
export function normalizePhone(raw: string, country: string): Phone | null {
  const text = raw.trim();
  const nanp = NANP_SHAPE.exec(text);
  const international = nanp?.[1] !== undefined;
  if (nanp !== null && (international || NANP_COUNTRIES.has(country))) {
    if (nanpPrefixValid(nanp[2], nanp[3])) return { number: `+1${nanp[2]}${nanp[3]}${nanp[4]}` };
    // Written without +1, a number no NANP plan claims may still match the default country's own
    // pattern (a 500 number in Puerto Rico): libphonenumber decides those.
    if (international) return null;
  }
  // libphonenumber finds a number only from a plus sign or a digit on; without one it throws and
  // catches an error inside (tens of µs, for every `n/a` of a list).
  if (!NUMBER_START.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  if (parsed === undefined || !parsed.isValid()) return null;
  return parsed.ext ? { number: parsed.number, ext: parsed.ext } : { number: parsed.number };
}

/** What lists write in a phone cell for "no number": the row may still have an alternate phone. */
const NO_NUMBER = /^(?:n\/?a|none|null|nil|unknown|tbd|no (?:phone|number)|not available|-+|\?+)$/i;

function invalidPhone(raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const reason = `invalid phone ${JSON.stringify(shown)}`;
  return /^\d(?:\.\d+)?e\+?\d+$/i.test(raw)
    ? `${reason} (a spreadsheet turned it into a number: format the column as text)`
    : reason;
}

// Countries -------------------------------------------------------------------------------------

const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US',
  us: 'US',
  unitedstatesofamerica: 'US',
  america: 'US',
  usofa: 'US',
  uk: 'GB',
  greatbritain: 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  holland: 'NL',
  thenetherlands: 'NL',
  korea: 'KR',
  republicofkorea: 'KR',
  russianfederation: 'RU',
  czechrepublic: 'CZ',
  uae: 'AE',
  hongkong: 'HK',
  macau: 'MO',
  ivorycoast: 'CI',
  burma: 'MM',
  vatican: 'VA',
  // ISO alpha-3 of the countries lists come from most often
  can: 'CA',
  mex: 'MX',
  gbr: 'GB',
  irl: 'IE',
  aus: 'AU',
  nzl: 'NZ',
  deu: 'DE',
  fra: 'FR',
  esp: 'ES',
  ita: 'IT',
  nld: 'NL',
  bel: 'BE',
  che: 'CH',
  aut: 'AT',
  swe: 'SE',
  nor: 'NO',
  dnk: 'DK',
  fin: 'FI',
  pol: 'PL',
  prt: 'PT',
  ind: 'IN',
  chn: 'CN',
  jpn: 'JP',
  kor: 'KR',
  bra: 'BR',
  arg: 'AR',
  zaf: 'ZA',
  isr: 'IL',
  are: 'AE',
  sgp: 'SG',
  phl: 'PH',
  pri: 'PR',
};

const COUNTRY_BY_NAME: Map<string, string> = (() => {
  const names = new Map<string, string>();
  let display: Intl.DisplayNames | undefined;
  try {
    display = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    display = undefined; // a Node without ICU data: codes and aliases still work
  }
  for (const code of getCountries()) {
    names.set(code.toLowerCase(), code);
    const name = display?.of(code);
    if (name === undefined || name === code) continue;
    names.set(compactKey(name), code);
    const short = name.replace(/\s*\(.*\)\s*$/, ''); // 'Myanmar (Burma)' → 'Myanmar'
    if (short !== name) names.set(compactKey(short), code);
  }
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) names.set(alias, code);
  return names;
})();

/** Placeholders that are not Namibia (NA) or anything else. */
const NO_COUNTRY = new Set(['na', 'none', 'unknown', 'other']);

/** ISO 3166 alpha-2 for a country column value (`US`, `usa`, `United States`, `Canada`), or null. */
export const countryCode = memo(10_000, (text: string): string | null => {
  const key = compactKey(text);
  if (NO_COUNTRY.has(key)) return null;
  return COUNTRY_BY_NAME.get(key) ?? COUNTRY_BY_NAME.get(key.replace(/^the/, '')) ?? null;
});

// States ----------------------------------------------------------------------------------------

const US_STATES: Record<string, string> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'District of Columbia',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  PR: 'Puerto Rico',
  VI: 'US Virgin Islands',
  GU: 'Guam',
  AS: 'American Samoa',
  MP: 'Northern Mariana Islands',
  AA: 'Armed Forces Americas',
  AE: 'Armed Forces Europe',
  AP: 'Armed Forces Pacific',
};
const CA_PROVINCES: Record<string, string> = {
  AB: 'Alberta',
  BC: 'British Columbia',
  MB: 'Manitoba',
  NB: 'New Brunswick',
  NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia',
  NT: 'Northwest Territories',
  NU: 'Nunavut',
  ON: 'Ontario',
  PE: 'Prince Edward Island',
  QC: 'Quebec',
  SK: 'Saskatchewan',
  YT: 'Yukon',
};

function regionTable(codes: Record<string, string>, extra: Record<string, string>) {
  const table = new Map<string, string>();
  for (const [code, name] of Object.entries(codes)) {
    table.set(code.toLowerCase(), code);
    table.set(compactKey(name), code);
  }
  for (const [name, code] of Object.entries(extra)) table.set(compactKey(name), code);
  return table;
}

const US_STATE_KEYS = regionTable(US_STATES, {
  'Washington DC': 'DC',
  'Washington D.C.': 'DC',
  'Virgin Islands': 'VI',
  'U.S. Virgin Islands': 'VI',
});
const CA_PROVINCE_KEYS = regionTable(CA_PROVINCES, {
  Newfoundland: 'NL',
  PEI: 'PE',
  'Yukon Territory': 'YT',
  PQ: 'QC',
});

/** Countries using US states and ZIP codes: the US and its territories. */
const US_POSTAL = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP']);

const stateCode = memo(10_000, (key: string): string | null => {
  const [country, text] = [key.slice(0, 2), key.slice(3)];
  const table = US_POSTAL.has(country) ? US_STATE_KEYS : CA_PROVINCE_KEYS;
  return table.get(compactKey(text)) ?? null;
});

/**
 * Two-letter state for US (and US territory) rows and province for Canadian ones, from a code or a
 * full name (`ca`, `N.Y.`, `California`, `Québec`); any other value as trimmed text. A row with a
 * North American phone (`nanp`) whose country is another, or whose state belongs to the other
 * side of the border (`fl` in a list read as Canadian), still gets the code: the calling rules of
 * a state (Florida's hours, daily limits) go by it.
 */
export function normalizeState(raw: string, country: string, nanp = false): string | null {
  const text = oneLine(raw);
  if (text === null) return null;
  const own = US_POSTAL.has(country) || country === 'CA' ? stateCode(`${country}|${text}`) : null;
  if (own !== null) return own;
  if (nanp) return stateCode(`US|${text}`) ?? stateCode(`CA|${text}`) ?? text;
  return text;
}

// ZIP codes -------------------------------------------------------------------------------------

/** A US ZIP (5 digits, 3–5 when a spreadsheet dropped leading zeros), optionally with its +4 part. */
const US_ZIP = /^(\d{3,5})(?:[\s-]?\d{4})?$/;
const CA_POSTAL = /^([A-Z]\d[A-Z])\s*(\d[A-Z]\d)$/;

/**
 * US rows: the five-digit ZIP; ZIP+4 is cut to five; three or four digits are padded with leading
 * zeros, always (no US ZIP is shorter than five digits, so a short one is a spreadsheet's doing:
 * `2134` → `02134`); anything else is null. Canadian rows: `A1A 1A1` when it has that shape.
 * Other countries: the trimmed text.
 */
export function normalizeZip(raw: string, country: string): string | null {
  const text = oneLine(raw);
  if (text === null) return null;
  if (US_POSTAL.has(country)) {
    const zip = US_ZIP.exec(text);
    return zip === null ? null : zip[1].padStart(5, '0');
  }
  if (country === 'CA') {
    const postal = CA_POSTAL.exec(text.toUpperCase());
    if (postal !== null) return `${postal[1]} ${postal[2]}`;
  }
  return text;
}

// Company size ----------------------------------------------------------------------------------

const SIZE_NUMBER = /(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(k|thousand|m|mm|million)?\b/;
const INT_MAX = 2_147_483_647;

/**
 * Employees as a whole number: the lower bound of what is written (`1,200` → 1200, `50-99` → 50,
 * `10,000+` → 10000, `2.5k` → 2500; `<10`, `under 10`, `less than 10` → 1). Null without a number,
 * for a negative one, or past a PostgreSQL integer.
 */
export function parseEmployees(raw: string): number | null {
  // The usual cell, a plain number of at most nine digits (always within range), without regexes.
  if (raw.length > 0 && raw.length <= 9 && isDigits(raw)) return Number(raw);
  const text = raw.trim().toLowerCase();
  const found = SIZE_NUMBER.exec(text);
  if (found === null || /^-\s*\d/.test(text)) return null;
  if (/^(?:<|less than|fewer than|under|up to)/.test(text)) return 1;
  const unit = found[3];
  const scale = unit === undefined ? 1 : unit === 'k' || unit === 'thousand' ? 1_000 : 1_000_000;
  const exact = Number(`${found[1].replace(/,/g, '')}.${found[2] ?? '0'}`) * scale;
  const rounded = Math.round(exact);
  const value = Math.abs(exact - rounded) < 1e-6 ? rounded : Math.floor(exact); // 2.3k is 2300
  return Number.isSafeInteger(value) && value <= INT_MAX ? value : null;
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// Email -----------------------------------------------------------------------------------------

const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}[\p{L}\p{N}-]*[\p{L}\p{N}]$/u;

/**
 * Lower-cased address, or null when there is none that looks valid. Accepts `mailto:` and
 * `Name <address>`, and takes the first valid one of a list (`a@x.com; b@y.com`).
 */
export function normalizeEmail(raw: string): string | null {
  let text = cellText(raw).toLowerCase();
  if (text === '') return null;
  if (text.startsWith('mailto:')) text = text.slice(7);
  const angled = text.includes('<') ? /<([^<>]*)>/.exec(text) : null;
  if (angled !== null) text = angled[1].trim();
  if (text.length <= 254 && EMAIL.test(text)) return text;
  return text.split(/[\s,;]+/).find((part) => part.length <= 254 && EMAIL.test(part)) ?? null;
}

// Names -----------------------------------------------------------------------------------------

const HONORIFIC = /^(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+/i;
const NAME_SUFFIX = /^(?:jr|sr|ii|iii|iv|v|phd|md|esq|cpa|dds)\.?$/i;

/**
 * First and last name from a full name: `Jane Q. Public` → Jane / Q. Public (the first word is the
 * first name, the rest the last name, so nothing is lost), `Public, Jane` → Jane / Public,
 * `Dr. Jane Public` → Jane / Public, `Cher` → Cher / null.
 */
export function splitName(full: string): { firstName: string | null; lastName: string | null } {
  let name = full.trim().replace(/\s+/g, ' ');
  const comma = name.indexOf(',');
  if (comma !== -1) {
    const before = name.slice(0, comma).trim();
    const after = name.slice(comma + 1).trim();
    if (NAME_SUFFIX.test(after)) name = `${before} ${after}`;
    else if (before !== '' && after !== '') {
      return { firstName: after.replace(HONORIFIC, '') || after, lastName: before };
    } else name = before || after;
  }
  const words = name.split(' ');
  if (words.length > 1 && HONORIFIC.test(`${words[0]} `)) words.shift();
  const firstName = words[0] || null;
  const lastName = words.slice(1).join(' ') || null;
  return { firstName, lastName };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** Where each field is in a record (-1: no such column), worked out once from the header. */
interface RowPlan {
  headerLine: number;
  width: number;
  defaultCountry: string;
  phone: number;
  alts: number[];
  company: number;
  firstName: number;
  lastName: number;
  fullName: number;
  title: number;
  email: number;
  website: number;
  street: number;
  city: number;
  state: number;
  zip: number;
  country: number;
  employees: number;
  industry: number;
  custom: { index: number; name: string }[];
  /** Custom field for the phone's extension, unless a column already has that name. */
  extensionKey: string | null;
  maxCustomChars: number;
}

function headerPlan(record: CsvRecord, defaultCountry: string, opts: ParseOptions): RowPlan {
  if (record.error !== undefined) {
    throw new ImportFileError(
      `The header row (line ${record.line}) cannot be read: ${record.error}.`,
    );
  }
  const maxColumns = opts.maxColumns ?? MAX_COLUMNS;
  if (record.fields.length > maxColumns) {
    throw new ImportFileError(
      `The header row (line ${record.line}) has ${record.fields.length.toLocaleString('en-US')} columns: ` +
        `a contact list may have at most ${maxColumns.toLocaleString('en-US')}. ` +
        'Remove the columns nobody needs for calling and upload it again. Nothing was imported.',
    );
  }
  const header = record.fields.map((h) => h.trim());
  if (header.some((h) => h.includes('\0'))) {
    throw new ImportFileError(
      `This is not a CSV file: it contains binary data (NUL bytes). ${NOT_CSV_HINT}`,
    );
  }
  const map: ColumnMap = mapHeader(header);
  if (!map.hasPhone) throw new ImportFileError(noPhoneMessage(header, record.line));

  const at = (field: string) => map.fields.indexOf(field as ColumnMap['fields'][number]);
  const custom: RowPlan['custom'] = [];
  const alts: number[] = [];
  map.fields.forEach((f, index) => {
    if (typeof f === 'object') custom.push({ index, name: f.custom });
    else if (f === 'altPhone') alts.push(index);
  });
  const phone = at('phone');
  const extensionKey = `${header[phone] || 'phone'} extension`;
  return {
    headerLine: record.line,
    width: header.length,
    defaultCountry,
    phone,
    alts,
    company: at('company'),
    firstName: at('firstName'),
    lastName: at('lastName'),
    fullName: at('fullName'),
    title: at('title'),
    email: at('email'),
    website: at('website'),
    street: at('street'),
    city: at('city'),
    state: at('state'),
    zip: at('zip'),
    country: at('country'),
    employees: at('employees'),
    industry: at('industry'),
    custom,
    extensionKey: custom.some((c) => c.name === extensionKey) ? null : extensionKey,
    maxCustomChars: opts.maxCustomChars ?? MAX_CUSTOM_CHARS,
  };
}

function noPhoneMessage(header: string[], line: number): string {
  const shown = header
    .slice(0, 12)
    .map((h) => JSON.stringify(h.length > 40 ? `${h.slice(0, 40)}…` : h))
    .join(', ');
  const more = header.length > 12 ? `, … (${header.length} columns)` : '';
  let message =
    `No phone column: none of the column names in the header row (line ${line}: ${shown}${more}) ` +
    'is a phone column. Name it "Phone" (or "Phone Number", "Telephone", "Mobile", …).';
  const separator = header.length === 1 ? /[;\t|]/.exec(header[0])?.[0] : undefined;
  if (separator !== undefined) {
    const name = separator === '\t' ? 'tabs' : `"${separator}"`;
    message += ` The file seems to separate columns with ${name}; save it with commas instead.`;
  }
  return message;
}

function isBlankRecord(fields: string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

function textAt(fields: string[], index: number): string | null {
  return index < 0 ? null : oneLine(fields[index]);
}

/** The event for one record after the header; null for a blank record (skipped). */
function contactEvent(record: CsvRecord, plan: RowPlan, checkNul: boolean): ParseEvent | null {
  const { line, fields } = record;
  if (record.error !== undefined) return { kind: 'invalid', line, reason: record.error };
  if (isBlankRecord(fields)) return null;
  if (fields.length !== plan.width) {
    return {
      kind: 'invalid',
      line,
      reason: `expected ${plan.width} fields, found ${fields.length}`,
    };
  }
  if (checkNul && fields.some((f) => f.includes('\0'))) {
    return { kind: 'invalid', line, reason: 'contains binary data (a NUL character)' };
  }

  const countryText = textAt(fields, plan.country);
  const country = (countryText !== null && countryCode(countryText)) || plan.defaultCountry;

  // The phone column; when it is empty or says there is none (`n/a`), the first valid alternate
  // phone takes its place.
  const phoneText = cellText(fields[plan.phone]);
  let phone: Phone | null = null;
  if (phoneText !== '') {
    phone = normalizePhone(phoneText, country);
    if (phone === null && !NO_NUMBER.test(phoneText)) {
      return { kind: 'invalid', line, reason: invalidPhone(phoneText) };
    }
  }
  const altPhones: string[] = [];
  let badAlt: string | null = null;
  for (const index of plan.alts) {
    const altText = cellText(fields[index]);
    if (altText === '') continue;
    const alt = normalizePhone(altText, country);
    if (alt === null) badAlt ??= altText;
    else if (phone === null) phone = alt;
    else if (alt.number !== phone.number && !altPhones.includes(alt.number)) {
      altPhones.push(alt.number);
    }
  }
  if (phone === null) {
    return {
      kind: 'invalid',
      line,
      reason:
        badAlt !== null
          ? invalidPhone(badAlt)
          : phoneText !== ''
            ? invalidPhone(phoneText)
            : 'missing phone',
    };
  }

  const state =
    plan.state < 0
      ? null
      : normalizeState(fields[plan.state], country, phone.number.startsWith('+1'));
  // No country given, a +1 number and a Canadian province: a Canadian contact in a US list
  // (its postal code is then read as Canadian, not dropped as no ZIP).
  const rowCountry =
    countryText === null &&
    US_POSTAL.has(country) &&
    state !== null &&
    Object.hasOwn(CA_PROVINCES, state) &&
    phone.number.startsWith('+1')
      ? 'CA'
      : country;

  let firstName = textAt(fields, plan.firstName);
  let lastName = textAt(fields, plan.lastName);
  if (firstName === null && lastName === null && plan.fullName >= 0) {
    const full = textAt(fields, plan.fullName);
    if (full !== null) ({ firstName, lastName } = splitName(full));
  }

  const custom: Record<string, string> = {};
  let customChars = 0;
  for (const { index, name } of plan.custom) {
    const value = cellText(fields[index]);
    if (value !== '') {
      setOwn(custom, name, value);
      customChars += name.length + value.length;
    }
  }
  if (phone.ext !== undefined && plan.extensionKey !== null) {
    setOwn(custom, plan.extensionKey, phone.ext);
    customChars += plan.extensionKey.length + phone.ext.length;
  }
  if (customChars > plan.maxCustomChars) {
    return {
      kind: 'invalid',
      line,
      reason:
        `its own columns (those that are no contact field) hold ${customChars.toLocaleString('en-US')} characters: ` +
        `at most ${plan.maxCustomChars.toLocaleString('en-US')} per contact`,
    };
  }

  const employees = plan.employees < 0 ? null : parseEmployees(fields[plan.employees]);
  return {
    kind: 'row',
    row: {
      line,
      phone: phone.number,
      altPhones,
      company: textAt(fields, plan.company),
      firstName,
      lastName,
      title: textAt(fields, plan.title),
      email: plan.email < 0 ? null : normalizeEmail(fields[plan.email]),
      website: textAt(fields, plan.website),
      street: textAt(fields, plan.street),
      city: textAt(fields, plan.city),
      state,
      zip: plan.zip < 0 ? null : normalizeZip(fields[plan.zip], rowCountry),
      country: rowCountry,
      employees,
      industry: textAt(fields, plan.industry),
      custom,
    },
  };
}

/** Sets a key even when it is `__proto__` (a header may say anything). */
function setOwn(target: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}
