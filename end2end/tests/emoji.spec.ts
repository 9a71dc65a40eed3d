import { expect, test } from '@playwright/test';

test('the emoji gallery lists every shortcode by group, filters, and copies on click', async ({
  page,
  context,
  baseURL,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto('/emoji');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
  const items = page.locator('.emoji-grid li');
  const total = await items.count();
  expect(total).toBeGreaterThan(1500);
  // GitHub's 22 custom emoji come first, as images.
  await expect(page.locator('#github li')).toHaveCount(22);
  await expect(page.locator('#github button[data-shortcode=":shipit:"] img')).toBeVisible();
  await expect(page.locator('.emoji-group h2')).toContainText(['GitHub custom', 'Smileys & emotion', 'Flags']);

  const visible = page.locator('.emoji-grid li:visible');
  const box = page.getByRole('searchbox', { name: 'Filter emoji' });
  await box.pressSequentially('rocket', { delay: 20 });
  await expect(page).toHaveURL(/\/emoji\?q=rocket$/);
  await expect(visible.locator('button[data-shortcode=":rocket:"]')).toHaveCount(1);
  expect(await visible.count()).toBeLessThan(10);
  await expect(page.locator('#flags')).toBeHidden();
  await box.fill('godmode');
  await expect(visible).toHaveCount(1);

  await visible.locator('button').click();
  await expect(page.getByRole('status')).toContainText('Copied :godmode:');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(':godmode:');

  await box.fill('');
  await expect(visible).toHaveCount(total);
});

test('the emoji gallery is server-rendered and filterable without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/emoji?q=fire');
  const visible = page.locator('.emoji-grid li:visible');
  await expect(visible.locator('button[data-shortcode=":fire:"]')).toHaveCount(1);
  expect(await visible.count()).toBeLessThan(15);
  await context.close();
});
