import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../core/api/sync';
import { enrollmentCode, newStreet, serverDump, startDistrict, type District } from './harness';

// `npm run station` end to end: a child process enrolls a fresh data folder with the real
// server, syncs, and reports its status.

const run = promisify(execFile);
let district: District;
const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-station-cli-'));

function station(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'electron/cli/station.ts', '--data-dir', dataDir, ...args], {
    env: { ...process.env, GRIDDESK_LOG_LEVEL: 'silent' },
  });
}

beforeAll(async () => {
  district = await startDistrict();
});
afterAll(async () => {
  await district.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run station', () => {
  it('prints its usage on --help, and the reason and the usage on an unknown flag (exit 2)', async () => {
    const help = await station('--help');
    expect(help.stdout).toContain('usage: npm run station');
    const bad = await station('--bogus').then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/Unknown option '--bogus'[\s\S]*usage: npm run station/);
  });

  it('enrolls, syncs and prints the status', async () => {
    const street = await newStreet(district.db);
    const status0 = await station('status');
    expect(status0.stdout.trim()).toBe('not enrolled');

    // the address as an admin may copy it, with the API's path: the station keeps the server's root
    const enrolled = await station('enroll', '--server', `${district.url}/v1/`, '--code', await enrollmentCode(district.db, street), '--name', '综治中心一号机');
    expect(enrolled.stdout).toContain(`${street.code} ${street.name}`);
    expect(enrolled.stdout).toMatch(/state\s+ready/);
    expect(statSync(join(dataDir, 'device-token')).mode & 0o777).toBe(0o600);

    await station('sync');
    const { stdout } = await station('status', '--json');
    const status = JSON.parse(stdout) as SyncStatus;
    expect(status).toMatchObject({ enrolled: true, bootstrapped: true, deviceName: '综治中心一号机', pending: 0, lastError: null, serverUrl: district.url });
    expect(status.cursor).toBeGreaterThan(0);
    expect(Object.keys(await serverDump(district.db, street.id)).length).toBeGreaterThanOrEqual(2);

    const again = await station('enroll', '--server', district.url, '--code', 'whatever-code').catch((e: { code: number; stderr: string }) => e);
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr).toContain('sync.already_enrolled');
  });

  it('says when the address answers but is not a district server', async () => {
    // a wrong path on the district server (404), and another service that wants a login (401)
    const other = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized","reason":"login"}}'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      for (const address of [`${district.url}/griddesk`, `http://127.0.0.1:${port}`]) {
        const folder = mkdtempSync(join(tmpdir(), 'griddesk-station-cli-'));
        const failed = await run(process.execPath, ['--import', 'tsx', 'electron/cli/station.ts', '--data-dir', folder, 'enroll', '--server', address, '--code', 'abcdefgh'], {
          env: { ...process.env, GRIDDESK_LOG_LEVEL: 'silent' },
        }).catch((e: { code: number; stderr: string }) => e);
        expect(failed, address).toMatchObject({ code: 1 });
        expect((failed as { stderr: string }).stderr, address).toContain('sync.not_a_server');
        rmSync(folder, { recursive: true, force: true });
      }
    } finally {
      other.close();
    }
  });

  it('says why a sync fails when the server is unreachable', async () => {
    const other = mkdtempSync(join(tmpdir(), 'griddesk-station-cli-'));
    const failed = await run(process.execPath, ['--import', 'tsx', 'electron/cli/station.ts', '--data-dir', other, 'enroll', '--server', 'http://127.0.0.1:9', '--code', 'abcdefgh'], {
      env: { ...process.env, GRIDDESK_LOG_LEVEL: 'silent' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('sync.server_unreachable');
    rmSync(other, { recursive: true, force: true });
  });
});
