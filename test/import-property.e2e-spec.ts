import fc from 'fast-check';
import { Client as Pg } from 'pg';
import { TestContext } from './harness';

/**
 * Random CSV-ish text through the real import: it never crashes, the report always adds up,
 * and exactly the rows it says it imported are in the database (none when it failed).
 */
describe('import of arbitrary text', () => {
  let ctx: TestContext;
  let clientId: string;
  let pg: Pg;
  beforeAll(async () => {
    ctx = await TestContext.create();
    clientId = (await ctx.newClient()).id;
    pg = new Pg({ connectionString: ctx.dbUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await ctx.close();
  });

  const cell = fc.oneof(
    fc.constantFrom(
      '',
      '"',
      '""',
      ',',
      '\r\n',
      '\n',
      '\r',
      '\uFEFF',
      'phone',
      'Phone Number',
      '(212) 736-5000',
      '+1 415 555 2671',
      '312.555.0188',
      'n/a',
      'é',
      '\u0000',
    ),
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]?\d{4}$/),
  );
  const line = fc
    .tuple(fc.array(cell, { maxLength: 6 }), fc.constantFrom(',', ';', '\t'))
    .map(([cells, separator]) => cells.join(separator));
  const file = fc
    .tuple(
      fc.constantFrom('phone,company,state', 'Company,Phone Number', 'tel', ''),
      fc.array(line, { maxLength: 25 }),
      fc.constantFrom('\n', '\r\n'),
    )
    .map(([header, lines, eol]) => [header, ...lines].join(eol));

  it('never crashes and never leaves partial rows', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (text) => {
        const campaign = await ctx.newCampaign(clientId);
        const report = await ctx.importCsv(campaign.id, text);
        const { rows } = await pg.query(
          'SELECT count(*)::int AS n FROM contacts WHERE campaign_id = $1',
          [campaign.id],
        );
        expect(['completed', 'failed']).toContain(report.status);
        if (report.status === 'completed') {
          expect(report.received).toBe(
            report.imported + report.duplicates + report.invalid + report.dnc,
          );
          expect(rows[0].n).toBe(report.imported);
        } else {
          expect(report.failureReason).toBeTruthy();
          expect(rows[0].n).toBe(0);
        }
      }),
      { numRuns: 40 },
    );
  }, 120000);
});
