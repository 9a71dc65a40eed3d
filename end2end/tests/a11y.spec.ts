import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

const PAGES = ['/', '/posts/ansible_patching_playbook', '/glossary', '/search?q=terraform', '/emoji'];

for (const theme of ['light', 'dark'] as const) {
  for (const path of PAGES) {
    test(`axe finds no violations on ${path} in the ${theme} theme`, async ({ page, context, baseURL }) => {
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
