import { expect, test } from '@playwright/test';

const hydrated = async (page: import('@playwright/test').Page) =>
  expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });

test('the glossary filter narrows terms as you type and keeps ?q= in the URL', async ({ page }) => {
  await page.goto('/glossary');
  await hydrated(page);
  const entries = page.locator('dl.terms .entry');
  const visible = page.locator('dl.terms .entry:visible');
  const total = await entries.count();
  expect(total).toBeGreaterThan(50);
  await expect(visible).toHaveCount(total);

  // Filtering asks the server nothing (the browser may refetch its favicon
  // when the address changes; that is not a data request).
  const requests: string[] = [];
  page.on('request', (r) => {
    if (['fetch', 'xhr', 'document'].includes(r.resourceType())) requests.push(r.url());
  });
  const box = page.getByRole('searchbox', { name: 'Filtrar términos' });
  await box.pressSequentially('observ', { delay: 20 });
  await expect(page).toHaveURL(/\/glossary\?q=observ$/);
  // Accent- and case-insensitive; aliases count ("Observability" is an alias).
  await expect(visible.locator('dt')).toContainText(['LMAO', 'Observabilidad']);
  expect(await visible.count()).toBeLessThan(total);
  await expect(page.locator('.term-count')).toHaveText(`${await visible.count()} de ${total} términos`);
  // Letters with nothing left are marked in the A–Z index.
  await expect(page.locator('.az-index a[href="#letra-k"]')).toHaveAttribute('aria-disabled', 'true');
  await expect(page.locator('.az-index a[href="#letra-o"]')).not.toHaveAttribute('aria-disabled');

  await box.fill('hidratacion');
  await expect(visible).toHaveCount(1);
  await expect(visible.locator('dt')).toHaveText(/Hidratación/);

  await box.fill('zzzz');
  await expect(visible).toHaveCount(0);
  await expect(page.locator('.no-match')).toBeVisible();

  await box.fill('');
  await expect(visible).toHaveCount(total);
  await expect(page).toHaveURL(/\/glossary$/);
  expect(requests).toEqual([]);
});

test('a filtered glossary URL renders filtered on the server, without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/glossary?q=kubernetes');
  await expect(page.getByRole('searchbox', { name: 'Filtrar términos' })).toHaveValue('kubernetes');
  const visible = page.locator('dl.terms .entry:visible dt');
  await expect(visible.first()).toHaveText(/Kubernetes/);
  expect(await visible.count()).toBeLessThan(10);

  // The form submits as a plain GET.
  await page.getByRole('searchbox', { name: 'Filtrar términos' }).fill('terraform');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page).toHaveURL(/\/glossary\?q=terraform$/);
  await expect(visible.first()).toHaveText(/Terraform/);
  await context.close();
});

test('the A–Z index jumps to each letter', async ({ page }) => {
  await page.goto('/glossary');
  const letters = page.locator('.az-index a');
  expect(await letters.count()).toBeGreaterThan(15);
  await page.locator('.az-index a[href="#letra-t"]').click();
  await expect(page).toHaveURL(/#letra-t$/);
  await expect(page.locator('#letra-t h2')).toBeInViewport();
  await expect(page.locator('#letra-t dt').first()).toHaveText(/^T/);
});
