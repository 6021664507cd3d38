import { describe, expect, it } from 'vitest';
import { behindFaultProxy, communityCode, enrollmentCode, newStreet, openSyncStation, type StreetFixture, type SyncStation } from '../sync/harness';
import { pgliteBackend } from './backend';
import { checkStation, serverView } from './check';

// Found by the seeded fault runs (seeds 2, 47, 74, 79, 143, ...): the server rejects a mutation,
// the push reply carrying that rejection is lost, the station re-sends the batch, and the server
// skips it as already applied (mid <= last_mid) and answers with NO rejection. The station
// marks the refused change sent; nobody is ever shown why it is missing on the server.
// Fix (server/sync/apply.ts): report the stored rejections (and conflicts) of re-sent mids again.

const fx = behindFaultProxy(() => pgliteBackend());

async function station(street: StreetFixture, name: string, serverUrl: string): Promise<SyncStation> {
  const s = openSyncStation();
  fx.stations.push(s);
  await s.engine.enroll({ serverUrl, code: await enrollmentCode(fx.server.db, street), deviceName: name });
  await s.engine.syncNow();
  return s;
}

describe('a rejection whose push reply was lost', () => {
  it('is reported again when the batch is re-sent, and shown to the person', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street, 'A', fx.server.url);
    const b = await station(street, 'B', fx.proxy.url);
    const community = { code: communityCode(street, 1), level: 'community', kind: 'urban_community', parentId: street.id } as const;
    await a.call('org.create', { ...community, name: '甲站社区' });
    await b.call('org.create', { ...community, name: '乙站社区' });
    await a.engine.syncNow();

    let lost = 0;
    fx.proxy.setRule((r) => (r.path === '/v1/push' && lost++ === 0 ? { kind: 'lose-response' } : undefined));
    await expect(b.engine.syncNow()).rejects.toThrow();
    fx.proxy.setRule(null);
    await b.engine.syncNow();

    const view = await serverView(fx.server.db, street.id);
    expect(view.rejections).toHaveLength(1);
    expect(checkStation('B', b, view)).toEqual([]);
    expect(b.engine.status()).toMatchObject({ pending: 0, rejected: 1, issues: { rejection: 1 } });
  });
});
