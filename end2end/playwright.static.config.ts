import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The static export (`microblog export`) served by a plain static host that
// applies the generated _redirects and _headers (examples/static_host.rs):
// a subset of the browser tests plus the no-JS crawl, against the files.
const PORT = process.env.STATIC_E2E_PORT ?? '3102';
export const STATIC_DIR = 'target/e2e-static';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: ['static/*.spec.ts', 'tests/crawl.spec.ts'],
  // Static hosts compress on their own and ignore the .br/.gz siblings.
  grepInvert: /precompressed/,
  use: { ...base.use, baseURL: `http://127.0.0.1:${PORT}` },
  webServer: {
    command:
      `./target/release/microblog export ${STATIC_DIR} --force > /dev/null && ` +
      `exec ./target/debug/examples/static_host ${STATIC_DIR} 127.0.0.1:${PORT}`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_OUTPUT_NAME: 'microblog',
      LEPTOS_ENV: 'PROD',
      CONTENT_DIR: 'content',
      SITE_URL: `http://127.0.0.1:${PORT}`,
    },
  },
});
