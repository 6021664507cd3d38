import type { Mutation } from '../../core/sync/protocol';
import { behindFaultProxy, communityCode, enrolledStation, startDistrict, type StreetFixture, type SyncStation } from './harness';

// The fault tests' district: a server behind the fault proxy with small snapshot chunks (so a
// bootstrap has several) and a small body cap (so 413s are real), the stations enrolled
// through the proxy, and what those tests keep doing with them.

export function proxiedStations() {
  const fx = behindFaultProxy(() => startDistrict({ snapshotChunkSize: 4, maxBodyBytes: 6 * 1024 }));

  async function station(street: StreetFixture, options: Parameters<typeof enrolledStation>[2] = {}): Promise<SyncStation> {
    const s = await enrolledStation(fx.server, street, { serverUrl: fx.proxy.url, ...options });
    fx.stations.push(s);
    return s;
  }

  async function community(s: SyncStation, street: StreetFixture) {
    return s.call('org.create', { code: communityCode(street, 1), name: '社区', level: 'community', kind: 'urban_community', parentId: street.id });
  }

  async function people(s: SyncStation, orgUnitId: string, count: number, note = '') {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await s.call('people.create', { name: `居民${i}`, orgUnitId, note: note || null })).id);
    return ids;
  }

  async function serverChangesOf(streetId: string): Promise<number> {
    const { withAdmin } = await import('../../server/db/scope');
    return withAdmin(fx.server.db, async (tx) => Number((await tx.query<{ n: unknown }>('SELECT count(*) AS n FROM change WHERE street_id = $1', [streetId])).rows[0]!.n));
  }

  return { fx, station, community, people, serverChangesOf };
}

export const pushedMutations = (body: unknown): Mutation[] => (body as { mutations: Mutation[] }).mutations;
export const isOutcomesQuestion = (body: unknown): boolean => (body as { outcomesOnly?: boolean }).outcomesOnly === true;

/** A reply of the server failing unexpectedly, as the proxy sends it. */
export const SERVER_FAILED = { kind: 'status', status: 500, body: { error: { code: 'internal', reason: 'internal_error' } } } as const;
