import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import {
  countryCode,
  CsvReader,
  ImportFileError,
  normalizeEmail,
  normalizePhone,
  normalizeState,
  normalizeZip,
  parseContactBatches,
  parseContacts,
  parseEmployees,
  splitName,
  type ContactRow,
  type CsvRecord,
  type ParseEvent,
  type ParseOptions,
} from './parse-contacts';

const FIXTURES = join(__dirname, '../../../test/fixtures');
const US: ParseOptions = { defaultCountry: 'US' };

async function* chunksOf(data: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

type Input = Parameters<typeof parseContacts>[0];

async function events(
  data: string | Buffer | Input,
  opts: ParseOptions = US,
  chunkSize = 64 * 1024,
): Promise<ParseEvent[]> {
  const input =
    typeof data === 'string' || Buffer.isBuffer(data) ? chunksOf(data, chunkSize) : data;
  const out: ParseEvent[] = [];
  for await (const event of parseContacts(input, opts)) out.push(event);
  return out;
}

/** The ImportFileError a file gets, checking that no event came before it. */
async function refusal(data: string | Buffer, chunkSize = 64 * 1024): Promise<string> {
  const seen: ParseEvent[] = [];
  try {
    for await (const event of parseContacts(chunksOf(data, chunkSize), US)) seen.push(event);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    expect(seen).toEqual([]);
    return (error as ImportFileError).message;
  }
  throw new Error(`expected an ImportFileError, got ${seen.length} events`);
}

const rows = (list: ParseEvent[]): ContactRow[] =>
  list.flatMap((e) => (e.kind === 'row' ? [e.row] : []));
const invalid = (line: number, reason: string): ParseEvent => ({ kind: 'invalid', line, reason });

/** A row with every field empty but those given. */
function row(fields: Partial<ContactRow> & Pick<ContactRow, 'line' | 'phone'>): ParseEvent {
  return {
    kind: 'row',
    row: {
      altPhones: [],
      company: null,
      firstName: null,
      lastName: null,
      title: null,
      email: null,
      website: null,
      street: null,
      city: null,
      state: null,
      zip: null,
      country: 'US',
      employees: null,
      industry: null,
      custom: {},
      ...fields,
    },
  };
}

describe(parseContactBatches.name, () => {
  it('gives the events of parseContacts, chunk by chunk, in order, never an empty batch', async () => {
    const file = join(FIXTURES, 'contacts-bad.csv');
    for (const chunkSize of [1, 7, 64, 65536]) {
      const batches: ParseEvent[][] = [];
      const input = chunksOf(readFileSync(file), chunkSize);
      for await (const batch of parseContactBatches(input, US)) batches.push(batch);
      expect(batches.every((b) => b.length > 0)).toBe(true);
      expect(batches.flat()).toEqual(await events(createReadStream(file)));
    }
  });
});

describe(parseContacts.name, () => {
  it('reports every row of the bad fixture: each bad line with its reason, each good row in full', async () => {
    const result = await events(createReadStream(join(FIXTURES, 'contacts-bad.csv')));
    const city = (c: string, state: string, zip: string) => ({ city: c, state, zip });
    expect(result).toEqual([
      row({
        line: 2,
        phone: '+12127365000',
        altPhones: ['+12127365001'],
        company: 'Acme Corp',
        firstName: 'Jane',
        lastName: 'Public',
        email: 'jane.public@acme.com',
        ...city('New York', 'NY', '10118'),
        employees: 1200,
        custom: { Notes: 'a good row' },
      }),
      // line 3: empty
      invalid(4, 'invalid phone "555-12"'),
      invalid(5, 'missing phone'),
      invalid(6, 'expected 10 fields, found 12'),
      invalid(7, 'expected 10 fields, found 3'),
      row({
        line: 8,
        phone: '+13127445000',
        company: 'Zeta, Inc.',
        firstName: 'Kim',
        lastName: 'Lee',
        email: 'kim@zeta.com',
        ...city('Chicago', 'IL', '60602'),
        employees: 5000,
        custom: { Notes: 'quoted, with a comma' },
      }),
      row({
        line: 9,
        phone: '+17132471000',
        company: 'Eta Ltd',
        firstName: 'Bo',
        lastName: 'Li',
        ...city('Houston', 'TX', '77002'),
        employees: 11,
        custom: { Notes: 'a note on\ntwo lines' },
      }),
      row({
        line: 11,
        phone: '+12063861234',
        company: 'Theta Group',
        firstName: 'Al',
        lastName: 'Ma',
        email: 'al@theta.com',
        ...city('Seattle', 'WA', '98104'),
        custom: { Notes: 'the row after a quoted line break' },
      }),
      invalid(12, 'text after a closing quote (a quoted field must end at a comma)'),
      // line 13: commas only
      invalid(
        14,
        'invalid phone "2.12737E+09" (a spreadsheet turned it into a number: format the column as text)',
      ),
      invalid(15, 'invalid phone "Phone"'),
      row({
        line: 16,
        phone: '+12127365000',
        company: 'Lambda LLC',
        firstName: 'Dee',
        lastName: 'Fox',
        email: 'dee@lambda.com',
        ...city('New York', 'NY', '10118'),
        custom: { Notes: 'the number of line 2 in another format' },
      }),
      invalid(17, 'invalid phone "call me"'),
      row({
        line: 18,
        phone: '+12024561111',
        company: 'Nu Co',
        firstName: 'Flo',
        lastName: 'Hart',
        email: 'flo@nu.com',
        ...city('Washington', 'DC', '20500'),
        custom: { Notes: 'only an alternate phone' },
      }),
      row({
        line: 19,
        phone: '+16022626011',
        company: 'Xi Ltd',
        firstName: 'Gus',
        lastName: 'Ives',
        email: 'gus@xi.com',
        ...city('Phoenix', 'AZ', '85003'),
        custom: { Notes: 'an extension', 'Phone extension': '204' },
      }),
      invalid(20, 'a quoted field is never closed (a " is missing)'),
      row({
        line: 21,
        phone: '+14155544001',
        company: 'Pi Corp',
        firstName: 'Ivy',
        lastName: 'King',
        email: 'ivy@pi.com',
        ...city('San Francisco', 'CA', '94102'),
        custom: { Notes: 'read again after the stray quote' },
      }),
      row({
        line: 22,
        phone: '+442079460958',
        company: 'Rho Co',
        firstName: 'Jo',
        lastName: 'Lamb',
        email: 'jo@rho.co.uk',
        city: 'London',
        custom: { Notes: 'a foreign number' },
      }),
    ]);
  });

  it('reads the good fixture, every row valid', async () => {
    const result = await events(createReadStream(join(FIXTURES, 'contacts-good.csv')));
    expect(result.every((e) => e.kind === 'row')).toBe(true);
    expect(
      rows(result).map((r) => [r.line, r.phone, r.altPhones, r.state, r.zip, r.country]),
    ).toEqual([
      [2, '+12127365000', ['+19173387750'], 'NY', '10118', 'US'],
      [3, '+16172531000', [], 'MA', '02139', 'US'],
      [4, '+13127445000', [], 'IL', '60602', 'US'],
      [5, '+15124632000', ['+13038662471'], 'TX', '78701', 'US'],
      [6, '+14169795000', [], 'ON', 'M5H 2N2', 'CA'],
    ]);
    expect(rows(result)[0]).toEqual({
      line: 2,
      phone: '+12127365000',
      altPhones: ['+19173387750'],
      company: 'Acme Corp',
      firstName: 'Jane',
      lastName: 'Public',
      title: 'VP Operations',
      email: 'jane@acme.example',
      website: 'www.acme.example',
      street: '350 Fifth Ave',
      city: 'New York',
      state: 'NY',
      zip: '10118',
      country: 'US',
      employees: 1200,
      industry: 'Manufacturing',
      custom: { 'Lead Source': 'Trade show' },
    });
  });

  it('gives the same events with or without a BOM, with CRLF, LF, CR or mixed line ends', async () => {
    const lines = [
      'Name,Phone,Notes',
      'Jane Public,(212) 736-5000,"a, b"',
      '',
      'John Roe,555-12,x',
      'Ann Lee,(617) 253-1000,"say ""hi"""',
    ];
    const lf = await events(lines.join('\n'));
    expect(lf).toEqual([
      row({
        line: 2,
        phone: '+12127365000',
        firstName: 'Jane',
        lastName: 'Public',
        custom: { Notes: 'a, b' },
      }),
      invalid(4, 'invalid phone "555-12"'),
      row({
        line: 5,
        phone: '+16172531000',
        firstName: 'Ann',
        lastName: 'Lee',
        custom: { Notes: 'say "hi"' },
      }),
    ]);
    const mixed = lines.map((l, i) => l + ['\r\n', '\n', '\r', '\r\n', ''][i]).join('');
    for (const text of [
      `\ufeff${lines.join('\n')}\n`,
      lines.join('\r\n'),
      `\ufeff${lines.join('\r\n')}\r\n`,
      lines.join('\r'),
      mixed,
    ]) {
      expect(await events(text)).toEqual(lf);
      expect(await events(text, US, 3)).toEqual(lf);
    }
  });

  it('reads quoted commas, doubled quotes and line breaks inside quotes', async () => {
    const text =
      'Company,Phone,Street,Notes\n' +
      '"Acme, Inc.","(212) 736-5000","350 Fifth Ave\nSuite 1",  "He said ""call me"", twice"  \n';
    expect(await events(text, US, 5)).toEqual([
      row({
        line: 2,
        phone: '+12127365000',
        company: 'Acme, Inc.',
        street: '350 Fifth Ave Suite 1',
        custom: { Notes: 'He said "call me", twice' },
      }),
    ]);
  });

  it('numbers rows by physical line: each line break inside quotes (LF, CRLF or CR) counts once', async () => {
    const text =
      'Name,Phone,Notes\r\n' +
      'A,(212) 736-5000,"one\r\ntwo\rthree\nfour"\r\n' +
      'B,(212) 736-5001,x\n' +
      '\n' +
      'C,(212) 736-5002,"\n"\r' +
      'D,(212) 736-5003,y';
    const lines = (await events(text, US, 2)).map((e) => (e.kind === 'row' ? e.row.line : e.line));
    expect(lines).toEqual([2, 6, 8, 10]);
  });

  it('skips empty lines and lines of empty fields, before and after the header, without counting them as rows', async () => {
    const text = '\n,,\n  \nName,Phone\n\n , \n,,\nJane,(212) 736-5000\n\r\n\t\n,\nAnn,\n';
    expect(await events(text)).toEqual([
      row({ line: 8, phone: '+12127365000', firstName: 'Jane' }),
      invalid(12, 'missing phone'),
    ]);
  });

  it('reports ragged rows with the number of fields expected and found', async () => {
    const text = 'Name,Phone,Email\nA,(212) 736-5000\nB,(212) 736-5000,b@x.com,extra,more\nC,,,\n';
    expect(await events(text)).toEqual([
      invalid(2, 'expected 3 fields, found 2'),
      invalid(3, 'expected 3 fields, found 5'),
      invalid(4, 'expected 3 fields, found 4'),
    ]);
  });

  it.each([
    ['(310) 555-1234', '+13105551234'],
    ['310.555.1234', '+13105551234'],
    ['+1 310 555 1234', '+13105551234'],
    ['1-310-555-1234', '+13105551234'],
    ['3105551234', '+13105551234'],
    ['13105551234', '+13105551234'],
    ['="3105551234"', '+13105551234'],
    ['  (212) 736-5000  ', '+12127365000'],
    ['212-736-5000 ext. 45', '+12127365000'],
    ['+44 20 7946 0958', '+442079460958'],
    ['(416) 979-5000', '+14169795000'],
  ])('reads the phone %j as %s', async (phone, e164) => {
    const [event] = await events(`Name,Phone\nJane,"${phone.replace(/"/g, '""')}"\n`);
    expect(event).toMatchObject({ kind: 'row', row: { phone: e164 } });
  });

  it.each([
    ['555-12', 'invalid phone "555-12"'],
    ['call me', 'invalid phone "call me"'],
    ['(012) 345-6789', 'invalid phone "(012) 345-6789"'],
    ['+1 999 123 4567', 'invalid phone "+1 999 123 4567"'],
    ['1'.repeat(60), `invalid phone "${'1'.repeat(40)}…"`],
    ['   ', 'missing phone'],
    ['=""', 'missing phone'],
  ])('reports the phone %j as %j', async (phone, reason) => {
    expect(await events(`Name,Phone\nJane,"${phone.replace(/"/g, '""')}"\n`)).toEqual([
      invalid(2, reason),
    ]);
  });

  it("reads each phone in its row's country, and keeps the default country when the column is not recognisable", async () => {
    const text = [
      'Name,Phone,Country,State,Zip',
      'A,020 7946 0958,UK,,SW1A 1AA',
      'B,(416) 979-5000,Canada,Ontario,m5h2n2',
      'C,(212) 736-5000,Narnia,new york,10118',
      'D,030 1234567,Germany,Berlin,10115',
      'E,(212) 736-5000,N/A,,',
      'F,020 7946 0958,,,',
    ].join('\n');
    expect(
      rows(await events(text)).map((r) => [r.firstName, r.phone, r.country, r.state, r.zip]),
    ).toEqual([
      ['A', '+442079460958', 'GB', null, 'SW1A 1AA'],
      ['B', '+14169795000', 'CA', 'ON', 'M5H 2N2'],
      ['C', '+12127365000', 'US', 'NY', '10118'],
      ['D', '+49301234567', 'DE', 'Berlin', '10115'],
      ['E', '+12127365000', 'US', null, null],
    ]);
    expect((await events(text)).at(-1)).toEqual(invalid(7, 'invalid phone "020 7946 0958"'));
    expect(rows(await events(text, { defaultCountry: 'gb' })).at(-1)).toMatchObject({
      phone: '+442079460958',
      country: 'GB',
    });
  });

  it('refuses an unknown default country, saying what to set instead', async () => {
    const failed = events('Name,Phone\n', { defaultCountry: 'UK' });
    await expect(failed).rejects.toThrow(ImportFileError);
    await expect(events('Name,Phone\n', { defaultCountry: 'UK' })).rejects.toThrow(
      /default country "UK" is not one phone numbers can be read in; set it to a code such as US or GB/,
    );
  });

  it('splits a full name when the row has no first or last name', async () => {
    const text = [
      'Name,Phone',
      'Jane Q. Public,(212) 736-5000',
      '"Public, Jane",(212) 736-5000',
      'Dr. Jane Public,(212) 736-5000',
      'Cher,(212) 736-5000',
      '  John   Smith Jr. ,(212) 736-5000',
    ].join('\n');
    expect(rows(await events(text)).map((r) => [r.firstName, r.lastName])).toEqual([
      ['Jane', 'Q. Public'],
      ['Jane', 'Public'],
      ['Jane', 'Public'],
      ['Cher', null],
      ['John', 'Smith Jr.'],
    ]);
  });

  it('prefers first and last name columns, and falls back to the full name only where both are empty', async () => {
    const text = [
      'First Name,Last Name,Contact Name,Phone',
      'Jane,,Someone Else,(212) 736-5000',
      ',,Ann Lee,(212) 736-5000',
    ].join('\n');
    expect(rows(await events(text)).map((r) => [r.firstName, r.lastName])).toEqual([
      ['Jane', null],
      ['Ann', 'Lee'],
    ]);
  });

  it('keeps valid alternate phones without the main phone or repeats, and uses one when the phone is empty', async () => {
    const text = [
      'Name,Phone,Mobile,Alt Phone,Phone 3',
      'A,(212) 736-5000,212-736-5001,(212) 736-5000,+1 212 736 5001',
      'B,(212) 736-5000,not a number,,212.736.5002',
      'C,,bad,(617) 253-1000,(312) 744-5000',
      'D,,,,',
      'E,,555-12,,',
      'F,n/a,(646) 555-0199,,',
      'G,N/A,,,',
      'H,555-01,(646) 555-0199,,',
    ].join('\n');
    expect(await events(text)).toEqual([
      row({ line: 2, phone: '+12127365000', altPhones: ['+12127365001'], firstName: 'A' }),
      row({ line: 3, phone: '+12127365000', altPhones: ['+12127365002'], firstName: 'B' }),
      row({ line: 4, phone: '+16172531000', altPhones: ['+13127445000'], firstName: 'C' }),
      invalid(5, 'missing phone'),
      invalid(6, 'invalid phone "555-12"'),
      // "No number" in the phone column: the mobile is the number to call.
      row({ line: 7, phone: '+16465550199', altPhones: [], firstName: 'F' }),
      invalid(8, 'invalid phone "N/A"'),
      // A number mistyped is not "no number": the row is reported, not quietly re-aimed.
      invalid(9, 'invalid phone "555-01"'),
    ]);
  });

  it('reads a Canadian contact of a US list as Canadian when no country is given, postal code kept', async () => {
    const text = [
      'phone,state,zip,country',
      '(416) 555-0100,ON,m5v 2t6,',
      '(416) 555-0101,Ontario,M5V 2T6,US',
      '(212) 736-5000,NY,10118,',
    ].join('\n');
    const found = (await events(text)).map((e) =>
      e.kind === 'row' ? [e.row.line, e.row.state, e.row.zip, e.row.country] : e,
    );
    expect(found).toEqual([
      [2, 'ON', 'M5V 2T6', 'CA'],
      // A country column says otherwise: it wins (and a US row keeps only a US ZIP).
      [3, 'ON', null, 'US'],
      [4, 'NY', '10118', 'US'],
    ]);
  });

  it('keeps unknown columns as custom fields with non-empty values, and a phone extension', async () => {
    const text =
      'Phone,Lead Source,Notes,,Lead Source,__proto__\n' +
      '(602) 262-6011 x204,  Trade show ,,x,"line 1\nline 2",p\n';
    const [event] = await events(text);
    expect(event).toEqual(
      row({
        line: 2,
        phone: '+16022626011',
        custom: {
          'Lead Source': 'Trade show',
          'column 4': 'x',
          'Lead Source (2)': 'line 1\nline 2',
          ['__proto__']: 'p',
          'Phone extension': '204',
        },
      }),
    );
    expect(Object.getPrototypeOf((event as { row: ContactRow }).row.custom)).toBe(Object.prototype);
  });

  it('normalises emails, and drops invalid ones without failing the row', async () => {
    const text = 'Phone,Email\n2127365000, Jane@Example.COM \n2127365001,not an email\n';
    expect(rows(await events(text)).map((r) => r.email)).toEqual(['jane@example.com', null]);
  });

  it('yields every valid row, duplicates included', async () => {
    const text = 'Phone\n(212) 736-5000\n212.736.5000\n+12127365000\n';
    expect(rows(await events(text)).map((r) => [r.line, r.phone])).toEqual([
      [2, '+12127365000'],
      [3, '+12127365000'],
      [4, '+12127365000'],
    ]);
  });

  it('reads Windows-1252 text when the file is not UTF-8', async () => {
    const latin = Buffer.concat([
      Buffer.from('Name,Phone,Company\nJos'),
      Buffer.from([0xe9]),
      Buffer.from(' Pe'),
      Buffer.from([0xf1]),
      Buffer.from('a,(212) 736-5000,Caf'),
      Buffer.from([0xe9, 0x92]),
      Buffer.from('s\n'),
    ]);
    for (const size of [1, 3, 1000]) {
      expect(rows(await events(latin, US, size))[0]).toMatchObject({
        firstName: 'José',
        lastName: 'Peña',
        company: 'Café’s',
      });
    }
  });

  it('decides the encoding by the first non-ASCII character', async () => {
    const utf8First = Buffer.concat([
      Buffer.from('Name,Phone\nJosé,(212) 736-5000\nJos'),
      Buffer.from([0xe9]), // Windows-1252 é after a UTF-8 one: a bad byte, replaced
      Buffer.from(',(212) 736-5001\n'),
    ]);
    const latinFirst = Buffer.concat([
      Buffer.from('Name,Phone\nJos'),
      Buffer.from([0xe9]),
      Buffer.from(',(212) 736-5000\nJosé,(212) 736-5001\n'), // UTF-8 after Windows-1252: two characters
    ]);
    for (const size of [1, 4, 1000]) {
      expect(rows(await events(utf8First, US, size)).map((r) => r.firstName)).toEqual([
        'José',
        'Jos\ufffd',
      ]);
      expect(rows(await events(latinFirst, US, size)).map((r) => r.firstName)).toEqual([
        'José',
        'JosÃ©',
      ]);
    }
  });

  it('reads UTF-8 characters cut between chunks', async () => {
    const text = 'Name,Phone,Company\nJosé Peña,(212) 736-5000,北京 😀 Café\n';
    for (const size of [1, 2, 3, 5]) {
      expect(rows(await events(text, US, size))[0]).toMatchObject({
        firstName: 'José',
        lastName: 'Peña',
        company: '北京 😀 Café',
      });
    }
  });

  it('accepts strings and a Node stream as input', async () => {
    async function* strings() {
      yield 'Name,Pho';
      yield 'ne\nJane,(212) 736-5000\n';
    }
    expect(rows(await events(strings()))).toHaveLength(1);
    expect(rows(await events(createReadStream(join(FIXTURES, 'contacts-good.csv'))))).toHaveLength(
      5,
    );
  });

  describe('refuses a file that cannot be imported, before yielding anything', () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), png]);
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    it.each<[string, string | Buffer, RegExp]>([
      ['a PNG image', png, /^This is not a CSV file: it looks like a PNG image\./],
      ['an Excel workbook (ZIP)', zip, /it looks like a ZIP archive \(an Excel \.xlsx workbook/],
      ['an old Excel workbook', xls, /it looks like an Excel \.xls workbook/],
      ['a PDF', '%PDF-1.7\n%âãÏÓ\n', /it looks like a PDF document/],
      ['a web page', '\n  <!DOCTYPE html>\n<html>', /it looks like an HTML or XML document/],
      ['NUL bytes', 'Name,Phone\nJane\0\0\0,2127365000\n', /it contains binary data \(NUL bytes\)/],
      ['UTF-16 text', Buffer.from('\ufeffName,Phone\n', 'utf16le'), /saved as UTF-16/],
      ['an empty file', '', /^The file is empty/],
      ['a file of empty lines', '\ufeff\r\n\r\n,,,\n  \n', /^The file is empty/],
      ['a header only', 'Name,Phone\r\n\r\n,\n', /header row \(line 1\) but no contacts below it/],
      [
        'a header without a phone column',
        '\nName,Email,Fax\nJane,j@x.com,2127365000\n',
        /^No phone column: none of the column names in the header row \(line 2: "Name", "Email", "Fax"\) is a phone column\. Name it "Phone"/,
      ],
      [
        'a file separated by semicolons',
        'Name;Phone\nJane;2127365000\n',
        /The file seems to separate columns with ";"; save it with commas instead\./,
      ],
      [
        'a header that cannot be read',
        'Name,"Phone\nJane,2127365000\n',
        /^The header row \(line 1\) cannot be read: a quoted field is never closed/,
      ],
    ])('%s', async (_name, data, message) => {
      expect(await refusal(data)).toMatch(message);
      expect(await refusal(data, 1)).toMatch(message);
    });
  });

  it('reports a NUL character past the start of the file as a bad row', async () => {
    const good = 'Jane,(212) 736-5000\n'.repeat(1000);
    const text = `Name,Phone\n${good}Bad\0Row,(212) 736-5001\nAnn,(212) 736-5002\n`;
    const result = await events(text, US, 1000);
    expect(result).toHaveLength(1002);
    expect(result.slice(-2)).toEqual([
      invalid(1002, 'contains binary data (a NUL character)'),
      row({ line: 1003, phone: '+12127365002', firstName: 'Ann' }),
    ]);
  });

  describe('recovers from broken quoting, reading again the rows a stray quote swallowed', () => {
    it('a quote never closed', async () => {
      const text =
        'Name,Phone\nA,(212) 736-5000\n"B,(212) 736-5001\nC,(212) 736-5002\r\nD,(212) 736-5003\n';
      for (const size of [1, 7, 1000]) {
        expect(await events(text, US, size)).toEqual([
          row({ line: 2, phone: '+12127365000', firstName: 'A' }),
          invalid(3, 'a quoted field is never closed (a " is missing)'),
          row({ line: 4, phone: '+12127365002', firstName: 'C' }),
          row({ line: 5, phone: '+12127365003', firstName: 'D' }),
        ]);
      }
    });

    it('a stray quote that a later quote seems to close', async () => {
      const text = 'Name,Phone\n"B,(212) 736-5001\nC,(212) 736-5002\n"D",(212) 736-5003\n';
      expect(await events(text, US, 4)).toEqual([
        invalid(2, 'text after a closing quote (a quoted field must end at a comma)'),
        row({ line: 3, phone: '+12127365002', firstName: 'C' }),
        row({ line: 4, phone: '+12127365003', firstName: 'D' }),
      ]);
    });

    it('a record longer than the limit, quoted or not', async () => {
      const opts = { ...US, maxRecordChars: 100 };
      const long = 'x'.repeat(500);
      const text =
        `Name,Phone,Notes\nA,(212) 736-5000,${long}\n"${long}\n${long}",(212) 736-5001,\n` +
        'B,(212) 736-5002,short\n';
      const tooLong =
        'the record is longer than 100 characters (or a quote on this line is never closed)';
      for (const size of [7, 10_000]) {
        expect(await events(text, opts, size)).toEqual([
          invalid(2, tooLong),
          invalid(3, tooLong),
          invalid(4, tooLong), // the quoted field's second line, read again
          row({ line: 5, phone: '+12127365002', firstName: 'B', custom: { Notes: 'short' } }),
        ]);
      }
    });

    it('a line of 32 MB without a line break, dropped as it streams by', async () => {
      async function* input() {
        yield Buffer.from('Name,Phone,Notes\nA,(212) 736-5000,');
        const block = Buffer.alloc(64 * 1024, 'y');
        for (let i = 0; i < 512; i++) yield block;
        yield Buffer.from('\nB,(212) 736-5001,ok\n');
      }
      expect(await events(input())).toEqual([
        invalid(
          2,
          'the record is longer than 1,048,576 characters (or a quote on this line is never closed)',
        ),
        row({ line: 3, phone: '+12127365001', firstName: 'B', custom: { Notes: 'ok' } }),
      ]);
    });
  });

  it('streams 100,000 rows fed in small chunks, each with its line number', async () => {
    const areaCodes = ['212', '310', '415', '617', '312', '713', '305', '206', '404', '602'];
    const count = 100_000;
    const expected = (i: number) => ({
      // every 1,000th row has a note on two lines, which moves the rows after it down a line
      line: 2 + i + Math.floor(i / 1000),
      phone: `+1${areaCodes[i % 10]}${200 + (i % 800)}${String(i % 10_000).padStart(4, '0')}`,
    });
    async function* input(): AsyncGenerator<string> {
      yield 'First Name,Last Name,Company,Phone,Email,State,Zip,Employees,Notes\n';
      let pending = '';
      for (let i = 0; i < count; i++) {
        const { phone } = expected(i);
        const display = `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
        const note = i % 1000 === 999 ? '"two\nlines"' : `note ${i}`;
        pending += `First${i},Last${i},Company ${i},${display},user${i}@example.com,CA,9${i % 10_000},11-50,${note}\n`;
        while (pending.length >= 61) {
          yield pending.slice(0, 61);
          pending = pending.slice(61);
        }
      }
      yield pending;
    }
    let seen = 0;
    const wrong: unknown[] = [];
    for await (const event of parseContacts(input(), US)) {
      const want = expected(seen);
      if (event.kind !== 'row' || event.row.line !== want.line || event.row.phone !== want.phone) {
        if (wrong.length < 5) wrong.push({ seen, want, event });
      }
      seen++;
    }
    expect(wrong).toEqual([]);
    expect(seen).toBe(count);
  });

  describe('properties', () => {
    /** Characters that make CSV interesting, and some that make text interesting. */
    const csvChar = fc.constantFrom(
      'a',
      'Z',
      '1',
      ' ',
      '\t',
      ',',
      ',',
      '"',
      '"',
      '\r',
      '\n',
      '\n',
      'é',
      '😀',
      '\ufeff',
      '+',
    );
    const csvText = fc.string({ unit: csvChar, maxLength: 80 });
    const anyText = fc.oneof(
      csvText,
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    const anyBytes = fc.oneof(
      anyText.map((t) => Buffer.from(t, 'utf8')),
      fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
    );
    const withHeader = (body: Buffer) =>
      fc
        .constantFrom('', 'Name,Phone\n', '\ufeffPhone,Email,Notes\r\n', 'Phone')
        .map((h) => Buffer.concat([Buffer.from(h), body]));
    const chunkSize = fc.integer({ min: 1, max: 64 });

    const physicalLines = (bytes: Buffer) =>
      1 + (bytes.toString('latin1').match(/\r\n|\r|\n/g)?.length ?? 0);

    it('never throws anything but ImportFileError, and yields events in line order within the file', async () => {
      await fc.assert(
        fc.asyncProperty(anyBytes.chain(withHeader), chunkSize, async (bytes, size) => {
          let lines: number[] = [];
          try {
            lines = (await events(bytes, US, size)).map((e) =>
              e.kind === 'row' ? e.row.line : e.line,
            );
          } catch (error) {
            if (!(error instanceof ImportFileError)) throw error;
          }
          const last = physicalLines(bytes);
          lines.forEach((line, i) => {
            expect(line).toBeGreaterThan(i === 0 ? 1 : lines[i - 1]);
            expect(line).toBeLessThanOrEqual(last);
          });
        }),
        { numRuns: 500 },
      );
    });

    it('yields one event per non-empty record csv-parse reads, whenever csv-parse accepts the file', async () => {
      let compared = 0;
      await fc.assert(
        fc.asyncProperty(csvText, chunkSize, async (body, size) => {
          const text = `Name,Phone,Email\n${body}`;
          const records = strictCsvParse(text);
          if (records === null) return;
          compared++;
          const expected = records.filter((r) => r.some((f) => f.trim() !== '')).length - 1;
          if (expected === 0) {
            await expect(events(text, US, size)).rejects.toBeInstanceOf(ImportFileError);
          } else {
            expect(await events(text, US, size)).toHaveLength(expected);
          }
        }),
        { numRuns: 500 },
      );
      expect(compared).toBeGreaterThan(100);
    });
  });
});

/** csv-parse, strict about quotes, with this module's line ends; null when it rejects the text. */
function strictCsvParse(text: string): string[][] | null {
  try {
    return parseCsv(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch {
    return null;
  }
}

function readAll(text: string, cuts: number[], maxRecordChars?: number): CsvRecord[] {
  const reader = new CsvReader(maxRecordChars);
  const out: CsvRecord[] = [];
  const drain = () => {
    for (let r = reader.read(); r !== null; r = reader.read()) out.push(r);
  };
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    reader.push(text.slice(from, cut));
    drain();
    from = cut;
  }
  reader.push(text.slice(from));
  drain();
  reader.end();
  drain();
  return out;
}

describe(CsvReader.name, () => {
  const cell = fc.oneof(
    fc.string({
      unit: fc.constantFrom('a', ' ', '\t', ',', '"', '\r', '\n', 'é', '😀', '\ufeff'),
      maxLength: 6,
    }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  const quoteIfNeeded = (c: string) =>
    /[,"\r\n\ufeff]|^[ \t]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;

  it('reads back any rows written as CSV, with their physical line, however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 12 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 30, maxLength: 30 }),
        fc.array(fc.nat(2), { minLength: 30, maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (table, ends, blanks, bom, finalBreak, cuts) => {
          let text = bom ? '\ufeff' : '';
          const starts: number[] = [];
          table.forEach((cells, i) => {
            text += ends[i].repeat(blanks[i]);
            starts.push(text.length);
            text +=
              cells.length === 1 && cells[0] === '' ? '""' : cells.map(quoteIfNeeded).join(',');
            if (i < table.length - 1 || finalBreak) text += ends[i + 1];
          });
          const lineAt = (offset: number) =>
            1 + (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0);
          expect(readAll(text, cuts)).toEqual(
            table.map((fields, i) => ({ line: lineAt(starts[i]), fields })),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads the same fields as csv-parse on any text csv-parse accepts', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ' ', ',', ',', '"', '"', '\r', '\n', 'é', '\ufeff'),
          maxLength: 40,
        }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (text, cuts) => {
          const expected = strictCsvParse(text);
          if (expected === null) return;
          compared++;
          expect(readAll(text, cuts).map((r) => r.error ?? r.fields)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it('reads the same records, errors included, however the text is cut and whatever the size limit', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ' ', '\t', ',', '"', '"', '\r', '\n', 'é'),
          maxLength: 80,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 30 }),
        (text, cuts, limit) => {
          expect(readAll(text, cuts, limit)).toEqual(readAll(text, [], limit));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes a CR at the end of a chunk and an LF at the start of the next as one line break', () => {
    expect(readAll('a\r\nb\r\n\r\nc', [2, 5, 6])).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
      { line: 4, fields: ['c'] },
    ]);
    expect(readAll('"x\r\ny"\r\nz', [3, 7])).toEqual([
      { line: 1, fields: ['x\r\ny'] },
      { line: 3, fields: ['z'] },
    ]);
  });

  it('lets blanks surround a quoted field and keeps a quote inside an unquoted one', () => {
    expect(readAll(' "a,b" ,5\'10" tall,"c"', [])).toEqual([
      { line: 1, fields: ['a,b', '5\'10" tall', 'c'] },
    ]);
  });
});

describe(normalizePhone.name, () => {
  const reference = (raw: string, country: string) => {
    const parsed = parsePhoneNumberFromString(raw.trim(), country as CountryCode);
    return parsed?.isValid() ? parsed.number : null;
  };

  it('answers as libphonenumber does for North American numbers in any usual format', () => {
    const formats = [
      (a: string, e: string, l: string) => `(${a}) ${e}-${l}`,
      (a: string, e: string, l: string) => `${a}.${e}.${l}`,
      (a: string, e: string, l: string) => `+1 ${a} ${e} ${l}`,
      (a: string, e: string, l: string) => `1-${a}-${e}-${l}`,
      (a: string, e: string, l: string) => `${a}${e}${l}`,
      (a: string, e: string, l: string) => `+1(${a})${e}${l}`,
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 999 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom(...formats),
        fc.constantFrom('US', 'CA', 'PR', 'JM', 'GB', 'DE'),
        (area, exchange, line, format, country) => {
          const raw = format(
            String(area),
            String(exchange).padStart(3, '0'),
            String(line).padStart(4, '0'),
          );
          expect(normalizePhone(raw, country)?.number ?? null).toBe(reference(raw, country));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('answers for the whole number by its area code and exchange', () => {
    // the same six digits with other last four digits, after the first was cached
    for (const prefix of ['212736', '416979', '305209', '305210', '472200', '555555', '800555']) {
      for (const last of ['0000', '0199', '5555', '9999']) {
        const raw = `+1${prefix}${last}`;
        expect(normalizePhone(raw, 'US')?.number ?? null).toBe(reference(raw, 'US'));
      }
    }
  });

  it('answers as libphonenumber does for texts without a plus sign or a digit (no parse)', () => {
    // Everything libphonenumber reads besides digits: letters (vanity numbers), extension and
    // RFC 3966 markers, punctuation, and look-alikes of digits it does not take.
    const notADigit = fc.constantFrom(
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ()-./#*;:=,x_~\t\n\u00a0\u2010\u2212',
      'tel:',
      ';phone-context=',
      ';ext=',
      'ext.',
      'n/a',
      'N/A',
      '\u00b2', // superscript two
      '\u2460', // circled one
      '\u0966', // Devanagari zero: libphonenumber-js does not take it
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(notADigit, fc.string({ maxLength: 3 })), { maxLength: 12 }),
        fc.constantFrom('US', 'CA', 'GB', 'DE', 'FR', 'IN', 'BR'),
        (pieces, country) => {
          const raw = pieces.join('');
          fc.pre(!/[+\uFF0B0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/.test(raw));
          expect(normalizePhone(raw, country)?.number ?? null).toBe(reference(raw, country));
        },
      ),
      { numRuns: 5000 },
    );
    // and a digit of any kind libphonenumber takes still goes to it
    expect(normalizePhone('+44 20 7946 0958', 'US')?.number).toBe('+442079460958');
    expect(
      normalizePhone('\uFF12\uFF11\uFF12\uFF17\uFF13\uFF16\uFF15\uFF10\uFF10\uFF10', 'US')?.number,
    ).toBe(reference('\uFF12\uFF11\uFF12\uFF17\uFF13\uFF16\uFF15\uFF10\uFF10\uFF10', 'US'));
  });

  it('keeps an extension apart', () => {
    expect(normalizePhone('(212) 736-5000 x123', 'US')).toEqual({
      number: '+12127365000',
      ext: '123',
    });
  });
});

describe(normalizeZip.name, () => {
  it.each([
    ['90210', 'US', '90210'],
    ['90210-1234', 'US', '90210'],
    ['90210 1234', 'US', '90210'],
    ['902101234', 'US', '90210'],
    ['2134', 'US', '02134'],
    ['2134-5678', 'US', '02134'],
    ['501', 'US', '00501'],
    ['="02134"', 'US', '02134'],
    [' 00601 ', 'PR', '00601'],
    ['ABCDE', 'US', null],
    ['123456', 'US', null],
    ['', 'US', null],
    ['k1a0b1', 'CA', 'K1A 0B1'],
    ['K1A 0B1', 'CA', 'K1A 0B1'],
    ['Ottawa', 'CA', 'Ottawa'],
    ['SW1A 1AA', 'GB', 'SW1A 1AA'],
    ['2134', 'DE', '2134'],
  ])('%j in %s → %j', (raw, country, zip) => {
    expect(normalizeZip(raw, country)).toBe(zip);
  });
});

describe(normalizeState.name, () => {
  it.each([
    ['CA', 'US', 'CA'],
    ['ca', 'US', 'CA'],
    ['California', 'US', 'CA'],
    [' new  YORK ', 'US', 'NY'],
    ['N.Y.', 'US', 'NY'],
    ['District of Columbia', 'US', 'DC'],
    ['Washington, D.C.', 'US', 'DC'],
    ['Puerto Rico', 'PR', 'PR'],
    ['Ontario', 'CA', 'ON'],
    ['Québec', 'CA', 'QC'],
    ['qc', 'CA', 'QC'],
    ['Calif', 'US', 'Calif'],
    ['Ontario', 'US', 'Ontario'],
    ['Bavaria', 'DE', 'Bavaria'],
    ['  ', 'US', null],
  ])('%j in %s → %j', (raw, country, state) => {
    expect(normalizeState(raw, country)).toBe(state);
  });

  it.each([
    ['fl', 'CA', 'FL'],
    ['Florida', 'CA', 'FL'],
    ['Ontario', 'US', 'ON'],
    ['florida', 'GB', 'FL'],
    ['Bavaria', 'CA', 'Bavaria'],
  ])('%j in %s with a North American phone → %j', (raw, country, state) => {
    expect(normalizeState(raw, country, true)).toBe(state);
  });
});

describe(parseEmployees.name, () => {
  it.each([
    ['1,200', 1200],
    ['50-99', 50],
    ['50 - 99 employees', 50],
    ['1,001-5,000', 1001],
    ['10,000+', 10000],
    ['250+', 250],
    ['2.5k', 2500],
    ['2.3k', 2300],
    ['10K', 10000],
    ['3 million', 3000000],
    ['12.7', 12],
    ['<10', 1],
    ['Under 10', 1],
    ['0', 0],
    ['about 40', 40],
    ['-5', null],
    ['unknown', null],
    ['', null],
    ['99999999999', null],
  ])('%j → %j', (raw, employees) => {
    expect(parseEmployees(raw)).toBe(employees);
  });
});

describe(`${parseEmployees.name}, plain numbers`, () => {
  it('reads a cell of digits as the general rule does', () => {
    // the general rule, with the shortcut for plain digits taken away by a leading blank
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,12}$/), (digits) => {
        expect(parseEmployees(digits)).toBe(parseEmployees(` ${digits}`));
      }),
      { numRuns: 2000 },
    );
  });
});

describe(normalizeEmail.name, () => {
  it.each([
    [' Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['mailto:jane@example.com', 'jane@example.com'],
    ['Jane Doe <jane@example.com>', 'jane@example.com'],
    ['jane@example.com; john@example.com', 'jane@example.com'],
    ['bad@, john@example.co.uk', 'john@example.co.uk'],
    ['jane+list@sub.example.org', 'jane+list@sub.example.org'],
    ['josé@exämple.de', 'josé@exämple.de'],
    ['jane@example', null],
    ['jane@@example.com', null],
    ['jane example.com', null],
    ['n/a', null],
    ['', null],
  ])('%j → %j', (raw, email) => {
    expect(normalizeEmail(raw)).toBe(email);
  });
});

describe(splitName.name, () => {
  it.each([
    ['Jane Public', 'Jane', 'Public'],
    ['Jane Q. Public', 'Jane', 'Q. Public'],
    ['Public, Jane', 'Jane', 'Public'],
    ['Public, Dr. Jane', 'Jane', 'Public'],
    ['Mrs. Jane Public', 'Jane', 'Public'],
    ['John Smith, Jr.', 'John', 'Smith Jr.'],
    ['Cher', 'Cher', null],
    ['Dr.', 'Dr.', null],
    [',', null, null],
  ])('%j → %j %j', (full, firstName, lastName) => {
    expect(splitName(full)).toEqual({ firstName, lastName });
  });
});

describe('countryCode', () => {
  it.each([
    ['US', 'US'],
    ['usa', 'US'],
    ['U.S.A.', 'US'],
    ['United States', 'US'],
    ['United States of America', 'US'],
    ['Canada', 'CA'],
    ['CA', 'CA'],
    ['UK', 'GB'],
    ['United Kingdom', 'GB'],
    ['England', 'GB'],
    ['Deutschland', null],
    ['Germany', 'DE'],
    ['DEU', 'DE'],
    ["Côte d'Ivoire", 'CI'],
    ['Myanmar', 'MM'],
    ['The Netherlands', 'NL'],
    ['N/A', null],
    ['Narnia', null],
  ])('%j → %j', (text, code) => {
    expect(countryCode(text)).toBe(code);
  });
});
