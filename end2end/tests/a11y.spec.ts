import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

const PAGES = ['/', '/posts/ansible_patching_playbook', '/posts/leptos_ssr_blog', '/glossary', '/search?q=terraform', '/emoji'];

for (const theme of ['light', 'dark'] as const) {
  for (const path of PAGES) {
    test(`axe finds no violations on ${path} in the ${theme} theme`, async ({ page, context, baseURL }) => {
      // The emoji gallery has ~1,900 buttons: axe needs longer than 30 s on a busy machine.
      test.setTimeout(120_000);
      await context.addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
      const results = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
        .analyze();
      const summary = results.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`,
      );
      expect(summary, summary.join('\n')).toEqual([]);
    });
  }
}

// Rules Lighthouse runs that axe's tag sets above leave out (experimental or
// not tagged): a control's name must contain its visible text (speech
// users say what they see), and tables must give every data cell a header.
test('names contain visible text, and table cells have headers', async ({ page }) => {
  await page.goto('/posts/leptos_ssr_blog');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
  await expect(page.locator('.prose table').first()).toBeVisible();
  const results = await new AxeBuilder({ page })
    .withRules(['label-content-name-mismatch', 'td-has-header', 'th-has-data-cells', 'empty-table-header'])
    .analyze();
  const checked = [...results.passes, ...results.violations].map((r) => r.id);
  expect(checked).toContain('td-has-header');
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  // The theme button is named by its content: what it shows, and more.
  const toggle = page.locator('button.theme-toggle');
  const shown = await toggle.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
    return copy.textContent!.trim();
  });
  expect(shown).toContain('Auto');
  await expect(toggle).toHaveAccessibleName(new RegExp(`^${shown}\\b`));
});

test('every control is reachable by keyboard with a visible focus ring', async ({ page }) => {
  await page.goto('/posts/ansible_patching_playbook');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      return {
        key: `${el.tagName}:${el.getAttribute('href') ?? el.className}`,
        ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
      };
    });
    if (!focus) continue;
    expect(focus.ring, `focus ring on ${focus.key}`).toBe(true);
    seen.add(focus.key);
  }
  // The header's controls are all in the tab order.
  const keys = [...seen].join(' ');
  expect(keys).toContain('INPUT');
  expect(keys).toContain('theme-toggle');
  expect(keys).toContain('/glossary');
});
