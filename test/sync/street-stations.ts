import { afterAll, beforeAll, expect } from 'vitest';
import { asServerSees, communityCode, enrolledStation, newStreet, replicaDump, serverDump, startDistrict, type District, type StreetFixture, type SyncStation } from './harness';

// One district server for a test file, the stations its tests enroll (stopped after them), and
// what two-station tests of a street keep doing: seed a community with grids, draw a micro grid,
// and compare the replicas with the server.

export function streetStations() {
  let district: District;
  const stations: SyncStation[] = [];

  beforeAll(async () => {
    district = await startDistrict();
  });
  afterAll(async () => {
    for (const s of stations) {
      await s.engine.stop();
      s.close();
    }
    await district.close();
  });

  async function station(street: StreetFixture, name = '工作站'): Promise<SyncStation> {
    const s = await enrolledStation(district, street, { name });
    stations.push(s);
    return s;
  }

  async function seedCommunity(s: SyncStation, street: StreetFixture, n = 1) {
    const community = await s.call('org.create', {
      code: communityCode(street, n),
      name: `社区${n}`,
      level: 'community',
      kind: 'urban_community',
      parentId: street.id,
    });
    const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: community.id };
    const large = await s.call('grid.create', { ...base, code: `${community.code}1001`, name: '大网格', level: 'large', parentId: null });
    const small = await s.call('grid.create', { ...base, code: `${community.code}3001`, name: '第一网格', level: 'small', parentId: large.id });
    return { community, large, small };
  }

  /** A micro grid under a small one, as the grid page draws it. */
  function drawMicro(s: SyncStation, communityId: string, small: { id: string; code: string }) {
    return s.call('grid.create', {
      category: 'urban_community',
      validFrom: '2024-01-01',
      orgUnitId: communityId,
      level: 'micro',
      parentId: small.id,
      code: `${small.code}001`,
      name: '新微网格',
    });
  }

  /** A1 with a community and its grids, synced; then A2 joins and downloads them. */
  async function twoStations() {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const seeded = await seedCommunity(a1, street);
    await a1.engine.syncNow();
    return { street, a1, a2: await station(street, 'A2'), ...seeded };
  }

  /** A1 with a community, its grids and a person, synced; then A2 joins and downloads them. */
  async function twoStationsWithPerson(name: string) {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const seeded = await seedCommunity(a1, street);
    const person = await a1.call('people.create', { name, orgUnitId: seeded.community.id });
    await a1.engine.syncNow();
    return { street, a1, a2: await station(street, 'A2'), person, ...seeded };
  }

  async function expectConverged(street: StreetFixture, ...replicas: SyncStation[]): Promise<void> {
    const server = await serverDump(district.db, street.id);
    const first = replicaDump(replicas[0]!);
    expect(Object.keys(first).sort()).toEqual(Object.keys(server).sort());
    expect(asServerSees(first, server)).toEqual(server);
    for (const other of replicas.slice(1)) expect(replicaDump(other)).toEqual(first);
  }

  return {
    get district(): District {
      return district;
    },
    /** A station the test opened itself, stopped and closed with the others. */
    keep(s: SyncStation): SyncStation {
      stations.push(s);
      return s;
    },
    station,
    seedCommunity,
    drawMicro,
    twoStations,
    twoStationsWithPerson,
    expectConverged,
  };
}
