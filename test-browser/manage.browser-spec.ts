import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from '../test/pg-server';
import { asUser, COMPLETE, referralSetup, referVia } from '../test/referral-fixtures';
import { ARTIFACTS, browserSuite, expectText, openPage, shot, signIn } from './browser';

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
    // Callers by name (these test users have none, so their email), never by id.
    const callerCell = (await byCaller.first().textContent()) ?? '';
    expect(callerCell).toContain(s.caller.email);
    expect(callerCell).not.toContain(s.caller.id);
    // Campaigns of the client side by side, by name.
    const [{ name: campaignName }] = await sql<{ name: string }>(
      ctx.dbUrl,
      'SELECT name FROM campaigns WHERE id = $1',
      [s.campaignId],
    );
    await page.getByLabel('Group by').selectOption('campaign');
    await expectText(page.locator('#groups tbody'), `${campaignName}3`);
    const success = page.getByRole('row', { name: /Success rate/ });
    expect(await success.textContent()).toContain('100.0%');

    // An import with bad lines: reported line by line, the good ones in.
    const file = join(ARTIFACTS, 'bad-import.csv');
    await writeFile(
      file,
      'phone,state\n(512) 555-4001,TX\nnot a phone,TX\n(512) 555-4001,TX\n,TX\n',
    );
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
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

  it('creates a client and a campaign, refuses activation with what is missing, then activates; projects a target; uploads a do-not-call list (registry extracts are not offered to managers)', async () => {
    const [ctx, base, browser] = [suite.ctx(), suite.base(), suite.browser()];
    ctx.clock.set('2026-11-23T15:00:00Z');
    const am = await ctx.newUser('account_manager');
    const caller = await ctx.newUser('caller');
    await asUser(ctx, ctx.adminToken)
      .patch(`/users/${caller.id}`, { name: 'Casey Caller' })
      .expect(200);
    const clientName = ctx.unique('Brightside Roofing');
    const { page, errors } = await openPage(browser);
    await signIn(page, `${base}/manage`, am);

    // A new client, created by the manager (and so assigned to them).
    await page.getByText('New client').click();
    await page.getByLabel('Client name').fill(clientName);
    await page.getByRole('button', { name: 'Create client' }).click();
    await expectText(page.locator('#client'), clientName);
    await expectText(page.locator('#campaign-status'), 'No campaign yet');
    const chosen = await page
      .locator('#client')
      .evaluate(
        (sel) =>
          (sel as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text,
      );
    expect(chosen).toBe(clientName);

    // A draft campaign whose script forgets the client, with no caller ID and no caller.
    await page.getByLabel('Name', { exact: true }).fill('Spring roofs');
    await page.getByLabel('Product').fill('Roof inspections');
    await page.getByLabel('Script (must name the client)').fill('Hello, I call about roofs.');
    await page.getByRole('button', { name: 'Add pitch' }).click();
    await page.getByLabel('Pitch 1 name').fill('Storm season');
    await page.getByLabel('Pitch 1 text').fill('After this winter, roofs need a look.');
    await page.getByRole('button', { name: 'Add offer' }).click();
    await page.getByLabel('Offer 1 name').fill('Free inspection');
    await page.getByLabel('Offer 1 text').fill('The first inspection is free.');
    await page.getByLabel('Talk cap (seconds)').fill('240');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await expectText(page.locator('#campaign-status'), 'draft');
    await expectText(page.locator('#activation'), 'no caller is assigned');
    const [draft] = await sql<{
      id: string;
      status: string;
      talk_cap_seconds: number;
      pitches: { key: string }[];
    }>(
      ctx.dbUrl,
      'SELECT c.id, c.status, c.talk_cap_seconds, c.pitches FROM campaigns c JOIN clients k ON k.id = c.client_id WHERE k.name = $1',
      [clientName],
    );
    expect(draft).toMatchObject({ status: 'draft', talk_cap_seconds: 240 });
    expect(draft.pitches.map((p) => p.key)).toEqual(['storm-season']);

    // Activation is refused by the service, in words naming every missing piece.
    await page.getByRole('button', { name: 'Activate' }).click();
    const alert = page.getByRole('alert');
    await expectText(alert, 'does not name the client');
    expect(await alert.textContent()).toMatch(/caller ID/);
    expect(await alert.textContent()).toMatch(/no caller is assigned/);

    // Fixed: the script names the client, a caller ID, a caller. Then it goes active.
    await page
      .getByLabel('Script (must name the client)')
      .fill(`Hello, I call for ${clientName} about roofs.`);
    await page.getByLabel('Caller ID').fill('+1 (512) 555-0100');
    await page.getByLabel('Casey Caller').check();
    await expectText(page.locator('#activation'), 'Ready to go active');
    await page.getByRole('button', { name: 'Activate' }).click();
    await expectText(page.locator('#campaign-status'), 'active');
    const [active] = await sql<{ status: string; caller_id: string; n: string }>(
      ctx.dbUrl,
      `SELECT status, caller_id, (SELECT count(*) FROM campaign_callers WHERE campaign_id = $1) AS n
         FROM campaigns WHERE id = $1`,
      [draft.id],
    );
    expect(active).toEqual({ status: 'active', caller_id: '+15125550100', n: '1' });
    await shot(page, 'manage-campaign-editor');

    // How many caller-hours to 5 referrals (from the stated prior: no calls yet), and the band
    // of what the 40 contacts just imported should yield.
    await ctx.importCsv(
      draft.id,
      'phone,state\n' +
        Array.from({ length: 40 }, (_, i) => `(512) 555-${String(2000 + i)},TX`).join('\n'),
    );
    await page.getByLabel('Target referrals').fill('5');
    await page.getByRole('button', { name: 'Project target' }).click();
    await expectText(page.locator('#target-answer'), '5 referrals take about');
    // 40 fresh contacts, 3 attempts each, a dial settling its contact 3 times in 10 (the prior):
    // 40 × (1 + 0.7 + 0.49) dials.
    expect(await page.locator('#projection').textContent()).toMatch(/^88 dials left/);
    const band = page.getByRole('img', { name: /Projected referrals/ });
    expect(await band.isVisible()).toBe(true);
    expect(await band.locator('[data-series="band80"]').count()).toBe(1);

    // A do-not-call list for this client; a bad line reported. Registry extracts and the
    // agency-wide list are the admins': a manager is not offered them.
    expect(await page.getByLabel('Registry extract').isVisible()).toBe(false);
    expect(await page.getByLabel('Agency-wide list').isVisible()).toBe(false);
    const file = join(ARTIFACTS, 'dnc-list.csv');
    await writeFile(file, 'phone\n(512) 555-0141\n(512) 555-0142\nnot a number\n');
    await page.getByLabel('List file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload list' }).click();
    await expectText(page.locator('#dnc-upload-report'), 'List uploaded');
    expect(await page.locator('#dnc-upload-report').textContent()).toMatch(/2 added.*1 invalid/);
    expect(await page.locator('#dnc-upload-errors li').count()).toBe(1);
    const listed = await sql<{ phone: string; source: string; client_id: string | null }>(
      ctx.dbUrl,
      "SELECT phone, source, client_id FROM dnc_numbers WHERE phone IN ('+15125550141', '+15125550142') ORDER BY phone",
    );
    expect(listed.map((d) => d.source)).toEqual(['list', 'list']);
    expect(listed.every((d) => d.client_id !== null)).toBe(true);
    await shot(page, 'manage-dnc-upload');
    // The refused activation was an expected 409, not a page error.
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
  });
});
