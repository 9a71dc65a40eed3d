import { expect, test } from '@playwright/test';

test('results appear while typing; keys move and Enter opens the result', async ({ page }) => {
  await page.goto('/about');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });

  // `/` focuses the box from anywhere on the page.
  await page.locator('article').click();
  await page.keyboard.press('/');
  const box = page.getByRole('combobox', { name: 'Search' });
  await expect(box).toBeFocused();

  const started = Date.now();
  await box.pressSequentially('terraf', { delay: 30 });
  const options = page.locator('#search-suggestions [role="option"]');
  await expect(options.first()).toBeVisible();
  console.log(`typing → first results: ${Date.now() - started} ms (includes typing)`);
  await expect(options.first()).toContainText('Terraform');
  await expect(box).toHaveAttribute('aria-expanded', 'true');

  await page.keyboard.press('ArrowDown');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Escape');
  await expect(page.locator('#search-suggestions')).toBeHidden();

  await box.press('ArrowDown');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/posts\/terraform_gke_private_cluster$/);
  await expect(page.locator('article.post h1')).toContainText('Terraform');
});

test('Enter with nothing selected opens the full results page', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const box = page.getByRole('combobox', { name: 'Search' });
  await box.fill('observabilidad');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=observabilidad$/);
  await expect(page.locator('.search-results li').first()).toContainText('Observabilidad');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('/search?q=terraform lists results and the form submits', async ({ page }) => {
    await page.goto('/search?q=terraform');
    await expect(page.locator('.search-results li').first()).toContainText('Terraform');
    await expect(page.locator('.search-results mark').first()).toBeVisible();
    await page.locator('.search-page-form input[name="q"]').fill('espanol');
    await page.locator('.search-page-form button').click();
    await expect(page).toHaveURL(/\/search\?q=espanol$/);
    await expect(page.locator('.search-results mark').first()).toHaveText('español');
  });
});
