import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDS } from '../helpers/station';
import {
  asServerSees,
  communityCode,
  enrolledStation,
  newStreet,
  openSyncStation,
  replicaDump,
  serverDump,
  startDistrict,
  enrollmentCode,
  type District,
  type StreetFixture,
  type SyncStation,
} from './harness';

// Two stations of street A and one of street B against the real district server: enrollment
// and bootstrap, push and pull, convergence after offline edits, scope, conflicts and a
// duplicate grid code decided by the server.

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

describe('two stations of one street', () => {
  it('enrolls an empty replica, bootstraps the street and reports it in the status', async () => {
    const street = await newStreet(district.db);
    const a1 = await station(street);
    const status = a1.engine.status();
    expect(status).toMatchObject({
      enrolled: true,
      bootstrapped: true,
      online: true,
      street: { id: street.id, code: street.code, name: street.name },
      pending: 0,
      lastError: null,
      clientTooOld: false,
      progress: { phase: 'idle' },
    });
    expect(status.lastSyncAt).not.toBeNull();
    const tree = await a1.call('org.tree', {});
    expect(tree.map((o) => o.level).sort()).toEqual(['district', 'street']);
    await expectConverged(street, a1);
  });

  it('refuses to enroll a replica that already has data, and a second enrollment', async () => {
    const street = await newStreet(district.db);
    const local = openSyncStation();
    stations.push(local);
    await local.call('org.create', { code: '610116000000', name: '长安区', level: 'district', parentId: null });
    const code = await enrollmentCode(district.db, street);
    await expect(local.engine.enroll({ serverUrl: district.url, code, deviceName: 'x' })).rejects.toMatchObject({ reason: 'sync.replica_not_empty' });
    const a1 = await station(street);
    await expect(a1.engine.enroll({ serverUrl: district.url, code, deviceName: 'x' })).rejects.toMatchObject({ reason: 'sync.already_enrolled' });
  });

  it('converges after offline edits on both stations, and street B never sees street A', async () => {
    const street = await newStreet(district.db);
    const streetB = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const { community, small } = await seedCommunity(a1, street);
    const person = await a1.call('people.create', { name: '张三', orgUnitId: community.id, residentId: IDS.a });
    await a1.engine.syncNow();
    expect(a1.engine.status().pending).toBe(0);

    const a2 = await station(street, 'A2');
    expect(await a2.call('grid.get', { id: small.id })).toMatchObject({ grid: { code: small.code, name: '第一网格' } });
    expect((await a2.call('people.get', { id: person.id })).person.residentId).toBe(IDS.a);

    // offline: both edit, different records and fields
    await a1.call('grid.update', { id: small.id, patch: { name: '东街第一网格' } });
    await a1.call('people.create', { name: '李四', orgUnitId: community.id });
    await a2.call('people.update', { id: person.id, patch: { phone: '13912345678' } });
    await a2.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_chief', startDate: '2024-03-01' });
    expect(a1.engine.status().pending).toBeGreaterThanOrEqual(2);

    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
    expect((await a1.call('people.get', { id: person.id })).person.phone).toBe('13912345678');
    expect((await a2.call('grid.get', { id: small.id })).grid.name).toBe('东街第一网格');

    const b = await station(streetB, 'B');
    await b.engine.syncNow();
    const bTree = await b.call('org.tree', {});
    expect(bTree.map((o) => o.id).sort()).toEqual(Object.keys(await serverDump(district.db, streetB.id)).map((k) => k.split(':')[1]).sort());
    expect(bTree.some((o) => o.id === street.id || o.id === community.id)).toBe(false);
    expect(b.ctx.db.prepare('SELECT count(*) AS n FROM person').get()).toEqual({ n: 0 });
    await expectConverged(streetB, b);
  });

  it('records a stale edit as a conflict with the value it overwrote; last writer wins everywhere', async () => {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const { small } = await seedCommunity(a1, street);
    await a1.engine.syncNow();
    const a2 = await station(street, 'A2');

    await a1.call('grid.update', { id: small.id, patch: { name: '甲站改名' } });
    await a2.call('grid.update', { id: small.id, patch: { name: '乙站改名' } });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await a1.engine.syncNow();

    expect(a1.engine.status().issues.conflict).toBe(0);
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 1, quarantine: 0 });
    const [conflict] = await a2.call('sync.issues', {});
    expect(conflict).toMatchObject({ kind: 'conflict', entity: 'gridUnit', entityId: small.id, overwritten: { name: '甲站改名' }, localFields: { name: '乙站改名' } });
    await expectConverged(street, a1, a2);
    expect((await a1.call('grid.get', { id: small.id })).grid.name).toBe('乙站改名');

    // the reviewer restores the other station's value: a new mutation, synced like any edit
    await a2.call('sync.resolveIssue', { id: conflict!.id, action: 'accept_server' });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    expect((await a1.call('grid.get', { id: small.id })).grid.name).toBe('甲站改名');
    expect(a2.engine.status().issues.conflict).toBe(0);
    await expectConverged(street, a1, a2);
  });

  /** A2 gives its person resident ID B first; A1, offline, moves its person from A to B: the server refuses A1's edit. */
  async function residentIdTakenFirst() {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const { community } = await seedCommunity(a1, street);
    const mine = await a1.call('people.create', { name: '陈静', orgUnitId: community.id, residentId: IDS.a });
    const theirs = await a1.call('people.create', { name: '王芳', orgUnitId: community.id });
    await a1.engine.syncNow();
    const a2 = await station(street, 'A2');
    await a2.call('people.update', { id: theirs.id, patch: { residentId: IDS.b } });
    await a2.engine.syncNow();
    await a1.call('people.update', { id: mine.id, patch: { residentId: IDS.b } });
    await a1.engine.syncNow();
    const rejection = (await a1.call('sync.issues', {})).find((i) => i.kind === 'rejection');
    return { street, a1, a2, community, mine, rejection };
  }

  it('a resident ID the other station gave first: my edit is refused, and accepting the server brings my record back as the server has it', async () => {
    const { street, a1, a2, mine, rejection } = await residentIdTakenFirst();
    expect(rejection).toMatchObject({ entityId: mine.id, reason: 'person.resident_id_taken', serverRecord: { residentId: IDS.a, version: 1 } });
    // the pulled record took B, so mine gave it up locally (it holds neither A nor B now)
    expect((await a1.call('people.get', { id: mine.id })).person.residentId).toBeNull();

    await a1.call('sync.resolveIssue', { id: rejection!.id, action: 'accept_server' });
    expect((await a1.call('people.get', { id: mine.id })).person).toMatchObject({ residentId: IDS.a, version: 1 });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('a refusal shows the server record as it is now, and accepting it after a later server edit takes the current values', async () => {
    const { street, a1, a2, mine, rejection } = await residentIdTakenFirst();
    // another station edits the same person before A1's clerk reviews the refusal
    await a2.call('people.update', { id: mine.id, patch: { phone: '13800001111' } });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    const shown = (await a1.call('sync.issues', {})).find((i) => i.id === rejection!.id);
    expect(shown?.serverRecord).toMatchObject({ residentId: IDS.a, phone: '13800001111', version: 2 });

    // the pulled edit did not touch the resident ID, which my refused value had given up locally
    await a1.call('sync.resolveIssue', { id: rejection!.id, action: 'accept_server' });
    expect((await a1.call('people.get', { id: mine.id })).person).toMatchObject({ residentId: IDS.a, phone: '13800001111', version: 2 });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('accepting the server takes a resident ID back from a person created since, and says so', async () => {
    const { street, a1, a2, community, mine, rejection } = await residentIdTakenFirst();

    // A is free on A1 now: a clerk gives it to a new person before anyone reviews the refusal
    const newer = await a1.call('people.create', { name: '赵磊', orgUnitId: community.id, residentId: IDS.a });
    await a1.call('sync.resolveIssue', { id: rejection!.id, action: 'accept_server' });
    expect((await a1.call('people.get', { id: mine.id })).person.residentId).toBe(IDS.a);
    expect((await a1.call('people.get', { id: newer.id })).person.residentId).toBeNull();
    const displaced = (await a1.call('sync.issues', {})).filter((i) => i.entityId === newer.id);
    expect(displaced).toMatchObject([
      { kind: 'conflict', reason: 'sync.unique_displaced', localFields: { residentId: IDS.a }, serverRecord: { id: mine.id, name: '陈静', residentId: IDS.a, version: 1 } },
    ]);

    // its insert still carries A, and the server refuses it as it refused mine; dropped, all agree
    await a1.engine.syncNow();
    const refused = (await a1.call('sync.issues', {})).find((i) => i.kind === 'rejection' && i.entityId === newer.id);
    expect(refused).toMatchObject({ reason: 'person.resident_id_taken' });
    await a1.call('sync.resolveIssue', { id: refused!.id, action: 'accept_server' });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('rejects the second of two offline-created duplicate grid codes, shows the winner, and converges once accepted', async () => {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const { community, large } = await seedCommunity(a1, street);
    await a1.engine.syncNow();
    const a2 = await station(street, 'A2');

    const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: community.id, level: 'small' as const, parentId: large.id };
    const code = `${community.code}3002`;
    const winner = await a1.call('grid.create', { ...base, code, name: '甲站网格' });
    const loser = await a2.call('grid.create', { ...base, code, name: '乙站网格' });
    await a1.engine.syncNow();
    await a2.engine.syncNow();

    const issues = await a2.call('sync.issues', {});
    const rejection = issues.find((i) => i.kind === 'rejection' && i.entity === 'gridUnit');
    expect(rejection).toMatchObject({ entityId: loser.id, reason: 'grid.code_taken', serverRecord: { id: winner.id, code, name: '甲站网格' } });
    expect(a2.engine.status().rejected).toBeGreaterThanOrEqual(1);
    // the winner is in A2's replica under its code; A2's own grid stepped aside
    expect((await a2.call('grid.get', { id: winner.id })).grid.code).toBe(code);
    expect((await a2.call('grid.get', { id: loser.id })).grid.code).not.toBe(code);

    await a2.call('sync.resolveIssue', { id: rejection!.id, action: 'accept_server' });
    expect(await a2.fail('grid.get', { id: loser.id })).toMatchObject({ code: 'not_found' });
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('refuses a grid and a duty built offline on a grid the other station retired, and converges once the clerk accepts', async () => {
    const { street, a1, a2, community, small, person } = await twoStationsWithPerson('赵敏');

    // A1 retires the small grid; A2, offline, draws a micro grid under it and gives a person a duty on it
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.engine.syncNow();
    const micro = await drawMicro(a2, community.id, small);
    await a2.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2025-07-01' });
    await a2.engine.syncNow();

    const issues = await a2.call('sync.issues', {});
    const reasons = issues.map((i) => [i.entity, i.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['gridUnit', 'grid.parent_retired'],
        ['assignment', 'grid.retired'],
      ]),
    );
    // the clerk accepts each refusal: the grid built on a retired one goes, with its history
    for (const issue of issues.filter((i) => i.entity !== 'gridHistory')) {
      await a2.call('sync.resolveIssue', { id: issue.id, action: 'accept_server' });
    }
    expect(await a2.fail('grid.get', { id: micro.id })).toMatchObject({ code: 'not_found' });
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('refuses a retirement whole when the other station built on the grid first, and the clerk redoes it on what is there now', async () => {
    const { street, a1, a2, community, small, person } = await twoStationsWithPerson('张无忌');
    const known = await a1.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'party_member', startDate: '2024-01-01' });
    await a1.engine.syncNow();

    // A2 draws a micro grid under the small grid and puts a person on it, and syncs first;
    // A1, offline, had retired the small grid (it knew of no child, and ended the duty it knew)
    const micro = await drawMicro(a2, community.id, small);
    await a2.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a2.engine.syncNow();
    await a1.engine.syncNow();

    // the duty it ended, the retirement and its history entry are refused together: one card, nothing of it on the server
    expect(a1.engine.status().issues).toEqual({ rejection: 1, conflict: 0, quarantine: 0 });
    const refused = await a1.call('sync.issues', {});
    expect(refused.map((i) => [i.entity, i.reason, i.command?.name])).toEqual([
      ['gridHistory', 'grid.has_children', 'grid.retire'],
      ['gridUnit', 'grid.has_children', 'grid.retire'],
      ['assignment', 'grid.has_children', 'grid.retire'],
    ]);
    const card = refused.find((i) => i.entity === 'gridUnit')!;
    expect(card.serverRecord).toMatchObject({ id: small.id });
    expect(card.serverRecord?.['validTo'] ?? null).toBeNull();
    await a2.engine.syncNow();
    expect((await a2.call('grid.get', { id: small.id })).grid.validTo).toBeNull();

    // re-sending it as it was would only be refused again; taking the server's values undoes all of it
    expect(await a1.fail('sync.resolveIssue', { id: card.id, action: 'reapply_mine' })).toMatchObject({ code: 'rule_violation', reason: 'sync.command_redo' });
    await a1.call('sync.resolveIssue', { id: card.id, action: 'accept_server' });
    expect(a1.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    const undone = await a1.call('grid.get', { id: small.id });
    expect(undone.grid.validTo).toBeNull();
    expect(undone.history.map((h) => h.action)).not.toContain('retired');
    expect(undone.assignments.find((a) => a.id === known.id)?.endDate).toBeNull();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);

    // now A1 sees the micro grid and the duty: retiring the micro grid, then the small one, ends the duty too
    await a1.call('grid.retire', { id: micro.id, validTo: '2025-06-30', reason: '随上级撤销' });
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    expect(a1.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await expectConverged(street, a1, a2);
    for (const s of [a1, a2]) {
      const retired = await s.call('grid.get', { id: small.id });
      expect(retired.grid.validTo).toBe('2025-06-30');
      expect(retired.assignments.map((a) => a.endDate)).toEqual(['2025-06-30', '2025-06-30']);
      expect(retired.warnings).toEqual([]);
    }
  });

  it('a retirement from a station older than commands, after the other station built on the grid: both replicas show what is left to fix', async () => {
    const { street, a1, a2, community, small, person } = await twoStationsWithPerson('张无忌');

    // A2 draws a micro grid under the small grid and puts a person on it, and syncs first;
    // A1, offline, had retired the small grid (it knew of no child and ended the duties it knew)
    const micro = await drawMicro(a2, community.id, small);
    await a2.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    // as a station older than protocol 4 sends it: the same mutations, each on its own
    a1.ctx.db.prepare('UPDATE change_log SET command = NULL').run();
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await a2.engine.syncNow();

    // nothing was refused: each mutation was valid on its own, and the server took them all
    expect(a1.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await expectConverged(street, a1, a2);
    for (const s of [a1, a2]) {
      expect((await s.call('grid.get', { id: micro.id })).warnings).toEqual(['parent_retired']);
      expect((await s.call('grid.get', { id: small.id })).warnings).toEqual(['members_after_retirement']);
      // the orphan still shows in the tree, under its community
      expect((await s.call('grid.tree', { orgUnitId: community.id })).map((g) => g.id)).toContain(micro.id);
    }

    // the clerk fixes both with ordinary actions, and the warnings go
    const [duty] = (await a1.call('grid.get', { id: small.id })).assignments;
    await a1.call('people.endAssignment', { id: duty!.id, endDate: '2025-06-30' });
    await a1.call('grid.retire', { id: micro.id, validTo: '2025-06-30', reason: '随上级撤销' });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    for (const s of [a1, a2]) {
      expect((await s.call('grid.get', { id: micro.id })).warnings).toEqual([]);
      expect((await s.call('grid.get', { id: small.id })).warnings).toEqual([]);
    }
  });

  it('sends a retirement without the end of a refused duty the clerk gave up before it went', async () => {
    const { street, a1, a2, small, person } = await twoStationsWithPerson('殷素素');
    await a2.call('people.update', { id: person.id, patch: { status: 'left' } });
    await a2.engine.syncNow();
    // A1 gives the person a duty before it hears they left: refused
    const duty = await a1.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a1.engine.syncNow();
    const [refusal] = await a1.call('sync.issues', {});
    expect(refusal).toMatchObject({ entityId: duty.id, reason: 'assignment.person_left' });

    // still holding the duty, A1 retires the grid (ending the duty); then the clerk gives the duty up
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.call('sync.resolveIssue', { id: refusal!.id, action: 'accept_server' });
    await a1.engine.syncNow();
    expect(a1.engine.status()).toMatchObject({ pending: 0, issues: { rejection: 0, conflict: 0, quarantine: 0 } });
    await a2.engine.syncNow();
    expect((await a2.call('grid.get', { id: small.id })).grid.validTo).toBe('2025-06-30');
    await expectConverged(street, a1, a2);
  });

  it('refuses a retirement when the other station gave someone a duty on the grid first', async () => {
    const { a1, a2, small, person } = await twoStationsWithPerson('周芷若');
    await a2.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    const [card] = (await a1.call('sync.issues', {})).filter((i) => i.entity === 'gridUnit');
    expect(card).toMatchObject({ reason: 'grid.has_members', command: { name: 'grid.retire' } });
  });

  it('refuses a move under a grid the other station retired meanwhile, with its history', async () => {
    const street = await newStreet(district.db);
    const a1 = await station(street, 'A1');
    const { community, large, small } = await seedCommunity(a1, street);
    const other = await a1.call('grid.create', {
      category: 'urban_community',
      validFrom: '2024-01-01',
      orgUnitId: community.id,
      code: `${community.code}3002`,
      name: '第二网格',
      level: 'small',
      parentId: large.id,
    });
    const micro = await drawMicro(a1, community.id, small);
    await a1.engine.syncNow();
    const a2 = await station(street, 'A2');

    await a2.call('grid.retire', { id: other.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.call('grid.move', { id: micro.id, parentId: other.id, date: '2025-01-01' });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    const refused = await a1.call('sync.issues', {});
    expect(refused.map((i) => [i.entity, i.reason])).toEqual([
      ['gridHistory', 'grid.parent_retired'],
      ['gridUnit', 'grid.parent_retired'],
    ]);
    const card = refused.find((i) => i.entity === 'gridUnit')!;
    await a1.call('sync.resolveIssue', { id: card.id, action: 'accept_server' });
    const back = await a1.call('grid.get', { id: micro.id });
    expect(back.grid).toMatchObject({ parentId: small.id, code: micro.code });
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
  });
});
