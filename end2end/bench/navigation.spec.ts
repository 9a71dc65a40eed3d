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

/** How long a navigation may take before it counts as never shown. */
const GIVE_UP_MS = 5_000;

/** Milliseconds from click to the new title and heading, or null when they
 * were not shown within GIVE_UP_MS (the islands router's diff can leave the
 * old page in place). */
async function hop(page: Page, from: string, selector: string, dwell: number): Promise<number | null> {
  await page.goto(from);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const link = page.locator(selector);
  const href = (await link.getAttribute('href'))!;
  const oldTitle = await page.title();
  await link.hover();
  if (dwell > 0) await page.waitForTimeout(dwell);
  const started = Date.now();
  await link.click();
  try {
    await page.waitForURL((u) => u.pathname === href, { waitUntil: 'commit', timeout: GIVE_UP_MS });
    await page.waitForFunction(
      (old) => document.title !== old && (document.querySelector('main h1')?.textContent ?? '') !== '',
      oldTitle,
      { polling: 'raf', timeout: GIVE_UP_MS },
    );
  } catch {
    return null;
  }
  return Date.now() - started;
}

for (const dwell of [300, 0]) {
  test(`${MODE}: click → new title, ${HOPS.length} navigations, ${dwell} ms hover first`, async ({ page }) => {
    // Room for every hop to give up (GIVE_UP_MS each) and load its page.
    test.setTimeout(HOPS.length * (GIVE_UP_MS + 5_000));
    await page.setViewportSize({ width: 1280, height: 800 });
    const times: (number | null)[] = [];
    for (const [from, selector] of HOPS) {
      times.push(await hop(page, from, selector, dwell));
    }
    const shown = times.filter((t): t is number => t !== null);
    const never = times.length - shown.length;
    console.log(
      `${MODE}, hover ${dwell} ms: ${times.map((t) => t ?? 'never').join(', ')} ms; ` +
        `median ${never ? `n/a (${never} of ${times.length} never showed the new page within ${GIVE_UP_MS} ms)` : `${median(shown)} ms`}`,
    );
    expect(times).toHaveLength(HOPS.length);
  });
}
