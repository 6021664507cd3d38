import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

// Each test gets its own data folder and its own browser-mode host, so tests never see
// each other's data and can run in parallel.

const ROOT = join(import.meta.dirname, '..', '..');
const HOST_ENTRY = join(ROOT, 'electron/host/cli.ts');
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/;

export interface Station {
  url: string;
  dataDir: string;
  /** The host's HTTP API, for arranging data the test is not about. */
  call<T>(method: string, request?: unknown): Promise<T>;
}

function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST_ENTRY, '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`host did not print its URL in time:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${output}`));
    });
  });
}

function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const test = base.extend<{ station: Station }>({
  // Playwright reads fixture dependencies from this destructuring and rejects anything but
  // an object pattern, so the empty one is required.
  // eslint-disable-next-line no-empty-pattern
  station: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-'));
    const { child, url } = await startHost(dataDir);
    const origin = new URL(url).origin;
    const token = new URL(url).hash.replace('#token=', '');
    const call = async <T>(method: string, request: unknown = {}): Promise<T> => {
      const res = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(request),
      });
      const reply = (await res.json()) as { ok: true; result: T } | { ok: false; error: unknown };
      if (!reply.ok) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
      return reply.result;
    };
    try {
      await use({ url, dataDir, call });
    } finally {
      await stopHost(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

/** Opens the app with the launch token, as the clerk would from the printed address. */
export async function openApp(page: Page, station: Station): Promise<void> {
  await page.goto(station.url);
  await expect(page.getByTestId('app-title')).toBeVisible();
}

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export { expect };
