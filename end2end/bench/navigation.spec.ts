import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLICK_KEY, describe, readShown, recordClick, watchTitle } from './measure.mjs';

// `make bench-navigation`, part 1: click → new page shown for the 10
// navigations of hops.json, under Playwright, timed inside the browser
// (measure.mjs: the click event's time → the new page's first contentful
// paint). Prints the times, median and spread; asserts no time.
//
// Under Playwright Chromium never prerenders: Playwright attaches to each
// page directly rather than through its tab, and Chromium refuses to
// prerender in a tab with such a DevTools session (every attempt ends as
// `PrerenderingDisabledByDevTools`, counted below). So every click here is a
// plain page load, the fallback a reader gets when the browser did not
// prerender. Part 2 (tools/bench/navigation.mjs) drives Chromium with
// Puppeteer, which attaches through the tab, and measures prerendered clicks.
//
// NAV_MODE labels the run (e.g. `islands-router`, with BENCH_BIN and
// BENCH_SITE_ROOT serving such a build, see bench.config.ts).

const MODE = process.env.NAV_MODE ?? 'shipped';
const HOPS: [string, string][] = JSON.parse(readFileSync(join(__dirname, 'hops.json'), 'utf8')).hops;

/** How long a navigation may take before it counts as never shown. */
const GIVE_UP_MS = 5_000;

type Shown = { path: string; title: string; h1: string; shownMs: number; prerendered: boolean; complete: boolean };

async function hop(page: Page, from: string, selector: string, dwell: number) {
  await page.goto(from);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const link = page.locator(selector).first();
  const href = (await link.getAttribute('href'))!;
  const oldTitle = await page.title();
  await page.evaluate(recordClick, CLICK_KEY);
  await link.hover();
  if (dwell > 0) await page.waitForTimeout(dwell);
  await page.mouse.down();
  await page.mouse.up();
  const deadline = Date.now() + GIVE_UP_MS;
  let shown: Shown | null = null;
  while (!shown && Date.now() < deadline) {
    await page.waitForTimeout(50);
    shown = await page.evaluate(readShown, [CLICK_KEY, from]).catch(() => null);
  }
  const ok = !!shown && shown.path === href && shown.title !== oldTitle && shown.h1 !== '' && shown.complete;
  return { from, href, ok, ...(shown ?? {}) };
}

for (const dwell of [300, 0]) {
  test(`${MODE}: click → new page shown, ${HOPS.length} navigations, ${dwell} ms hover first`, async ({ page }) => {
    test.setTimeout(HOPS.length * (GIVE_UP_MS + 20_000));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.addInitScript(watchTitle);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Preload.enable');
    const prerender = new Map<string, number>();
    cdp.on('Preload.prerenderStatusUpdated', (e) => {
      const status = e.prerenderStatus ?? e.status;
      if (e.status !== 'Pending' && e.status !== 'Running') prerender.set(status, (prerender.get(status) ?? 0) + 1);
    });
    const hops = [];
    for (const [from, selector] of HOPS) {
      // Each click loads its page from the server, as a first visit would.
      await cdp.send('Network.clearBrowserCache');
      hops.push(await hop(page, from, selector, dwell));
    }
    console.log(
      `Playwright, ${describe(`${MODE}, hover ${dwell} ms`, hops)}; prerender attempts: ` +
        ([...prerender].map(([s, n]) => `${n} × ${s}`).join(', ') || 'none'),
    );
    expect(hops).toHaveLength(HOPS.length);
  });
}
