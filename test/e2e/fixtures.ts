import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { SyncStatus } from '../../core/api/sync';
import { ROOT, startHost, stopHost } from './host';

// Each test gets its own data folder and its own browser-mode host, so tests never see
// each other's data and can run in parallel.

export interface Station {
  url: string;
  dataDir: string;
  /** The host's HTTP API, for arranging data the test is not about. */
  call<T>(method: string, request?: unknown): Promise<T>;
}

/** A fresh data folder and browser-mode host for the length of one fixture. */
export async function withStation(prefix: string, use: (station: Station) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const { child, url, call } = await startHost(dataDir);
  try {
    await use({ url, dataDir, call });
  } finally {
    await stopHost(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const test = base.extend<{ station: Station }>({
  // Playwright reads fixture dependencies from this destructuring and rejects anything but
  // an object pattern, so the empty one is required.
  station: async ({}, use) => withStation('griddesk-e2e-', use),
});

/** Two stations of one street: `station` and `stationB`, each with its own host and data. */
export const twoStationTest = test.extend<{ stationB: Station }>({
  stationB: async ({}, use) => withStation('griddesk-e2e-b-', use),
});

/** One full sync cycle through the API; it must reach the server and leave nothing to send. */
export async function syncNow(station: Station): Promise<SyncStatus> {
  const status = await station.call<SyncStatus>('sync.now');
  expect(status, `sync of ${status.deviceName}`).toMatchObject({ online: true, bootstrapped: true, pending: 0 });
  return status;
}

/** Opens the app with the launch token, as the clerk would from the printed address. */
export async function openApp(page: Page, station: Station): Promise<void> {
  await page.goto(station.url);
  await expect(page.getByTestId('app-title')).toBeVisible();
}

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export { expect };
