import { expect, test } from '@playwright/test';

test('each code block has a copy button that puts the code on the clipboard', async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto('/posts/async_requests');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const blocks = page.locator('.prose pre');
  const buttons = page.locator('.prose pre button.copy-code');
  await expect(buttons).toHaveCount(await blocks.count());

  const code = (await blocks.first().locator('code').textContent()) ?? '';
  expect(code.length).toBeGreaterThan(20);
  await buttons.first().click();
  await expect(buttons.first()).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);

  // Client-side navigation to another post gets its buttons too.
  await page.getByRole('navigation', { name: 'More posts' }).getByRole('link').first().click();
  await expect(page.locator('.prose pre button.copy-code').first()).toBeVisible();
});
