import { defineConfig } from '@playwright/test';

// The Electron end-to-end suite. It drives the real desktop app (main process, preload,
// IPC, sandboxed renderer) — the part browser mode cannot cover. Where the Electron
// runtime cannot be downloaded the suite reports itself skipped, with the reason.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // One Electron app at a time: each is a full Chromium plus a SQLite replica.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: '../../test-results/electron',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
