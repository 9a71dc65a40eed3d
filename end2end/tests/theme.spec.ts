import { expect, test, type Browser, type Page } from '@playwright/test';

const POST = '/posts/leptos_ssr_blog';

test('the theme switch persists across reloads', async ({ page }) => {
  await page.goto(POST);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const html = page.locator('html');
  // No stored choice: the page follows prefers-color-scheme, no attribute.
  expect(await html.getAttribute('data-theme')).toBeNull();
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
  expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark');

  // The server sends the same page to everyone: the choice is not in it.
  const first = await page.request.get(POST);
  expect(await first.text()).not.toMatch(/<html [^>]*data-theme/);

  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveText(/Dark/);
  await toggle.focus();
  await page.keyboard.press('Enter'); // dark → system, by keyboard
  await expect(html).toHaveAttribute('data-theme', 'system');
});

/** Red, green, blue of the pixel at (x, y) of a PNG, decoded by the browser. */
async function pixel(browser: Browser, png: Buffer, x: number, y: number): Promise<number[]> {
  const scratch = await browser.newPage();
  try {
    return await scratch.evaluate(
      async ({ data, x, y }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
      },
      { data: png.toString('base64'), x, y },
    );
  } finally {
    await scratch.close();
  }
}

const luminance = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/**
 * The page as first painted: the app's JS and WASM are refused (the
 * stylesheet is not), so the only script that can run is the inline one in
 * <head>. A screenshot of the top
 * left corner (page background, left of the centred column) gives its colour.
 */
async function firstPaint(page: Page, browser: Browser): Promise<number[]> {
  await page.route(/\/pkg\/[^?]*\.(js|wasm)(\?|$)/, (route) => route.abort());
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(POST, { waitUntil: 'load' });
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 8, height: 8 } });
  return pixel(browser, png, 4, 4);
}

test('a stored dark choice is already dark at first paint (cookie)', async ({ browser, baseURL }) => {
  // The system prefers light: only the stored choice can make it dark.
  const context = await browser.newContext({ colorScheme: 'light' });
  await context.addCookies([{ name: 'theme', value: 'dark', url: baseURL! }]);
  const page = await context.newPage();
  const dark = await firstPaint(page, browser);
  expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
  expect(luminance(dark)).toBeLessThan(60);
  await context.close();

  const plain = await browser.newContext({ colorScheme: 'light' });
  const light = await firstPaint(await plain.newPage(), browser);
  expect(luminance(light)).toBeGreaterThan(200);
  await plain.close();
});

test('a stored dark choice is already dark at first paint (localStorage)', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  // Stored by an earlier visit: written on a blank page of the same origin
  // (static file, no app), before the page under test is opened.
  const setup = await context.newPage();
  await setup.goto(`${baseURL}/robots.txt`);
  await setup.evaluate(() => localStorage.setItem('theme', 'dark'));
  await setup.close();
  const page = await context.newPage();
  expect(luminance(await firstPaint(page, browser))).toBeLessThan(60);
  await context.close();
});

test('without a stored choice the system preference decides', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  expect(luminance(await firstPaint(page, browser))).toBeLessThan(60);
  expect(await page.locator('html').getAttribute('data-theme')).toBeNull();
  await context.close();
});
