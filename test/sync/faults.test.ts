import { describe, expect, it } from 'vitest';
import { MIN_STATION_SCHEMA, PROTOCOL_VERSION } from '../../core/sync/protocol';
import { SyncEngine } from '../../electron/sync/engine';
import { restoreDevice, revokeDevice } from '../../server/admin/admin';
import { syncState } from '../../electron/sync/state';
import { fileTokenStore, memoryTokenStore } from '../../electron/sync/token-store';
import { asServerSees, communityCode, enrollmentCode, FAST, newStreet, openSyncStation, replicaDump, serverDump, type SyncStation, waitFor } from './harness';
import { proxiedStations, pushedMutations } from './proxied-stations';

// The station through a fault-injecting proxy in front of the real server: lost replies, a
// connection broken mid-snapshot, 413s, outages, refusals (a station too old, too new, revoked),
// 429s. Poisoned mutations and their quarantine: quarantine.test.ts.

const { fx, station, community, people, serverChangesOf } = proxiedStations();

describe('sync under faults', () => {
  it('does not apply a re-sent batch twice when the push reply was lost', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await people(a, c.id, 3);
    const before = await serverChangesOf(street.id);
    let lost = 0;
    fx.proxy.setRule((r) => (r.path === '/v1/push' && lost++ === 0 ? { kind: 'lose-response' } : undefined));
    await expect(a.engine.syncNow()).rejects.toThrow();
    expect(a.engine.status()).toMatchObject({ pending: 4, online: false, lastError: { reason: 'network.unreachable' } });
    fx.proxy.setRule(null);
    await a.engine.syncNow();
    expect(a.engine.status()).toMatchObject({ pending: 0, lastError: null });
    expect((await serverChangesOf(street.id)) - before).toBe(4);
    const server = await serverDump(fx.server.db, street.id);
    expect(asServerSees(replicaDump(a), server)).toEqual(server);
  });

  it('resumes a bootstrap at the next chunk after the connection broke mid-snapshot', async () => {
    const street = await newStreet(fx.server.db);
    const a1 = await station(street);
    const c = await community(a1, street);
    await people(a1, c.id, 14);
    await a1.engine.syncNow();

    const a2 = openSyncStation();
    fx.stations.push(a2);
    await a2.engine.enroll({ serverUrl: fx.proxy.url, code: await enrollmentCode(fx.server.db, street), deviceName: 'A2' });
    let cut = 0;
    fx.proxy.setRule((r) => (/\/v1\/snapshot\/[^/]+\/2$/.test(r.path) && cut++ === 0 ? { kind: 'truncate', bytes: 300 } : undefined));
    const logStart = fx.proxy.log.length;
    await expect(a2.engine.syncNow()).rejects.toThrow();
    expect(a2.engine.status()).toMatchObject({ bootstrapped: false, lastError: { reason: 'network.unreachable' } });
    // chunks 0 and 1 (4 records each) are in the replica, which is not marked usable yet
    expect(Object.keys(replicaDump(a2))).toHaveLength(8);
    expect(syncState.snapshot(a2.ctx.db)).toMatchObject({ next: 2 });
    expect(syncState.droppedIndexes(a2.ctx.db)?.length).toBeGreaterThan(0);

    const resumeStart = fx.proxy.log.length;
    await a2.engine.syncNow();
    const chunkFetches = (from: number, to?: number) =>
      fx.proxy.log.slice(from, to).filter((l) => l.path.startsWith('/v1/snapshot/')).map((l) => l.path.split('/').pop()).sort();
    // two chunks are requested ahead, so chunk 3 may have been asked for before chunk 2 broke
    expect(chunkFetches(logStart, resumeStart).slice(0, 3)).toEqual(['0', '1', '2']);
    expect(chunkFetches(resumeStart)).toEqual(['2', '3', '4']);
    expect(fx.proxy.log.slice(logStart).filter((l) => l.path === '/v1/snapshot')).toHaveLength(1);
    expect(a2.engine.status()).toMatchObject({ bootstrapped: true, lastError: null });
    expect(replicaDump(a2)).toEqual(replicaDump(a1));
    const indexes = (s: SyncStation) => s.ctx.db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name").all();
    expect(indexes(a2)).toEqual(indexes(a1));
    expect(syncState.droppedIndexes(a2.ctx.db)).toBeNull();
    fx.proxy.setRule(null);
  });

  it('shows the download under way while the server is still taking the snapshot', async () => {
    const street = await newStreet(fx.server.db);
    const a1 = await station(street);
    await people(a1, (await community(a1, street)).id, 2);
    await a1.engine.syncNow();

    const a2 = openSyncStation();
    fx.stations.push(a2);
    await a2.engine.enroll({ serverUrl: fx.proxy.url, code: await enrollmentCode(fx.server.db, street), deviceName: 'A2' });
    fx.proxy.setRule((r) => (r.path === '/v1/snapshot' ? { kind: 'delay', ms: 400 } : undefined));
    const logStart = fx.proxy.log.length;
    const syncing = a2.engine.syncNow();
    await waitFor(() => fx.proxy.log.slice(logStart).some((l) => l.path === '/v1/snapshot'), 5000);
    // the manifest has not come back yet: no chunk is known, but the bar is the download's
    expect(syncState.snapshot(a2.ctx.db)).toBeNull();
    expect(a2.engine.status().progress).toEqual({ phase: 'bootstrap', done: 0, total: 0 });
    await syncing;
    fx.proxy.setRule(null);
    expect(a2.engine.status()).toMatchObject({ bootstrapped: true, lastError: null, progress: { phase: 'idle' } });
  });

  it('refuses a chunk whose bytes do not match their checksum, writes nothing of it, and fetches it again', async () => {
    const street = await newStreet(fx.server.db);
    const a1 = await station(street);
    const c = await community(a1, street);
    await people(a1, c.id, 6);
    await a1.engine.syncNow();

    const a2 = openSyncStation();
    fx.stations.push(a2);
    await a2.engine.enroll({ serverUrl: fx.proxy.url, code: await enrollmentCode(fx.server.db, street), deviceName: 'A2' });
    let corrupted = 0;
    // same length, so only the checksum can tell
    const flip = (body: Buffer) => Buffer.from(body.toString('utf8').replace('"version":1', '"version":7'), 'utf8');
    fx.proxy.setRule((r) => (/\/v1\/snapshot\/[^/]+\/1$/.test(r.path) && corrupted++ === 0 ? { kind: 'rewrite', edit: flip } : undefined));
    await expect(a2.engine.syncNow()).rejects.toThrow('snapshot_checksum');
    expect(a2.engine.status()).toMatchObject({ bootstrapped: false, lastError: { reason: 'network.snapshot_checksum' } });
    expect(Object.keys(replicaDump(a2))).toHaveLength(4);
    expect(syncState.snapshot(a2.ctx.db)).toMatchObject({ next: 1 });

    await a2.engine.syncNow();
    fx.proxy.setRule(null);
    expect(corrupted).toBe(2);
    expect(a2.engine.status()).toMatchObject({ bootstrapped: true, lastError: null });
    expect(replicaDump(a2)).toEqual(replicaDump(a1));
  });

  it('fails a bootstrap whose records reference one it does not hold, then takes a new snapshot', async () => {
    const street = await newStreet(fx.server.db);
    const a1 = await station(street);
    const c = await community(a1, street);
    const ids = await people(a1, c.id, 6);
    await a1.engine.syncNow();

    const a2 = openSyncStation();
    fx.stations.push(a2);
    await a2.engine.enroll({ serverUrl: fx.proxy.url, code: await enrollmentCode(fx.server.db, street), deviceName: 'A2' });
    let cut = 0;
    fx.proxy.setRule((r) => (/\/v1\/snapshot\/[^/]+\/1$/.test(r.path) && cut++ === 0 ? { kind: 'reset' } : undefined));
    await expect(a2.engine.syncNow()).rejects.toThrow();
    fx.proxy.setRule(null);
    // after the snapshot's sequence: a new community, and the last person (the last chunk) moves there
    const later = await a1.call('org.create', { code: communityCode(street, 2), name: '新社区', level: 'community', kind: 'urban_community', parentId: street.id });
    await a1.call('people.update', { id: ids.at(-1)!, patch: { orgUnitId: later.id } });
    await a1.engine.syncNow();

    // the rest of the old snapshot reads that person as it is now: its community is not in the snapshot
    await expect(a2.engine.syncNow()).rejects.toThrow('snapshot_foreign_key');
    expect(a2.engine.status()).toMatchObject({ bootstrapped: false, lastError: { reason: 'network.snapshot_foreign_key' } });
    expect(syncState.snapshot(a2.ctx.db)).toBeNull();
    expect(syncState.droppedIndexes(a2.ctx.db)?.length).toBeGreaterThan(0);

    const snapshotsBefore = fx.proxy.log.filter((l) => l.path === '/v1/snapshot').length;
    await a2.engine.syncNow();
    expect(fx.proxy.log.filter((l) => l.path === '/v1/snapshot').length).toBe(snapshotsBefore + 1);
    expect(a2.engine.status()).toMatchObject({ bootstrapped: true, lastError: null });
    expect(replicaDump(a2)).toEqual(replicaDump(a1));
    expect(syncState.droppedIndexes(a2.ctx.db)).toBeNull();
  });

  it('halves batches on 413 until they fit, without quarantining anything', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await people(a, c.id, 40, '备注'.repeat(40));
    const sizes: number[] = [];
    fx.proxy.setRule((r) => {
      if (r.path === '/v1/push') sizes.push(pushedMutations(r.json()).length);
      return undefined;
    });
    await a.engine.syncNow();
    fx.proxy.setRule(null);
    expect(sizes[0]).toBe(41);
    expect(Math.max(...sizes.slice(1))).toBeLessThan(41);
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
    expect((await serverDump(fx.server.db, street.id))[`person:${(await a.call('people.list', { pageSize: 1 })).rows[0]!.id}`]).toBeDefined();
  });

  it('starts the cycle after an outage or a timeout with half the batch, and grows it back', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await people(a, c.id, 40);
    // the batch sizes each cycle sent
    const cycles: number[][] = [];
    let down = true;
    fx.proxy.setRule((r) => {
      if (r.path !== '/v1/push') return undefined;
      cycles.at(-1)!.push(pushedMutations(r.json()).length);
      return down ? { kind: 'status', status: 503, body: { error: { code: 'unavailable', reason: 'database_unavailable' } } } : undefined;
    });
    for (let i = 0; i < 2; i++) {
      cycles.push([]);
      await expect(a.engine.syncNow()).rejects.toThrow(/HTTP 503/);
    }
    down = false;
    cycles.push([]);
    await a.engine.syncNow();
    fx.proxy.setRule(null);
    expect(cycles.map((sizes) => sizes[0])).toEqual([41, 20, 10]);
    expect(Math.max(...cycles[2]!)).toBe(20);
    expect(a.engine.status()).toMatchObject({ pending: 0, quarantined: 0 });
  });

  it.each([
    ['protocol', { protocolVersion: 0 }],
    ['schema', { schemaVersion: MIN_STATION_SCHEMA - 1 }],
  ])('stops syncing on 426 (old %s) and keeps the outbox', async (what, build) => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await people(a, c.id, 2);
    // the same replica, run by a build older than the server accepts
    const old = new SyncEngine(a.ctx, { ...FAST, tokenStore: fileTokenStore(a.ctx.dataDir), ...build });
    await expect(old.syncNow()).rejects.toThrow(/426/);
    expect(old.status()).toMatchObject({ clientTooOld: true, pending: 3, lastError: { reason: `http.426.${what}_too_old` } });
    const requests = fx.proxy.log.length;
    await old.syncNow();
    expect(fx.proxy.log.length).toBe(requests);
    expect(old.status().pending).toBe(3);
    // after the update (a build with the current protocol) the kept outbox goes out
    await a.engine.syncNow();
    expect(a.engine.status()).toMatchObject({ clientTooOld: false, pending: 0 });
  });

  it('a revoked station says so and keeps its changes; restored, it sends them, none twice', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    const c = await community(a, street);
    await a.engine.syncNow();
    await people(a, c.id, 2);
    // the push goes through, its reply is lost; then the administrator revokes the station
    let lost = 0;
    fx.proxy.setRule((r) => (r.path === '/v1/push' && lost++ === 0 ? { kind: 'lose-response' } : undefined));
    await expect(a.engine.syncNow()).rejects.toThrow();
    fx.proxy.setRule(null);
    const applied = await serverChangesOf(street.id);
    const deviceId = a.engine.enrollment()!.deviceId;
    expect(await revokeDevice(fx.server.db, deviceId)).toBe(true);
    await expect(a.engine.syncNow()).rejects.toThrow(/401/);
    expect(a.engine.status()).toMatchObject({ refused: true, pending: 2, lastError: { reason: 'http.401.device_revoked' } });

    // a mistake: restored, the station sends what it kept, and the server skips what it had
    expect(await restoreDevice(fx.server.db, deviceId)).toBe(true);
    await a.engine.syncNow();
    expect(a.engine.status()).toMatchObject({ refused: false, pending: 0, lastError: null });
    expect(await serverChangesOf(street.id)).toBe(applied);
    expect(Object.keys(await serverDump(fx.server.db, street.id)).filter((k) => k.startsWith('person:'))).toHaveLength(2);
    expect(await restoreDevice(fx.server.db, deviceId)).toBe(false);
  });

  it('tells a station newer than its server that the server must be updated, and keeps the outbox', async () => {
    const street = await newStreet(fx.server.db);
    // a build one protocol ahead of this server: as after updating the stations first
    const newer = openSyncStation({ protocolVersion: PROTOCOL_VERSION + 1 });
    fx.stations.push(newer);
    await expect(newer.engine.enroll({ serverUrl: fx.proxy.url, code: await enrollmentCode(fx.server.db, street), deviceName: 'A2' })).rejects.toMatchObject({
      reason: 'sync.server_too_old',
    });
    const a = await station(street);
    await community(a, street);
    const ahead = new SyncEngine(a.ctx, { ...FAST, tokenStore: fileTokenStore(a.ctx.dataDir), protocolVersion: PROTOCOL_VERSION + 1 });
    await expect(ahead.syncNow()).rejects.toThrow(/400/);
    expect(ahead.status()).toMatchObject({ pending: 1, lastError: { reason: 'http.400.protocol_newer_than_server' } });
    await a.engine.syncNow();
    expect(a.engine.status().pending).toBe(0);
  });

  it('does not spend an enrollment code on a station that cannot keep the token', async () => {
    const street = await newStreet(fx.server.db);
    const code = await enrollmentCode(fx.server.db, street);
    const keyringless = openSyncStation({ tokenStore: { ...memoryTokenStore(), ready: () => false } });
    fx.stations.push(keyringless);
    const requests = fx.proxy.log.length;
    await expect(keyringless.engine.enroll({ serverUrl: fx.proxy.url, code, deviceName: 'A1' })).rejects.toMatchObject({
      reason: 'sync.secure_storage_unavailable',
    });
    expect(fx.proxy.log.length).toBe(requests);
    expect(keyringless.engine.status().enrolled).toBe(false);
    // the same code still enrolls a station that can
    const a = openSyncStation();
    fx.stations.push(a);
    await a.engine.enroll({ serverUrl: fx.proxy.url, code, deviceName: 'A1' });
    expect(a.engine.status().street?.code).toBe(street.code);
  });

  it('obeys Retry-After on 429', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street);
    await community(a, street);
    let limited = 0;
    fx.proxy.setRule((r) =>
      r.path === '/v1/push' && limited++ === 0
        ? { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', reason: 'retry_after_1s' } } }
        : undefined,
    );
    a.engine.start();
    const started = Date.now();
    a.engine.poke();
    await waitFor(() => a.engine.status().pending === 0, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await a.engine.stop();
    fx.proxy.setRule(null);
  });
});
