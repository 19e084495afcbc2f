import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sql } from '../test/pg-server';
import { TestContext } from '../test/harness';

const ARTIFACTS = join(__dirname, '..', 'artifacts', 'browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The caller console in a real Chromium, against the service on a real database (simulated phone). */
describe('caller console (/console)', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    ctx = await TestContext.create();
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    base = await ctx.app.getUrl();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
  });

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  it('works three contacts from the keyboard-friendly console: a referral, a recall and a do-not-call', async () => {
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${base}/console`);
    await page.locator('#sign-in').getByLabel('Email').fill(caller.email);
    await page.locator('#sign-in').getByLabel('Password').fill(caller.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
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
    const page = await browser.newPage();
    await page.goto(`${base}/console`);
    await page.locator('#sign-in').getByLabel('Email').fill('nobody@example.com');
    await page.locator('#sign-in').getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'Wrong email or password');
    await shot(page, '4-sign-in-error');
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (((await locator.textContent()) ?? '').includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected "${text}", found "${await locator.textContent()}"`);
}
