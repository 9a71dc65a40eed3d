import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench-navigation`: the navigation timing run (end2end/bench), against
// the same release server as the tests. Not part of `make test`: it records
// figures, it asserts no times.
export default defineConfig({
  ...base,
  testDir: './bench',
  webServer: Array.isArray(base.webServer) ? base.webServer[0] : base.webServer,
});
