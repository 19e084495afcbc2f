import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from '../test/pg-server';
import { COMPLETE, referralSetup, referVia } from '../test/referral-fixtures';
import { ARTIFACTS, browserSuite, openPage, shot, signIn } from './browser';

/** The account-manager dashboard in a real Chromium: figures and chart, an import, the review queue. */
describe('account-manager dashboard (/manage)', () => {
  const suite = browserSuite();

  it('shows the figures and the chart, imports a file with bad lines, and clears the review queue', async () => {
    const [ctx, base, browser] = [suite.ctx(), suite.base(), suite.browser()];
    const s = await referralSetup(ctx);
    await referVia(ctx, s.campaignId, s.caller, { ...COMPLETE, rating: 'very_interested' });
    await referVia(ctx, s.campaignId, s.caller, COMPLETE);
    const incomplete = await referVia(ctx, s.campaignId, s.caller, {
      ...COMPLETE,
      contact: { name: 'Pat Partial', phone: '+1 512 555 0199' },
    });
    expect(incomplete.referralStatus).toBe('needs_review');
    const { page, errors } = await openPage(browser);

    await signIn(page, `${base}/manage`, s.am);
    await page.getByText('3 dials').waitFor();
    expect(await page.locator('#totals').textContent()).toContain(
      '3 referrals (1 very interested)',
    );
    const chart = page.getByRole('img', { name: /Success rate by day/ });
    expect(await chart.locator('[data-series="success"]').count()).toBe(1);
    expect(await chart.locator('[data-series="band"]').count()).toBe(1);
    expect(await chart.locator('[data-series="industry"]').count()).toBe(1);
    // One caller made all three: one group, compared with nobody.
    const byCaller = page.locator('#groups tbody tr');
    await byCaller.first().waitFor();
    expect(await byCaller.count()).toBe(1);
    expect(await byCaller.first().textContent()).toContain(s.caller.id);
    const success = page.getByRole('row', { name: /Success rate/ });
    expect(await success.textContent()).toContain('100.0%');

    // An import with bad lines: reported line by line, the good ones in.
    const file = join(ARTIFACTS, 'bad-import.csv');
    await writeFile(
      file,
      'phone,state\n(512) 555-4001,TX\nnot a phone,TX\n(512) 555-4001,TX\n,TX\n',
    );
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/Import done/).waitFor();
    const reportText = (await page.locator('#import-report').textContent()) ?? '';
    expect(reportText).toMatch(/4 rows received, 1 imported, 1 duplicates, 2 invalid/);
    expect(await page.locator('#import-errors li').count()).toBe(3);
    expect(await page.getByLabel('Import progress').getAttribute('value')).toBe('100');
    await shot(page, 'manage-import');

    // Do not call: listed for this client at once.
    await page.getByLabel('Phone to block').fill('(512) 555-0177');
    await page.getByRole('button', { name: "Add to the client's list" }).click();
    await page
      .locator('#dnc-result')
      .getByText(/will not be called again/)
      .waitFor();
    await page.getByRole('button', { name: 'Check' }).click();
    await page
      .locator('#dnc-result')
      .getByText(/\+15125550177 is listed \(client list, manual\)/)
      .waitFor();

    // The review queue: complete the missing title and company, approve.
    const item = page.getByRole('article', { name: /Review/ });
    await item.getByLabel('Title').fill('Operations Manager');
    await item.getByLabel('Company').fill('Partial Holdings');
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Nothing waits for review.').waitFor();
    const [r] = await sql<{ status: string }>(
      ctx.dbUrl,
      'SELECT status FROM referrals WHERE id = $1',
      [incomplete.referralId],
    );
    expect(r.status).toBe('published');
    await shot(page, 'manage-reviewed');
    expect(errors).toEqual([]);
  });
});
