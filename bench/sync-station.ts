import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { residentIdCheckChar } from '../core/domain/identity';
import { closeAppContext, openAppContext, type AppContext } from '../electron/services/context';
import { httpTransport } from '../electron/sync/http-transport';
import type { SyncRun } from '../electron/sync/run';
import { syncState } from '../electron/sync/state';
import { latestVersion } from '../electron/store/migrate';
import { migrations } from '../electron/store/migrations';
import type { BenchDevice } from './sync-env';

// A station replica for the sync bench: a real SQLite file in a temp folder, enrolled as the
// given device, and the SyncRun the engine's phases (push, pull, bootstrap) work with.

export interface BenchStation {
  ctx: AppContext;
  run: SyncRun;
  close(): void;
}

export function openStation(serverUrl: string, device: BenchDevice): BenchStation {
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-bench-station-'));
  const ctx = openAppContext({ dataDir, transport: 'http' });
  syncState.setEnrollment(ctx.db, {
    serverUrl,
    deviceId: device.deviceId,
    deviceName: 'bench',
    streetId: device.street.id,
    streetCode: device.street.code,
    streetName: 'bench',
  });
  const run: SyncRun = {
    db: ctx.db,
    transport: httpTransport({ serverUrl, token: () => device.token, schemaVersion: latestVersion(migrations) }),
    enrollment: syncState.enrollment(ctx.db)!,
    now: () => new Date().toISOString(),
    progress: () => undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    backoffMs: () => 100,
  };
  return {
    ctx,
    run,
    close() {
      closeAppContext(ctx);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid resident ID (real birth date, GB 11643 check character), unique per n < 10^7. */
export function residentIdFor(n: number): string {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `110105${day}${String(n % 1000).padStart(3, '0')}`;
  return `${body}${residentIdCheckChar(body)}`;
}
