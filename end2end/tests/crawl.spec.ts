import { expect, test } from '@playwright/test';

// A crawler's view of the running release server: plain HTTP, no JavaScript.
// Follows every same-host <a href> from `/`, then compares with the sitemap.

const SKIP = /^\/(pkg|api)\//;

function attr(tag: string, name: string): string | undefined {
  return tag.match(new RegExp(`${name}="([^"]*)"`))?.[1];
}

function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, 'g')) ?? [];
}

test('a no-JS crawl reaches every page, all well-formed and all in the sitemap', async ({
  request,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const seen = new Map<string, number>();
  const html = new Set<string>();
  const queue = ['/'];
  const problems: string[] = [];
  let siteUrl = '';

  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const res = await request.get(path, { maxRedirects: 0 });
    seen.set(path, res.status());
    if (res.status() !== 200) {
      problems.push(`${path} → ${res.status()}`);
      continue;
    }
    if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) continue;
    html.add(path);
    const body = await res.text();
    const head = body.split('</head>')[0];

    const titles = head.match(/<title>/g) ?? [];
    if (titles.length !== 1) problems.push(`${path}: ${titles.length} <title>`);
    const description = tags(head, 'meta').find((t) => attr(t, 'name') === 'description');
    if (!description || !attr(description, 'content')) problems.push(`${path}: no description`);
    const canonical = tags(head, 'link').find((t) => attr(t, 'rel') === 'canonical');
    const href = canonical && attr(canonical, 'href');
    if (!href) {
      problems.push(`${path}: no canonical`);
    } else {
      const url = new URL(href);
      siteUrl ||= url.origin;
      if (url.pathname !== path) problems.push(`${path}: canonical is ${href}`);
    }

    for (const a of tags(body, 'a')) {
      const target = attr(a, 'href');
      if (!target || target.startsWith('#')) continue;
      const url = new URL(target, origin + path);
      if (url.origin !== origin || SKIP.test(url.pathname)) continue;
      if (!seen.has(url.pathname)) queue.push(url.pathname);
    }
  }

  expect(problems).toEqual([]);
  expect(html.size).toBeGreaterThan(20);

  const sitemap = await (await request.get('/sitemap.xml')).text();
  const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => {
    const url = new URL(m[1]);
    expect(url.origin).toBe(siteUrl);
    return url.pathname;
  });
  expect(new Set(locs)).toEqual(html);
  expect(locs.length).toBe(html.size);

  const robots = await (await request.get('/robots.txt')).text();
  expect(robots).toContain(`Sitemap: ${siteUrl}/sitemap.xml`);
});

test('the draft is not in the sitemap or feeds, and answers 404', async ({ request }) => {
  for (const path of ['/sitemap.xml', '/feed.xml', '/rss.xml']) {
    const body = await (await request.get(path)).text();
    expect(body, path).not.toContain('draft_chaos_engineering');
  }
  expect((await request.get('/posts/draft_chaos_engineering')).status()).toBe(404);
});

test('assets are content-hashed, cached for a year and precompressed', async ({ request }) => {
  const html = await (await request.get('/')).text();
  // The WASM is not preloaded: the island loader names it (its fourth
  // argument) and fetches it in idle time.
  expect(html).not.toMatch(/<link[^>]+as="fetch"/);
  const wasm = html.match(/"pkg", "[^"]+", "(microblog\.[A-Za-z0-9_-]{16,})"/)?.[1];
  for (const ext of ['js', 'wasm', 'css']) {
    const path =
      ext === 'wasm' && wasm
        ? `/pkg/${wasm}.wasm`
        : html.match(new RegExp(`/pkg/microblog\\.[A-Za-z0-9_-]{16,}\\.${ext}`))?.[0];
    expect(path, ext).toBeTruthy();
    const res = await request.get(path!, { headers: { 'accept-encoding': 'br' } });
    expect(res.status(), path).toBe(200);
    expect(res.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers()['content-encoding']).toBe('br');
  }
});
