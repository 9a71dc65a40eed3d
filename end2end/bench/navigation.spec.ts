import { expect, test, type Page } from '@playwright/test';

// Click → new page's title and heading shown, for 10 navigations through the
// site, in two ways a reader clicks: after resting the pointer on the link
// for 300 ms (the usual case; Speculation Rules start the prerender on hover)
// and at once (pointer moves in and clicks). Prints each time and the median.
// NAV_MODE labels the run (e.g. `speculation` or `islands-router`, which needs
// a server built with `--features islands-router`).

const MODE = process.env.NAV_MODE ?? 'speculation';

/** From page, the link to follow (10 navigations). */
const HOPS: [string, string][] = [
  ['/', 'article.post-card h2 a >> nth=0'],
  ['/', 'article.post-card h2 a >> nth=1'],
  ['/', 'header nav a[href="/about"]'],
  ['/about', 'header nav a[href="/glossary"]'],
  ['/glossary', 'header nav a[href="/tags"]'],
  ['/tags', '.tag-index a >> nth=0'],
  ['/posts/leptos_ssr_blog', '.post-nav a >> nth=0'],
  ['/posts/leptos_ssr_blog', 'ul.tags a >> nth=0'],
  ['/posts/netlify', 'header nav a[href="/"]'],
  ['/glossary', 'footer a[href="/emoji"]'],
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function hop(page: Page, from: string, selector: string, dwell: number): Promise<number> {
  await page.goto(from);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const link = page.locator(selector);
  const href = (await link.getAttribute('href'))!;
  const oldTitle = await page.title();
  await link.hover();
  if (dwell > 0) await page.waitForTimeout(dwell);
  const started = Date.now();
  await link.click();
  await page.waitForURL((u) => u.pathname === href, { waitUntil: 'commit' });
  await page.waitForFunction(
    (old) => document.title !== old && (document.querySelector('main h1')?.textContent ?? '') !== '',
    oldTitle,
    { polling: 'raf' },
  );
  return Date.now() - started;
}

for (const dwell of [300, 0]) {
  test(`${MODE}: click → new title, ${HOPS.length} navigations, ${dwell} ms hover first`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const times: number[] = [];
    for (const [from, selector] of HOPS) {
      times.push(await hop(page, from, selector, dwell));
    }
    console.log(`${MODE}, hover ${dwell} ms: ${times.join(', ')} ms; median ${median(times)} ms`);
    expect(times).toHaveLength(HOPS.length);
  });
}
