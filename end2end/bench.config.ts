import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench-navigation`: the navigation timing run (end2end/bench), against
// the same release server as the tests. Not part of `make test`: it records
// figures, it asserts no times.
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
    env: { ...server.env, ...(siteRoot ? { LEPTOS_SITE_ROOT: siteRoot } : {}) },
  },
});
