import { expect, test, type Page } from '@playwright/test';

// The exported site on a static host: no server functions, no server-side
// search; what readers use must still work. Console errors fail a test: a
// script blocked by the _headers policy or a request to /api/ shows there.

const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

function watch(page: Page): { errors: string[]; api: string[] } {
  const seen = { errors: [] as string[], api: [] as string[] };
  page.on('console', (msg) => {
    // With the page it came from: a failed load names no URL in its text.
    if (msg.type() === 'error') {
      const at = msg.location().url ? new URL(msg.location().url).pathname : '';
      seen.errors.push(`${msg.text()} @ ${at}`);
    }
  });
  page.on('pageerror', (err) => {
    seen.errors.push(err.message);
  });
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) seen.api.push(r.url());
  });
  return seen;
}

test.beforeEach(async ({ page }) => {
  await page.route('https://github.githubassets.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }),
  );
});

test('navigation: home → post → tag → glossary, every page whole', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/');
  const first = page.locator('article.post-card a').first();
  const href = await first.getAttribute('href');
  await first.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.locator('main h1')).toBeVisible();
  await page.locator('a[href^="/tags/"]').first().click();
  await expect(page).toHaveURL(/\/tags\/[^/]+$/);
  await expect(page.locator('article.post-card').first()).toBeVisible();
  await page.locator('header a[href="/glossary"]').click();
  await expect(page).toHaveURL(/\/glossary$/);
  // An old URL is redirected by _redirects, a missing one gets 404.html.
  const old = await page.goto(`${href}.html`.replace('/posts/', '/'));
  expect(old?.url()).toMatch(new RegExp(`${href}$`));
  const missing = await page.goto('/posts/no-such-post');
  expect(missing?.status()).toBe(404);
  // Chromium logs the 404 document it was asked for: not the site's error.
  const unexpected = seen.errors.filter((e) => !e.endsWith('@ /posts/no-such-post'));
  expect(unexpected).toEqual([]);
});

test('search: the header box answers from the static index', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/about');
  const box = page.getByRole('combobox', { name: 'Search' });
  await expect(async () => {
    await box.fill('');
    await box.pressSequentially('terraf', { delay: 30 });
    await expect(page.locator('#search-suggestions [role="option"]').first()).toBeVisible({
      timeout: 2_000,
    });
  }).toPass({ timeout: 20_000 });
  await expect(page.locator('#search-suggestions [role="option"]').first()).toContainText('Terraform');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/posts\/terraform_gke_private_cluster$/);
  expect(seen.errors.filter((e) => !e.includes('/api/'))).toEqual([]);
});

// The budget for a static host: the first search transfers at most
// 100 KB (bytes, as `make check-size` counts them). The host gzips like GitHub
// Pages (examples/static_host.rs); each response body is counted as it came
// over the wire (encoded), from focusing the box to the answer shown. Headers
// are left out: hosts speak HTTP/2, whose header compression sends the
// repeated policy headers once. tools/bench/export_bench.py estimates the
// same total for more queries.
const FIRST_SEARCH_BUDGET = 100_000;

test('search: the first search of "the" transfers at most 100 KB', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/about');
  await page.waitForLoadState('networkidle');
  const sizes: Promise<[string, number, number]>[] = [];
  page.on('requestfinished', (r) => {
    sizes.push(
      r.sizes().then((s) => [new URL(r.url()).pathname, s.responseBodySize, s.responseHeadersSize]),
    );
  });
  const box = page.getByRole('combobox', { name: 'Search' });
  await box.focus();
  await box.fill('the');
  await expect(page.locator('#search-suggestions [role="option"]').first()).toBeVisible({
    timeout: 15_000,
  });
  await page.waitForLoadState('networkidle');
  const got = await Promise.all(sizes);
  const body = got.reduce((n, [, b]) => n + b, 0);
  const headers = got.reduce((n, [, , h]) => n + h, 0);
  console.log(
    `first search of "the": ${got.length} responses, ${body} B of bodies (+ ${headers} B of HTTP/1.1 headers)`,
  );
  // What was counted is the search: its code, the shard of `th`, records.
  expect(got.some(([path]) => path === '/search-index/s/7468.json')).toBe(true);
  expect(got.some(([path]) => path.startsWith('/search-index/d/'))).toBe(true);
  expect(got.some(([path]) => path.endsWith('.wasm'))).toBe(true);
  expect(body, got.map(([p, b]) => `${p} ${b}`).join('\n')).toBeLessThanOrEqual(FIRST_SEARCH_BUDGET);
  expect(seen.errors.filter((e) => !e.includes('/api/'))).toEqual([]);
});

test('theme: the switch applies and survives a reload', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/posts/leptos_ssr_blog');
  const html = page.locator('html');
  const toggle = page.locator('button.theme-toggle');
  await expect(async () => {
    await toggle.click();
    await expect(html).toHaveAttribute('data-theme', 'light', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(seen.errors).toEqual([]);
});

test('term cards: hovering a glossary term shows its definition', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/posts/ansible_patching_playbook');
  const link = page.locator('.prose a.term[data-term="ansible"]').first();
  const card = page.locator('#term-card-ansible');
  await expect(async () => {
    await page.mouse.move(0, 0);
    await link.hover();
    await expect(card).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(card).toContainText('Ansible');
  expect(seen.errors).toEqual([]);
});

test('filters: the glossary and emoji boxes narrow their lists', async ({ page }) => {
  const seen = watch(page);
  await page.goto('/glossary');
  const visible = page.locator('dl.terms .entry:visible');
  const total = await visible.count();
  const box = page.getByRole('searchbox', { name: 'Filtrar términos' });
  await expect(async () => {
    await box.fill('');
    await box.pressSequentially('hidratacion', { delay: 20 });
    await expect(visible).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  expect(total).toBeGreaterThan(1);
  await page.goto('/emoji');
  const emoji = page.locator('.emoji-grid li:visible');
  const emojiBox = page.getByRole('searchbox', { name: 'Filter emoji' });
  await expect(async () => {
    await emojiBox.fill('');
    await emojiBox.pressSequentially('godmode', { delay: 20 });
    await expect(emoji).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  expect(seen.errors).toEqual([]);
  expect(seen.api).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('/search explains that it needs JavaScript and links to topics and glossary', async ({ page }) => {
    await page.goto('/search?q=terraform');
    const note = page.locator('.search-static-note');
    await expect(note).toContainText('needs JavaScript');
    await note.locator('a[href="/tags"]').click();
    await expect(page).toHaveURL(/\/tags$/);
  });
});
