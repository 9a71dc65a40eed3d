#!/usr/bin/env node
// `make bench-navigation`, part 2: click → new page shown, in Chromium driven
// the way a reader's browser behaves, with prerendering.
//
// Why Puppeteer here and not Playwright: Chromium refuses to prerender in a
// tab that a DevTools client has attached to page by page, which is how
// Playwright attaches (`IsPrerenderAllowed` sees a session without "tab
// target" support; the attempt ends as `PrerenderingDisabledByDevTools`).
// Puppeteer attaches through the tab target, so Chromium prerenders as it
// does for a reader. Part 1 (end2end/bench/navigation.spec.ts) is the same
// walk under Playwright, where every click is a plain page load.
//
// Two modes, measured hop by hop one after the other so both see the same
// machine load, and two ways of clicking:
// - `prerender`: as shipped; Speculation Rules prerender a link the pointer
//   rests on (`moderate`: 200 ms of hover, or the button going down);
// - `plain`: the baseline, the same pages with prerendering switched off
//   (`Page.setPrerenderingAllowed`), i.e. a plain document load per click;
// - hover 300 ms then click (a reader who aims, then clicks), and click at
//   once (pointer moves in and clicks: only the button press starts a
//   prerender).
// The timing itself is taken inside the browser (end2end/bench/measure.mjs).
//
// Each hop opens its page in a new tab with an empty HTTP cache, waits until
// its islands are hydrated, then clicks. The server is the release binary in
// its shipped configuration (production, JSON access log at info).
// BENCH_BIN / BENCH_SITE_ROOT serve another build; CHROME_PATH another
// browser. Results: stdout and target/bench/navigation.json.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CLICK_KEY, describe, readShown, recordClick, summary, watchTitle } from '../../end2end/bench/measure.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { hops: HOPS } = JSON.parse(readFileSync(join(ROOT, 'end2end/bench/hops.json'), 'utf8'));
const BIN = process.env.BENCH_BIN ?? join(ROOT, 'target/release/microblog');
const SITE_ROOT = process.env.BENCH_SITE_ROOT ?? join(ROOT, 'target/site');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
// The flags of end2end/playwright.config.ts (TOOLCHAIN.md), headless.
const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DWELLS = [300, 0];
const MODES = ['prerender', 'plain'];
/** How long a hop may take before it counts as not shown. */
const GIVE_UP_MS = 5_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function startServer(port) {
  const env = {
    ...process.env,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: SITE_ROOT,
    LEPTOS_OUTPUT_NAME: 'microblog',
    LEPTOS_ENV: 'PROD',
    LOG_FORMAT: 'json',
    RUST_LOG: 'info',
  };
  const proc = spawn(BIN, [], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return proc;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  proc.kill();
  throw new Error('the server did not start');
}

/** Clears the browser's HTTP cache from a tab of its own (a DevTools
 * session on a measured tab would itself rule out prerendering). */
async function clearCache(browser) {
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send('Network.clearBrowserCache');
  await page.close();
}

/** readShown() in the tab's current page. Through a DevTools session of its
 * own, opened after the click: Puppeteer's page object can keep the frame
 * a prerender activation replaced ("detached frame"), and a session opened
 * now no longer affects whether the page was prerendered. */
async function readFromTab(browser, base, from) {
  const target = browser
    .targets()
    .find((t) => t.type() === 'page' && t.url().startsWith(base) && new URL(t.url()).pathname !== from);
  if (!target) return null;
  const cdp = await target.createCDPSession();
  try {
    const expression = `(${readShown})(${JSON.stringify([CLICK_KEY, from])})`;
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
    if (exceptionDetails) throw new Error(exceptionDetails.text);
    return result.value;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function hop(browser, base, mode, [from, selector], dwell) {
  await clearCache(browser);
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1280, height: 800 });
    await page.evaluateOnNewDocument(watchTitle);
    if (mode === 'plain') {
      const cdp = await page.createCDPSession();
      await cdp.send('Page.setPrerenderingAllowed', { isAllowed: false });
    }
    await page.goto(base + from, { waitUntil: 'load' });
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 15_000 });
    const link = await page.waitForSelector(selector);
    const href = await link.evaluate((a) => a.getAttribute('href'));
    const oldTitle = await page.title();
    await page.evaluate(recordClick, CLICK_KEY);
    await link.hover();
    if (dwell > 0) await sleep(dwell);
    await page.mouse.down();
    await page.mouse.up();
    const deadline = Date.now() + GIVE_UP_MS;
    let shown = null;
    while (!shown && Date.now() < deadline) {
      await sleep(50);
      shown = await readFromTab(browser, base, from).catch(() => null);
    }
    const ok = !!shown && shown.path === href && shown.title !== oldTitle && shown.h1 !== '' && shown.complete;
    return { from, href, mode, dwell, ok, ...(shown ?? {}) };
  } finally {
    await page.close().catch(() => {});
  }
}

async function main() {
  const port = await freePort();
  const server = await startServer(port);
  const base = `http://127.0.0.1:${port}`;
  const browser = await puppeteer.launch({ executablePath: CHROME, headless: true, args: CHROME_ARGS });
  const version = (await browser.version()).replace(/^HeadlessChrome\//, '');
  const load = [loadavg()[0]];
  const runs = [];
  try {
    // Every page once, so the server's page cache is warm for both modes.
    for (const [from] of HOPS) await fetch(base + from);
    for (const dwell of DWELLS) {
      const results = Object.fromEntries(MODES.map((m) => [m, []]));
      for (const h of HOPS) {
        for (const mode of MODES) results[mode].push(await hop(browser, base, mode, h, dwell));
      }
      for (const mode of MODES) runs.push({ mode, dwell, hops: results[mode] });
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
  load.push(loadavg()[0]);

  console.log(
    `Chromium ${version} (Puppeteer, headless, tab-target sessions), ${HOPS.length} navigations, ` +
      `click event → first contentful paint of the new page; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
  );
  for (const dwell of DWELLS) {
    const [pre, plain] = MODES.map((m) => runs.find((r) => r.mode === m && r.dwell === dwell).hops);
    const medians = [pre, plain].map((hs) => summary(hs.filter((h) => h.ok).map((h) => h.shownMs)).median);
    console.log(describe(`prerender, hover ${dwell} ms`, pre));
    console.log(describe(`plain load, hover ${dwell} ms`, plain));
    console.log(`  ratio of medians prerender / plain: ${(medians[0] / medians[1]).toFixed(2)}`);
    const activation = pre.filter((h) => h.prerendered).map((h) => h.activationMs);
    if (activation.length) console.log(`  prerendered page activated ${summary(activation).median} ms after the click (median)`);
  }
  const out = join(ROOT, 'target/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'navigation.json'), JSON.stringify({ loadavg: load, runs }, null, 2));
}

// Puppeteer swaps its frame tree when a prerendered page is activated, and
// does so from an event handler; when the tab is closed at that moment the
// swap throws outside any call of ours. The hop's result was already read.
process.on('uncaughtException', (e) => {
  if (/detached Frame/.test(e?.message ?? '')) return;
  console.error(e);
  process.exit(1);
});

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
