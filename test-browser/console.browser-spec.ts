import { sql } from '../test/pg-server';
import { browserSuite, expectText, openPage, shot, signIn } from './browser';

/** The caller console in a real Chromium, against the service on a real database (simulated phone). */
describe('caller console (/console)', () => {
  const suite = browserSuite();

  it('works three contacts from the keyboard-friendly console: a referral, a recall and a do-not-call', async () => {
    const [ctx, base, browser] = [suite.ctx(), suite.base(), suite.browser()];
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers, clientId } = await ctx.activeCampaign({
      fields: { product: 'Commercial solar' },
    });
    await ctx
      .http()
      .post(`/clients/${clientId}/reps`)
      .auth(ctx.adminToken, { type: 'bearer' })
      .send({ name: 'Default Dee', email: 'dee@w.example', isDefault: true })
      .expect(201);
    await ctx.importCsv(
      campaignId,
      'company,first name,last name,phone,state\nWhitfield Logistics,Dana,Whitfield,(512) 555-3001,TX\nAcme Roofing,Sam,Stone,(512) 555-3002,TX\nNope Inc,Pat,Never,(512) 555-3003,TX\n',
    );
    const [caller] = callers;
    const { page, errors } = await openPage(browser);

    await signIn(page, `${base}/console`, caller);
    const status = page.getByRole('status');

    // 1. A referral: ring, answer, talk, hang up, rate and describe it.
    await page.getByRole('button', { name: 'Next contact' }).click();
    await page.getByText('Whitfield Logistics').first().waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expectText(status, 'ringing');
    await page.getByRole('button', { name: 'Simulate answer' }).click();
    await expectText(status, 'in call');
    await shot(page, '1-in-call');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await expectText(status, 'ended');
    await page.getByRole('button', { name: 'Referral' }).click();
    await page.getByLabel('Very interested').check();
    await page
      .getByRole('textbox', { name: 'Need' })
      .fill('Solar panels for a 40,000 sq ft warehouse roof, wants a quote this month.');
    await page.locator('#referral').getByLabel('Title').fill('Facilities Director');
    await expectText(page.locator('#completeness'), 'Complete');
    await shot(page, '2-referral-form');
    await page.getByRole('button', { name: 'Save outcome' }).click();

    // 2. A recall: no answer, then a time tomorrow in the contact's zone.
    await page.getByText('Acme Roofing').first().waitFor();
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expectText(status, 'ringing');
    await page.getByRole('button', { name: 'Simulate no answer' }).click();
    await expectText(status, 'ended');
    await page.getByRole('button', { name: 'Recall' }).click();
    await page.getByLabel('Recall at').fill('2026-03-04T10:30');
    await page.getByRole('button', { name: 'Save outcome' }).click();

    // 3. Do not call, recorded without dialing.
    await page.getByText('Nope Inc').first().waitFor();
    await page.getByRole('button', { name: 'Do not call' }).click();
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByText('No contact may be called right now').waitFor();
    await shot(page, '3-done');

    const rows = await sql<{
      company: string;
      disposition: string;
      status: string;
      next_call_at: Date | null;
    }>(
      ctx.dbUrl,
      `SELECT c.company, k.disposition, c.status, c.next_call_at FROM calls k JOIN contacts c ON c.id = k.contact_id
        WHERE k.campaign_id = $1 AND k.disposition IS NOT NULL ORDER BY k.outcome_at`,
      [campaignId],
    );
    expect(rows.map((r) => [r.company, r.disposition])).toEqual([
      ['Whitfield Logistics', 'referral'],
      ['Acme Roofing', 'recall'],
      ['Nope Inc', 'do_not_call'],
    ]);
    // 10:30 in Chicago on March 4 is 16:30 UTC.
    expect(rows[1].next_call_at?.toISOString()).toBe('2026-03-04T16:30:00.000Z');
    const [referral] = await sql<{ status: string; rating: string }>(
      ctx.dbUrl,
      'SELECT status, rating FROM referrals WHERE campaign_id = $1',
      [campaignId],
    );
    expect(referral).toEqual({ status: 'published', rating: 'very_interested' });
    const dnc = await sql(ctx.dbUrl, `SELECT 1 FROM dnc_numbers WHERE phone = '+15125553003'`);
    expect(dnc).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('shows errors in words, not a blank page', async () => {
    const [base, browser] = [suite.base(), suite.browser()];
    const { page } = await openPage(browser);
    await signIn(page, `${base}/console`, {
      email: 'nobody@example.com',
      password: 'wrong-password',
    });
    await expectText(page.getByRole('alert'), 'Wrong email or password');
    await shot(page, '4-sign-in-error');
  });
});
