import type { Page } from 'playwright-core';
import { asUser, referralSetup } from '../test/referral-fixtures';
import { browserSuite, openPage, shot, signIn } from './browser';

/**
 * The quality bar every page shares: it fits a laptop (1280×800) and a tablet (768×1024) with
 * no sideways scrolling, every control has a name a screen reader can say, and the keyboard
 * reaches the controls in order.
 */
describe('every page at laptop and tablet width', () => {
  const suite = browserSuite();

  /**
   * Controls on screen with no accessible name (label, aria-label, aria-labelledby or text). Runs
   * in the page: plain JavaScript, as the Node side has no DOM types.
   */
  const unnamed = (page: Page) =>
    page.evaluate<string[]>(`
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => e.offsetParent !== null)
        .filter((e) => {
          const by = e.getAttribute('aria-labelledby');
          const text =
            [...(e.labels ?? [])].map((l) => l.textContent ?? '').join('') ||
            e.getAttribute('aria-label') ||
            (by && document.getElementById(by)?.textContent) ||
            (e.tagName === 'BUTTON' ? e.textContent : '') ||
            e.getAttribute('title');
          return !text?.trim();
        })
        .map((e) => e.outerHTML.slice(0, 120))`);

  const overflow = (page: Page) =>
    page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );

  /** Where the focused control is (page coordinates), or null when nothing is focused. */
  const focused = (page: Page) =>
    page.evaluate<{ top: number; visible: boolean } | null>(`(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const r = e.getBoundingClientRect();
      return { top: r.top + window.scrollY, visible: r.width > 0 && r.height > 0 };
    })()`);

  it('fits, names every control, and tabs through them in order', async () => {
    const ctx = suite.ctx();
    const s = await referralSetup(ctx);
    await ctx.importCsv(s.campaignId, 'phone,state,company\n(512) 555-7001,TX,Layout Co\n');
    const clientUser = await ctx.newUser('client', s.clientId);
    await asUser(ctx, ctx.adminToken).patch(`/users/${s.caller.id}`, { name: 'Lee Layout' });
    const pages: [string, { email: string; password: string }, string][] = [
      ['console', s.caller, '#next'],
      ['manage', s.am, '#totals'],
      ['portal', clientUser, '#figures'],
    ];
    for (const [width, height] of [
      [1280, 800],
      [768, 1024],
    ]) {
      for (const [name, user, ready] of pages) {
        const { page, errors } = await openPage(suite.browser());
        await page.setViewportSize({ width, height });
        await signIn(page, `${suite.base()}/${name}`, user);
        await page.locator(ready).waitFor();
        if (name === 'console') {
          await page.getByRole('button', { name: 'Next contact' }).click();
          await page.getByText('Layout Co').first().waitFor();
        }
        await page.waitForLoadState('networkidle');
        expect({ page: name, width, overflow: await overflow(page) }).toEqual({
          page: name,
          width,
          overflow: 0,
        });
        expect({ page: name, unnamed: await unnamed(page) }).toEqual({ page: name, unnamed: [] });
        // Tab from the top: focus lands on visible controls, in the order they appear.
        await page.locator('body').focus();
        const tops: number[] = [];
        for (let i = 0; i < 6; i++) {
          await page.keyboard.press('Tab');
          const box = await focused(page);
          expect(box?.visible).toBe(true);
          tops.push(Math.round(box!.top));
        }
        // Controls of one row may sit a few pixels apart; focus never jumps back up a row.
        const backwards = tops.filter((t, i) => i > 0 && t < tops[i - 1] - 12);
        expect({ page: name, tops, backwards }).toEqual({ page: name, tops, backwards: [] });
        await shot(page, `layout-${name}-${width}`);
        expect(errors).toEqual([]);
        await page.close();
      }
    }
  });
});
