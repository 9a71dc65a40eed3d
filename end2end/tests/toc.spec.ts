import { expect, test } from '@playwright/test';

test('the table of contents marks the section being read while scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 800 });
  await page.goto('/posts/terraform_gke_private_cluster');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 15_000 });
  const links = page.locator('nav.toc a');
  expect(await links.count()).toBeGreaterThanOrEqual(3);
  const current = page.locator('nav.toc a[aria-current="location"]');
  // Wide windows keep the contents in view beside the text.
  await expect(page.locator('nav.toc')).toHaveCSS('position', 'fixed');

  // Headings followed by a long enough section that scrolling to them leaves
  // the next heading well below the top.
  const ids = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')!.slice(1)));
  const tops = await page.evaluate(
    (ids) => ids.map((id) => document.getElementById(id)!.getBoundingClientRect().top + window.scrollY),
    ids,
  );
  const roomy = ids.filter((_, i) => i === ids.length - 1 || tops[i + 1] - tops[i] > 300);
  expect(roomy.length).toBeGreaterThanOrEqual(2);
  for (const id of [roomy[1], roomy[roomy.length - 1]]) {
    await page.evaluate((id) => document.getElementById(id)!.scrollIntoView(), id);
    await expect(current).toHaveCount(1);
    await expect(current).toHaveAttribute('href', `#${id}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(current).toHaveCount(0);
});
