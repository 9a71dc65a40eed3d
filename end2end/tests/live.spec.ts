import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LIVE_CONTENT, LIVE_PORT } from '../playwright.config';

// The author loop in a real browser: the server watches a scratch copy of the
// content; saving a file reloads the open page, which keeps its scroll position.
test.use({ baseURL: `http://127.0.0.1:${LIVE_PORT}` });

const POST = join(__dirname, '..', '..', LIVE_CONTENT, 'posts', 'netlify.md');

test('a title change on disk appears in the open page, at the same scroll position', async ({ page }) => {
  const original = readFileSync(POST, 'utf8');
  const title = original.match(/^title: "(.*)"$/m)?.[1];
  expect(title).toBeTruthy();
  try {
    await page.goto('/posts/netlify');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
    await expect(page.locator('article.post h1')).toHaveText(title!);
    await page.evaluate(() => window.scrollTo(0, 600));
    const scrolled = await page.evaluate(() => window.scrollY);

    const saved = Date.now();
    writeFileSync(POST, original.replace(`title: "${title}"`, 'title: "Edited live from disk"'));
    await expect(page.locator('article.post h1')).toHaveText('Edited live from disk', { timeout: 5_000 });
    console.log(`save → new title on the page: ${Date.now() - saved} ms`);
    await expect(page).toHaveTitle(/Edited live from disk/);
    // Not sent back to the top: only the shorter title above moved the text.
    const after = await page.evaluate(() => window.scrollY);
    expect(Math.abs(after - scrolled)).toBeLessThan(100);

    // A broken file: the overlay names file and line, the page keeps its text.
    writeFileSync(POST, original.replace(`title: "${title}"`, 'title: [oops'));
    const overlay = page.locator('.dev-overlay');
    await expect(overlay).toBeVisible({ timeout: 5_000 });
    await expect(overlay).toContainText('posts/netlify.md:2:');
    await expect(page.locator('article.post h1')).toHaveText('Edited live from disk');
    await overlay.getByRole('button', { name: 'Dismiss' }).click();
    await expect(overlay).toBeHidden();

    writeFileSync(POST, original);
    await expect(page.locator('article.post h1')).toHaveText(title!, { timeout: 5_000 });
    await expect(overlay).toBeHidden();
  } finally {
    writeFileSync(POST, original);
  }
});
