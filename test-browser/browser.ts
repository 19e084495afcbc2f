import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { AppConfig } from '../src/config/app-config';
import { TestContext } from '../test/harness';

export const ARTIFACTS = join(__dirname, '..', 'artifacts', 'browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What every browser test needs: the service listening on 127.0.0.1 with its own database, and
 * Debian's Chromium through playwright-core. Call in a describe block; use the getters in tests.
 * `overrides` and `options` go to `TestContext.create` (e.g. Twilio settings and a fake REST client).
 */
export function browserSuite(
  overrides: Partial<AppConfig> = {},
  options: { twilioHttpClient?: unknown } = {},
): {
  ctx: () => TestContext;
  base: () => string;
  browser: () => Browser;
} {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    ctx = await TestContext.create(overrides, options);
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
  return { ctx: () => ctx, base: () => base, browser: () => browser };
}

/** A page at 1280×800 that records console errors (a test expects none). */
export async function openPage(
  browser: Browser,
  options: { acceptDownloads?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...options });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Opens a page of the service and signs in through its form. */
export async function signIn(
  page: Page,
  url: string,
  user: { email: string; password: string },
): Promise<void> {
  await page.goto(url);
  await page.locator('#sign-in').getByLabel('Email').fill(user.email);
  await page.locator('#sign-in').getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until the locator's text contains `text` (15 s at most: the machine may be busy). */
export async function expectText(locator: Locator, text: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (((await locator.textContent()) ?? '').includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected "${text}", found "${await locator.textContent()}"`);
}
