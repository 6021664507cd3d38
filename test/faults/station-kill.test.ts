import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, startFaultProxy, type FaultProxy } from '../sync/fault-proxy';
import { enrollmentCode, newStreet } from '../sync/harness';
import { pgliteBackend, type Backend } from './backend';
import { checkReplica, checkServer, checkStation, serverView } from './check';
import { exited } from '../helpers/server-process';
import { syncStationAt, tsx } from './process';

// A station PROCESS (`npm run station -- sync`) killed with SIGKILL while a large push is in
// flight — before the server saw the batch, or after it committed but before the reply came
// back, or while the station was writing the reply — twice, then restarted: nothing
// lost, nothing applied twice, the replica equals the server.

const PEOPLE = 700;
const SEED = 20240611;
let backend: Backend;
let proxy: FaultProxy;
const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-kill-'));

// PGlite's first start (WASM, initdb) can take over vitest's 10 s on a busy two-core machine
beforeAll(async () => {
  backend = await pgliteBackend();
  proxy = await startFaultProxy(backend.url);
}, 60_000);
afterAll(async () => {
  await proxy.close();
  await backend.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const station = (...args: string[]) => tsx('electron/cli/station.ts', ['--data-dir', dataDir, ...args]);

describe('a station process killed mid-push', () => {
  it('loses and duplicates nothing after SIGKILL and a restart', { timeout: 90_000 }, async () => {
    const street = await newStreet(backend.db);
    expect(await exited(station('enroll', '--server', proxy.url, '--code', await enrollmentCode(backend.db, street), '--name', '被杀的工作站'))).toBe(0);

    // a large outbox written through the service handlers, while no station process runs
    const local = syncStationAt(dataDir);
    for (let i = 0; i < PEOPLE; i++) await local.call('people.create', { name: `居民${i}`, orgUnitId: street.id, note: '备注'.repeat(20) });
    local.close();

    const random = seededRandom(SEED);
    for (let kill = 0; kill < 2; kill++) {
      const child = station('sync');
      let pushes = 0;
      const killAt = 1 + Math.floor(random() * 2);
      const after = Math.floor(random() * 120);
      // each push is held 60 ms in the proxy, then forwarded: the kill lands before, during or after
      proxy.setRule((r) => {
        if (r.path !== '/v1/push') return undefined;
        if (++pushes === killAt) setTimeout(() => child.kill('SIGKILL'), after);
        return { kind: 'delay', ms: 60 };
      });
      await exited(child);
      expect(child.signalCode === 'SIGKILL' || child.exitCode === 0).toBe(true);
    }
    proxy.setRule(null);
    expect(await exited(station('sync'))).toBe(0);

    const s = syncStationAt(dataDir);
    try {
      const view = await serverView(backend.db, street.id);
      expect(checkServer(view)).toEqual([]);
      expect(checkStation('killed station', s, view)).toEqual([]);
      expect(checkReplica('killed station', s, view, view.streetSeq)).toEqual([]);
      expect(Object.keys(view.records).filter((k) => k.startsWith('person:'))).toHaveLength(PEOPLE);
      expect(s.engine.status()).toMatchObject({ pending: 0, quarantined: 0, rejected: 0 });
    } finally {
      s.close();
    }
  });
});
