import { defineConfig } from '@playwright/test';

// The server under test is the release binary that `make test` has just built,
// serving the shipped content/ on its own port (3000 stays free for `make run`).
const PORT = process.env.E2E_PORT ?? '3100';
// A second server in author mode, on a scratch copy of content/ the tests edit.
export const LIVE_PORT = process.env.E2E_LIVE_PORT ?? '3101';
export const LIVE_CONTENT = 'target/e2e-content';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
    command: './target/release/microblog',
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_OUTPUT_NAME: 'microblog',
      LEPTOS_ENV: 'PROD',
      CONTENT_DIR: 'content',
      RUST_LOG: 'warn',
    },
    },
    {
      command: `rm -rf ${LIVE_CONTENT} && cp -r content ${LIVE_CONTENT} && exec ./target/release/microblog`,
      cwd: '..',
      url: `http://127.0.0.1:${LIVE_PORT}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${LIVE_PORT}`,
        LEPTOS_SITE_ROOT: 'target/site',
        LEPTOS_OUTPUT_NAME: 'microblog',
        LEPTOS_ENV: 'PROD',
        CONTENT_DIR: LIVE_CONTENT,
        CONTENT_WATCH: '1',
        RUST_LOG: 'warn',
      },
    },
  ],
});
