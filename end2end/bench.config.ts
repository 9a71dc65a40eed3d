import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench-navigation`, part 1: the navigation timing run (end2end/bench)
// under Playwright, against the release server in its shipped configuration
// (production, JSON access log at info). Not part of `make test`: it records
// figures, it asserts no times. Part 2 is tools/bench/navigation.mjs.
//
// BENCH_BIN and BENCH_SITE_ROOT serve another build (e.g. a copy of the
// islands-router build: its binary with its hash.txt beside it, and its site
// folder), so two builds can be measured turn about in one session.
const server = Array.isArray(base.webServer) ? base.webServer[0] : base.webServer!;
const bin = process.env.BENCH_BIN;
const siteRoot = process.env.BENCH_SITE_ROOT;

export default defineConfig({
  ...base,
  testDir: './bench',
  webServer: {
    ...server,
    command: bin ? `exec ${bin}` : server.command,
    // The access log (one JSON line per request) is written, not shown.
    stdout: 'ignore',
    env: {
      ...server.env,
      LOG_FORMAT: 'json',
      RUST_LOG: 'info',
      ...(siteRoot ? { LEPTOS_SITE_ROOT: siteRoot } : {}),
    },
  },
});
