import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirBusy, lockForSync, SYNC_LOCK_FILE } from '../../electron/sync/data-dir-lock';
import { exited } from '../helpers/server-process';
import { communityCode, enrolledStation, newStreet, startDistrict, type District, type StreetFixture, type SyncStation } from './harness';

// One sync cycle at a time per data folder, also across processes (the desktop app, `npm run
// web` and `npm run station` may open the same folder).

let district: District;
const stations: SyncStation[] = [];

beforeAll(async () => {
  district = await startDistrict();
});
afterAll(async () => {
  for (const s of stations) s.close();
  await district.close();
});

async function station(): Promise<SyncStation & { street: StreetFixture }> {
  const street = await newStreet(district.db);
  const s = await enrolledStation(district, street);
  stations.push(s);
  return { ...s, street };
}

describe('the data folder sync lock', () => {
  it('is held by one taker at a time and given back', async () => {
    const s = await station();
    const release = lockForSync(s.ctx.dataDir);
    expect(() => lockForSync(s.ctx.dataDir)).toThrow(DataDirBusy);
    release();
    expect(existsSync(join(s.ctx.dataDir, SYNC_LOCK_FILE))).toBe(false);
    lockForSync(s.ctx.dataDir)();
  });

  it('keeps a cycle out while another live process holds it, and is taken over once that process is gone', async () => {
    const s = await station();
    await s.call('org.create', { code: communityCode(s.street, 1), name: '社区', level: 'community', kind: 'urban_community', parentId: s.street.id });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(s.ctx.dataDir, SYNC_LOCK_FILE), String(other.pid));
      await expect(s.engine.syncNow()).rejects.toMatchObject({ reason: 'sync.data_dir_busy', pid: other.pid });
      expect(s.engine.status()).toMatchObject({ pending: 1, online: true, lastError: { reason: 'sync.data_dir_busy' } });
    } finally {
      other.kill('SIGKILL');
      await exited(other);
    }
    // the holder died without cleaning up (as after SIGKILL): its lock no longer counts
    await s.engine.syncNow();
    expect(s.engine.status()).toMatchObject({ pending: 0, lastError: null });
    expect(existsSync(join(s.ctx.dataDir, SYNC_LOCK_FILE))).toBe(false);
  });
});
