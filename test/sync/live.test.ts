import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSync, stopSync } from '../../electron/sync';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { communityCode, enrolledStation, newStreet, replicaDump, startDistrict, waitFor, type District, type SyncStation } from './harness';

// Background sync as the hosts run it: a local write pushes by itself (the handler layer pokes
// the engine), the server's event stream tells the other station to pull, and a station that
// was offline catches up when its event stream reconnects.

let district: District;
let proxy: FaultProxy;
const stations: SyncStation[] = [];

beforeAll(async () => {
  district = await startDistrict({ heartbeatMs: 200 });
  proxy = await startFaultProxy(district.url);
});
afterAll(async () => {
  await stopSync();
  for (const s of stations) s.close();
  await proxy.close();
  await district.close();
});

describe('background sync', () => {
  it('pushes on a local write and pulls on the server event, offline and back', async () => {
    const street = await newStreet(district.db);
    // the 30 s timer must not be what makes this pass
    const a1 = await enrolledStation(district, street, { name: 'A1', pollMs: 600_000 });
    const a2 = await enrolledStation(district, street, { name: 'A2', serverUrl: proxy.url, pollMs: 600_000 });
    stations.push(a1, a2);
    startSync(a1.ctx);
    startSync(a2.ctx);

    const community = await a1.call('org.create', { code: communityCode(street, 1), name: '社区', level: 'community', kind: 'urban_community', parentId: street.id });
    await waitFor(() => a2.ctx.db.prepare('SELECT 1 FROM org_unit WHERE id = ?').get(community.id) !== undefined, 5000);
    expect(a1.engine.status().pending).toBe(0);

    // A2 goes offline: every request and its open event stream fail
    proxy.setRule(() => ({ kind: 'reset' }));
    proxy.dropConnections();
    const person = await a2.call('people.create', { name: '王五', orgUnitId: community.id });
    await waitFor(() => a2.engine.status().lastError !== null, 5000);
    expect(a2.engine.status()).toMatchObject({ online: false, pending: 1 });
    await a1.call('org.update', { id: community.id, name: '新社区' });

    // back online: the event stream reconnects, A2 pushes its person and pulls the rename
    proxy.setRule(null);
    await waitFor(() => a2.engine.status().pending === 0 && a2.engine.status().online, 5000);
    await waitFor(() => a1.ctx.db.prepare('SELECT 1 FROM person WHERE id = ?').get(person.id) !== undefined, 5000);
    await waitFor(() => (a2.ctx.db.prepare('SELECT name FROM org_unit WHERE id = ?').get(community.id) as { name: string }).name === '新社区', 5000);
    await stopSync();
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    expect(replicaDump(a2)).toEqual(replicaDump(a1));
  });

  it('reconnects an event stream that went silent and then hears the new sequence', async () => {
    const street = await newStreet(district.db);
    const a1 = await enrolledStation(district, street, { name: 'A1', pollMs: 600_000 });
    const a2 = await enrolledStation(district, street, { name: 'A2', serverUrl: proxy.url, pollMs: 600_000, timeouts: { eventsIdleMs: 300 } });
    stations.push(a1, a2);
    let silent = 0;
    proxy.setRule((r) => (r.path === '/v1/events' && silent++ === 0 ? { kind: 'hang' } : undefined));
    startSync(a2.ctx);
    await waitFor(() => silent === 1, 2000);
    await a1.call('org.create', { code: communityCode(street, 2), name: '二社区', level: 'community', kind: 'urban_community', parentId: street.id });
    await a1.engine.syncNow();
    await waitFor(() => a2.engine.status().cursor === a1.engine.status().cursor, 5000);
    expect(silent).toBeGreaterThanOrEqual(2);
    await stopSync();
    proxy.setRule(null);
  });
});
