import { expect, test } from '@playwright/test';

const POST = '/posts/ansible_patching_playbook';

test('a glossary term in a post shows its card on hover, focus and tap', async ({ page }) => {
  await page.goto(POST);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const link = page.locator('.prose a.term[data-term="ansible"]').first();
  await expect(link).toHaveAttribute('href', '/glossary#ansible');
  const card = page.locator('#term-card-ansible');
  await expect(card).toBeHidden();
  await expect(card).toHaveRole('tooltip');
  // Each term is linked once, at its first mention.
  await expect(page.locator('.prose a.term[data-term="ansible"]')).toHaveCount(1);

  // Hover: the card opens beside the link, and stays while the pointer moves onto it.
  await link.hover();
  await expect(card).toBeVisible();
  await expect(card).toContainText('Ansible');
  const at = (await link.boundingBox())!;
  const box = (await card.boundingBox())!;
  expect(box.y).toBeGreaterThan(at.y);
  expect(box.y - (at.y + at.height)).toBeLessThan(40);
  await card.hover();
  await page.waitForTimeout(500);
  await expect(card).toBeVisible();
  await page.mouse.move(0, 0);
  await expect(card).toBeHidden();

  // Keyboard: focus opens it, Escape dismisses it, the link is described by it.
  await link.focus();
  await expect(card).toBeVisible();
  await expect(link).toHaveAccessibleDescription(/Ansible/);
  await page.keyboard.press('Escape');
  await expect(card).toBeHidden();
  await page.keyboard.press('Tab');
  await expect(card).toBeHidden();
});

test('on a touch screen the first tap shows the card and the second follows the link', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 800 }, baseURL });
  const page = await context.newPage();
  await page.goto(POST);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const link = page.locator('.prose a.term[data-term="ansible"]').first();
  await link.scrollIntoViewIfNeeded();
  await link.tap();
  await expect(page.locator('#term-card-ansible')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${POST}$`));
  // The card fits the narrow screen.
  const box = (await page.locator('#term-card-ansible').boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await link.tap();
  await expect(page).toHaveURL(/\/glossary#ansible$/);
  await context.close();
});

test('terms are not linked inside code, headings or existing links', async ({ request }) => {
  const html = await (await request.get(POST)).text();
  const body = html.slice(html.indexOf('class="prose"'));
  expect(body).not.toMatch(/<code>[^<]*<a class="term"/);
  expect(body).not.toMatch(/<h[1-6][^>]*>[^<]*<a class="term"/);
  expect(body).not.toMatch(/<a [^>]*href="http[^"]*"[^>]*>[^<]*<a class="term"/);
});
