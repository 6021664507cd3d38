import { describe, expect, it } from 'vitest';
import type { RequestOf } from '../../core/api/contract';
import { IDS } from '../helpers/station';
import { enrollmentCode, newStreet, openSyncStation, serverDump } from './harness';
import { streetStations } from './street-stations';

// Two stations of street A and one of street B against the real district server: enrollment
// and bootstrap, push and pull, convergence after offline edits, scope, conflicts and a
// duplicate grid code decided by the server. Races over grids: grid-races.test.ts.

const fx = streetStations();
const { station, seedCommunity, twoStations, twoStationsWithPerson, expectConverged } = fx;

describe('two stations of one street', () => {
  it('enrolls an empty replica, bootstraps the street and reports it in the status', async () => {
    const street = await newStreet(fx.district.db);
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
    const street = await newStreet(fx.district.db);
    const local = fx.keep(openSyncStation());
    await local.call('org.create', { code: '610116000000', name: '长安区', level: 'district', parentId: null });
    const code = await enrollmentCode(fx.district.db, street);
    await expect(local.engine.enroll({ serverUrl: fx.district.url, code, deviceName: 'x' })).rejects.toMatchObject({ reason: 'sync.replica_not_empty' });
    const a1 = await station(street);
    await expect(a1.engine.enroll({ serverUrl: fx.district.url, code, deviceName: 'x' })).rejects.toMatchObject({ reason: 'sync.already_enrolled' });
  });

  it('converges after offline edits on both stations, and street B never sees street A', async () => {
    const street = await newStreet(fx.district.db);
    const streetB = await newStreet(fx.district.db);
    const a1 = await station(street, 'A1');
    const { community, small } = await seedCommunity(a1, street);
    const person = await a1.call('people.create', { name: '张三', orgUnitId: community.id, residentId: IDS.a });
    await a1.engine.syncNow();
    expect(a1.engine.status().pending).toBe(0);

    const a2 = await station(street, 'A2');
    expect(await a2.call('grid.get', { id: small.id })).toMatchObject({ grid: { code: small.code, name: '第一网格' } });
    expect((await a2.call('people.get', { id: person.id })).person.residentId).toBe(IDS.a);
    // its last change at the server's time on both: pulled back on A1, downloaded on A2
    expect((await a2.call('people.get', { id: person.id })).person.updatedAt).toBe((await a1.call('people.get', { id: person.id })).person.updatedAt);

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
    // the grid's history reads the same on both, each entry at the time it was made, not when it arrived
    const history = (await a1.call('grid.get', { id: small.id })).history;
    expect(history.map((h) => h.action)).toEqual(['created', 'updated']);
    expect((await a2.call('grid.get', { id: small.id })).history).toEqual(history);

    const b = await station(streetB, 'B');
    await b.engine.syncNow();
    const bTree = await b.call('org.tree', {});
    expect(bTree.map((o) => o.id).sort()).toEqual(Object.keys(await serverDump(fx.district.db, streetB.id)).map((k) => k.split(':')[1]).sort());
    expect(bTree.some((o) => o.id === street.id || o.id === community.id)).toBe(false);
    expect(b.ctx.db.prepare('SELECT count(*) AS n FROM person').get()).toEqual({ n: 0 });
    await expectConverged(streetB, b);
  });

  it('records a stale edit as a conflict with the value it overwrote; last writer wins everywhere', async () => {
    const { street, a1, a2, small } = await twoStations();

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

  it('keeps whole-form saves of different fields of one person from two stations, and calls only a shared field a conflict', async () => {
    const { street, a1, a2, person: p } = await twoStationsWithPerson('张伟');
    // the roster's drawer saves every field it shows, on the copy it opened
    const form = async (s: typeof a1, change: Partial<RequestOf<'people.create'>>) => {
      const { person } = await s.call('people.get', { id: p.id });
      const { name, gender, phone, residentId, partyMember, partyBranch, status, orgUnitId, note } = person;
      await s.call('people.update', { id: p.id, baseVersion: person.version, patch: { name, gender, phone, residentId, partyMember, partyBranch, status, orgUnitId, note, ...change } });
    };

    // offline: A1 changes the phone, A2 the note and party membership
    await form(a1, { phone: '13800000011' });
    await form(a2, { note: '已走访，家住韦曲南街', partyMember: true });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
    expect((await a1.call('people.get', { id: p.id })).person).toMatchObject({ phone: '13800000011', note: '已走访，家住韦曲南街', partyMember: true });
    // A2's edit rested on a version before A1's, but overwrote nothing A1 wrote
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });

    // now both change the phone, and A2 the note besides: only the phone was another station's
    await form(a1, { phone: '13900000021' });
    await form(a2, { phone: '13900000022', note: '已复访' });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
    const [conflict, ...more] = await a2.call('sync.issues', {});
    expect(more).toEqual([]);
    expect(conflict).toMatchObject({ kind: 'conflict', entityId: p.id, overwritten: { phone: '13900000021' } });
    expect(Object.keys(conflict!.overwritten!)).toEqual(['phone']);
    expect(a1.engine.status().issues.conflict).toBe(0);
  });

  /** A2 gives its person resident ID B first; A1, offline, moves its person from A to B: the server refuses A1's edit. */
  async function residentIdTakenFirst() {
    const street = await newStreet(fx.district.db);
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
      { kind: 'conflict', reason: 'sync.unique_displaced', localFields: { name: '赵磊', residentId: IDS.a }, serverRecord: { id: mine.id, name: '陈静', residentId: IDS.a, version: 1 } },
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

  /** A1 registers 李秀英 with resident ID A first; A2's new 赵敏 with ID A is refused. */
  async function newPersonRefused() {
    const { street, a1, a2, community } = await twoStations();
    const theirs = await a1.call('people.create', { name: '李秀英', orgUnitId: community.id, residentId: IDS.a });
    await a1.engine.syncNow();
    const mine = await a2.call('people.create', { name: '赵敏', orgUnitId: community.id, residentId: IDS.a });
    await a2.engine.syncNow();
    const [refused] = await a2.call('sync.issues', {});
    return { street, a1, a2, theirs, mine, refused };
  }

  it('a new person refused for a resident ID taken first, fixed on its page and re-sent: the refused fix goes with the re-sent person', async () => {
    const { street, a1, a2, mine, refused } = await newPersonRefused();
    expect(refused).toMatchObject({ kind: 'rejection', entityId: mine.id, reason: 'person.resident_id_taken' });
    // re-sent before the fix it would be refused again: the station says so and sends nothing
    expect(await a2.fail('sync.resolveIssue', { id: refused!.id, action: 'reapply_mine' })).toMatchObject({ reason: 'sync.resident_id_still_taken' });
    expect(a2.engine.status().pending).toBe(0);

    // the clerk corrects the ID on the record's page, as the card asks: the edit of a record the
    // server never had is refused too, and the person's card covers it (no second card)
    await a2.call('people.update', { id: mine.id, patch: { residentId: IDS.b } });
    await a2.engine.syncNow();
    expect((await a2.call('sync.issues', {})).map((i) => i.reason)).toEqual(['person.resident_id_taken']);
    expect(a2.engine.status()).toMatchObject({ pending: 0, issues: { rejection: 1, conflict: 0, quarantine: 0 } });
    await a2.call('sync.resolveIssue', { id: refused!.id, action: 'reapply_mine' });
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    expect((await a1.call('people.get', { id: mine.id })).person).toMatchObject({ name: '赵敏', residentId: IDS.b });
    await expectConverged(street, a1, a2);
  });

  it('a new person refused for a resident ID, fixed offline and re-sent: its waiting fix goes with it, and no card is left', async () => {
    const { street, a1, a2, mine, refused } = await newPersonRefused();
    // corrected and re-sent before the next sync: the fix must not reach the server ahead of the person
    await a2.call('people.update', { id: mine.id, patch: { residentId: IDS.b } });
    await a2.call('sync.resolveIssue', { id: refused!.id, action: 'reapply_mine' });
    await a2.engine.syncNow();
    expect(a2.engine.status()).toMatchObject({ pending: 0, issues: { rejection: 0, conflict: 0, quarantine: 0 } });
    await a1.engine.syncNow();
    expect((await a1.call('people.get', { id: mine.id })).person).toMatchObject({ name: '赵敏', residentId: IDS.b, version: 1 });
    await expectConverged(street, a1, a2);
  });

  it('a new person refused for a resident ID goes again with that ID once the server\'s person gave it up', async () => {
    const { street, a1, a2, theirs, mine, refused } = await newPersonRefused();
    // 李秀英's ID was mistyped: A1 corrects it, and A2 learns so
    await a1.call('people.update', { id: theirs.id, patch: { residentId: IDS.b } });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    // A is free now: the clerk types it back in, and the person goes with it
    await a2.call('people.update', { id: mine.id, patch: { residentId: IDS.a } });
    await a2.call('sync.resolveIssue', { id: refused!.id, action: 'reapply_mine' });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    expect((await a1.call('people.get', { id: mine.id })).person.residentId).toBe(IDS.a);
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await expectConverged(street, a1, a2);
  });

  it('rejects the second of two offline-created duplicate grid codes, shows the winner, and converges once accepted', async () => {
    const { street, a1, a2, community, large } = await twoStations();

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
    // sent again it would carry the code set aside for the winner: a code never changes, so it can only go
    expect(await a2.fail('sync.resolveIssue', { id: rejection!.id, action: 'reapply_mine' })).toMatchObject({ reason: 'sync.code_still_taken' });
    expect(a2.engine.status().pending).toBe(0);

    await a2.call('sync.resolveIssue', { id: rejection!.id, action: 'accept_server' });
    expect(await a2.fail('grid.get', { id: loser.id })).toMatchObject({ code: 'not_found' });
    expect(a2.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await a2.engine.syncNow();
    await a1.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

});
