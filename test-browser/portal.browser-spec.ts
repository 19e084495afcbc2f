import { readFile } from 'node:fs/promises';
import { sql } from '../test/pg-server';
import { COMPLETE, referralSetup, referVia } from '../test/referral-fixtures';
import { browserSuite, openPage, shot, signIn } from './browser';

/** The client portal in a real Chromium: today's referrals, feedback, CSV, keys shown once. */
describe('client portal (/portal)', () => {
  const suite = browserSuite();

  it("records a won with its value on today's referral, downloads the day as CSV and shows a new key once", async () => {
    const [ctx, base, browser] = [suite.ctx(), suite.base(), suite.browser()];
    const s = await referralSetup(ctx);
    const hot = await referVia(ctx, s.campaignId, s.caller, {
      ...COMPLETE,
      rating: 'very_interested',
    });
    const warm = await referVia(ctx, s.campaignId, s.caller, COMPLETE);
    const other = await referralSetup(ctx);
    const foreign = await referVia(ctx, other.campaignId, other.caller, COMPLETE);
    const user = await ctx.newUser('client', s.clientId);
    const { page, errors } = await openPage(browser, { acceptDownloads: true });

    await signIn(page, `${base}/portal`, user);
    await page.getByLabel('Day').fill('2026-03-02');
    await page.getByLabel('Day').dispatchEvent('change');
    const cards = page.locator('#referrals article');
    await cards.nth(1).waitFor();
    expect(await cards.count()).toBe(2);
    // Hot first; nothing of the other client.
    expect(await cards.nth(0).textContent()).toContain('Very interested');
    expect(await page.locator('#referrals').textContent()).not.toContain(foreign.referralId);

    const first = cards.nth(0);
    await first.getByLabel('Sale value').fill('48250.50');
    await first.getByRole('button', { name: 'Won' }).click();
    await page.getByText('status: won').waitFor();
    await shot(page, 'portal-won');
    const [won] = await sql<{ feedback_status: string; sale_value: string }>(
      ctx.dbUrl,
      'SELECT feedback_status, sale_value FROM referrals WHERE id = $1',
      [hot.referralId],
    );
    expect(won).toEqual({ feedback_status: 'won', sale_value: '48250.50' });

    // The client's figures follow the feedback; no caller is named on the page.
    await page
      .locator('#figures')
      .getByText(/your close rate 100\.0%/)
      .waitFor();
    expect(await page.locator('#figures').textContent()).toContain(
      '2 referrals (1 very interested)',
    );
    expect(await page.content()).not.toContain(s.caller.id);
    expect(await page.content()).not.toContain(s.caller.email);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^id,publishedAt,rating,score/);
    expect(csv).toContain(hot.referralId);
    expect(csv).toContain(warm.referralId);
    expect(csv).not.toContain(foreign.referralId);

    await page.getByLabel('Name').fill('CRM');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const shown = page.locator('#key-shown');
    await shown.getByText(/rdk_/).waitFor();
    const key = /(rdk_\S+)/.exec((await shown.textContent()) ?? '')![1];
    // The key works, and the list shows only its prefix.
    await ctx.http().get('/v1/me').auth(key, { type: 'bearer' }).expect(200);
    expect(await page.locator('#keys').textContent()).not.toContain(key);
    expect(errors).toEqual([]);
  });
});
