import { expect, test, type Page } from '@playwright/test';

// What the browser downloads and runs (ARCHITECTURE.md, "Islands"): a post
// page fetches the JS, the main WASM and the split loader, and nothing else
// until the reader uses the search box; islands take their words from the
// page's language, not from props.

/** The WASM files the page requests from now on, by file name. */
function wasmRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (path.endsWith('.wasm')) seen.push(path.split('/').pop()!);
  });
  return seen;
}

test('a post page loads only the main WASM; the search box fetches its lookup when focused', async ({
  page,
}) => {
  const wasm = wasmRequests(page);
  const api: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/')) api.push(req.url());
  });
  await page.goto('/posts/leptos_ssr_blog');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  // The post's islands work from the main module alone.
  await expect(page.locator('.prose pre button.copy-code').first()).toBeVisible();
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatch(/^microblog\./);
  expect(api).toEqual([]);

  const box = page.getByRole('combobox', { name: 'Search' });
  await box.focus();
  await expect.poll(() => wasm.some((name) => name.startsWith('split_lookup_'))).toBe(true);
  await box.pressSequentially('terraf', { delay: 30 });
  await expect(page.locator('#search-suggestions [role="option"]').first()).toContainText('Terraform');
  expect(api.length).toBeGreaterThan(0);
});

test("islands use the page's language in the browser", async ({ page }) => {
  // English post: the theme switch's next label and the copy button.
  await page.goto('/posts/leptos_ssr_blog');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  await expect(page.locator('.prose pre button.copy-code').first()).toHaveText('Copy');
  const toggle = page.locator('button.theme-toggle');
  await toggle.click();
  await expect(toggle).toContainText('Light');

  // Spanish page (`<html lang="es">`): the same island, in Spanish.
  await page.goto('/glossary');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  // Back to no stored choice (the first click stored `light` in both places).
  await page.evaluate(() => localStorage.removeItem('theme'));
  await page.context().clearCookies();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  await toggle.click();
  await expect(toggle).toContainText('Claro');
  await expect(page.getByRole('combobox', { name: 'Buscar' })).toBeVisible();
});

test('the WASM is fetched only after the first contentful paint', async ({ page }) => {
  // src/first_paint.rs: the island loader's idle callback is held until the
  // text is on screen, so a slow link delivers the content first (and
  // Lighthouse's simulation never counts the WASM towards LCP).
  for (const path of ['/posts/leptos_ssr_blog', '/', '/glossary']) {
    await page.goto(path);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
    const [fcp, wasm] = await page.evaluate(() => [
      performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      performance
        .getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname.endsWith('.wasm'))
        .map((e) => e.startTime),
    ] as const);
    expect(fcp, path).not.toBeNull();
    expect(wasm.length, path).toBeGreaterThan(0);
    for (const start of wasm) expect(start, path).toBeGreaterThanOrEqual(fcp!);
  }
});
