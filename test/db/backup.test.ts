import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStation, seedOrgTree, type Station } from '../helpers/station';

let station: Station;
beforeEach(() => {
  station = openStation();
});
afterEach(() => station.close());

describe('backup and restore', () => {
  it('backs up online and restores, saving the current data aside first', async () => {
    const { community } = await seedOrgTree(station);
    await station.call('people.create', { name: '备份前', orgUnitId: community.id });
    const backup = await station.call('backup.create', {});
    expect(backup.bytes).toBeGreaterThan(0);
    await station.call('people.create', { name: '备份后', orgUnitId: community.id });
    const { safetyCopy } = await station.call('backup.restore', { path: backup.path });
    expect((await station.call('people.list', {})).rows.map((r) => r.name)).toEqual(['备份前']);
    // The data written after the backup is not lost: it is in the safety copy.
    await station.call('backup.restore', { path: safetyCopy.path });
    expect((await station.call('people.list', {})).rows.map((r) => r.name).sort()).toEqual(['备份前', '备份后'].sort());
    const listed = await station.call('backup.list', {});
    expect(listed.map((b) => b.fileName)).toContain(backup.fileName);
  });

  it('never reissues a mutation id after restoring an older backup', async () => {
    const { community } = await seedOrgTree(station);
    const backup = await station.call('backup.create', {});
    await station.call('people.create', { name: '备份后', orgUnitId: community.id });
    const maxSeq = () => (station.ctx.db.prepare('SELECT max(seq) AS m FROM change_log').get() as { m: number }).m;
    const before = maxSeq();
    await station.call('backup.restore', { path: backup.path });
    expect(maxSeq()).toBeLessThan(before);
    await station.call('people.create', { name: '恢复后', orgUnitId: community.id });
    expect(maxSeq()).toBe(before + 1);
  });

  it('refuses a damaged, foreign or newer file and keeps working on the current data', async () => {
    await seedOrgTree(station);
    const dir = station.ctx.dataDir;
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'not a database at all');
    expect((await station.fail('backup.restore', { path: garbage })).reason).toBe('backup.unreadable');
    const foreign = join(dir, 'foreign.sqlite');
    new Database(foreign).exec('CREATE TABLE t (x)');
    expect((await station.fail('backup.restore', { path: foreign })).reason).toBe('backup.not_griddesk');
    const newer = (await station.call('backup.create', { path: 'newer.sqlite' })).path;
    const raw = new Database(newer);
    raw.pragma('user_version = 999');
    raw.close();
    expect((await station.fail('backup.restore', { path: newer })).reason).toBe('backup.newer_version');
    expect((await station.fail('backup.restore', { path: join(dir, 'missing.sqlite') })).reason).toBe('backup.unreadable');
    expect((await station.call('org.tree', {})).length).toBe(4);
  });

  it('refuses to overwrite the live data file', async () => {
    expect((await station.fail('backup.create', { path: station.ctx.dbFile })).reason).toBe('backup.target_is_live_file');
  });
});
