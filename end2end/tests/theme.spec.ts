import { expect, test } from '@playwright/test';

test('the theme switch persists across reloads, with no flash', async ({ page, context, baseURL }) => {
  await page.goto('/posts/leptos_ssr_blog');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'system');
  const keyword = page.locator('pre.hl [class*="hl-keyword"], pre.hl [class*="hl-storage"]').first();
  const lightColor = await keyword.evaluate((el) => getComputedStyle(el).color);
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  const toggle = page.locator('button.theme-toggle');
  await toggle.click(); // system → light
  await expect(html).toHaveAttribute('data-theme', 'light');
  await toggle.click(); // light → dark
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBg);
  expect(await keyword.evaluate((el) => getComputedStyle(el).color)).not.toBe(lightColor);

  // The first response already carries the theme: nothing to repaint.
  const cookies = await context.cookies(baseURL!);
  expect(cookies.find((c) => c.name === 'theme')?.value).toBe('dark');
  const first = await page.request.get('/posts/leptos_ssr_blog');
  expect(await first.text()).toMatch(/^<!DOCTYPE html><html [^>]*data-theme="dark"/);

  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveText(/Dark/);
  await toggle.focus();
  await page.keyboard.press('Enter'); // dark → system, by keyboard
  await expect(html).toHaveAttribute('data-theme', 'system');
});
