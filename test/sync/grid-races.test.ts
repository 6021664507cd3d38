import { describe, expect, it } from 'vitest';
import { newStreet } from './harness';
import { streetStations } from './street-stations';

// Two stations of one street racing over its grids: a grid or a duty built on a grid the other
// station retired (refused on creation), a retirement or a move that reaches the server after
// the other station built on the grid (a command, refused whole: docs/sync-protocol.md
// "Commands"), and the same race from a station older than commands (taken, then flagged).

const fx = streetStations();
const { station, seedCommunity, drawMicro, twoStationsWithPerson, expectConverged } = fx;

describe('two stations racing over grids', () => {
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

  /** A1 gives a person a duty on the small grid before it hears from A2 that they left: refused. */
  async function refusedDuty(name: string) {
    const stations = await twoStationsWithPerson(name);
    const { a1, a2, small, person } = stations;
    await a2.call('people.update', { id: person.id, patch: { status: 'left' } });
    await a2.engine.syncNow();
    const duty = await a1.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a1.engine.syncNow();
    return { ...stations, duty };
  }

  /** A1 has nothing left to send or settle, and both stations hold the grid retired as the server does. */
  async function expectRetiredEverywhere({ street, a1, a2, small }: Awaited<ReturnType<typeof refusedDuty>>) {
    await a1.engine.syncNow();
    expect(a1.engine.status()).toMatchObject({ pending: 0, issues: { rejection: 0, conflict: 0, quarantine: 0 } });
    await a2.engine.syncNow();
    expect((await a2.call('grid.get', { id: small.id })).grid.validTo).toBe('2025-06-30');
    await expectConverged(street, a1, a2);
  }

  it('sends a retirement without the end of a refused duty the clerk gave up before it went', async () => {
    const st = await refusedDuty('殷素素');
    const { a1, small, duty } = st;
    const [refusal] = await a1.call('sync.issues', {});
    expect(refusal).toMatchObject({ entityId: duty.id, reason: 'assignment.person_left' });

    // still holding the duty, A1 retires the grid (ending the duty); then the clerk gives the duty up
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.call('sync.resolveIssue', { id: refusal!.id, action: 'accept_server' });
    await expectRetiredEverywhere(st);
  });

  it('refuses a retirement that ended a duty the server refused, until the duty is settled; then the clerk redoes it', async () => {
    const st = await refusedDuty('杨不悔');
    const { a1, small, duty } = st;
    // the duty's insert refused and still open, A1 retires the grid, which ends the duty too
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await a1.engine.syncNow();
    const issues = await a1.call('sync.issues', {});
    const dutyCard = issues.find((i) => i.entityId === duty.id && !i.command);
    const retirement = issues.find((i) => i.entity === 'gridUnit');
    expect(dutyCard).toMatchObject({ reason: 'assignment.person_left' });
    // the server has no such duty to end, so none of the retirement took effect
    expect(retirement).toMatchObject({ reason: 'record.not_found', command: { name: 'grid.retire' } });
    expect(issues.find((i) => i.entityId === duty.id && i.command)).toMatchObject({ reason: 'record.not_found' });

    // the duty's card first, then the retirement's: both undone here, and nothing pending
    await a1.call('sync.resolveIssue', { id: dutyCard!.id, action: 'accept_server' });
    await a1.call('sync.resolveIssue', { id: retirement!.id, action: 'accept_server' });
    expect((await a1.call('grid.get', { id: small.id })).grid.validTo).toBeNull();
    await a1.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await expectRetiredEverywhere(st);
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

  /** A1 with two small grids and a micro grid under the first, synced; then A2 joins. */
  async function microToMove() {
    const street = await newStreet(fx.district.db);
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
    return { street, a1, a2: await station(street, 'A2'), small, other, micro };
  }

  it('refuses a move under a grid the other station retired meanwhile, with its history', async () => {
    const { street, a1, a2, small, other, micro } = await microToMove();
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

  it('takes a move made over the other station\'s rename with no conflict: the rename changed neither parent nor code', async () => {
    const { street, a1, a2, other, micro } = await microToMove();
    await a2.call('grid.update', { id: micro.id, patch: { name: '幸福里微网格' } });
    await a2.engine.syncNow();
    const moved = await a1.call('grid.move', { id: micro.id, parentId: other.id, date: '2025-01-01' });
    await a1.engine.syncNow();
    expect(await a1.call('sync.issues', {})).toEqual([]);
    expect((await a1.call('grid.get', { id: micro.id })).grid).toMatchObject({ parentId: other.id, code: moved.code, name: '幸福里微网格' });
    await a2.engine.syncNow();
    await expectConverged(street, a1, a2);
  });

  it('takes a move made over the other station\'s move, with a conflict the clerk can only dismiss', async () => {
    const { street, a1, a2, small, other, micro } = await microToMove();
    const third = await a1.call('grid.create', {
      category: 'urban_community',
      validFrom: '2024-01-01',
      orgUnitId: small.orgUnitId,
      code: `${small.code.slice(0, -1)}3`,
      name: '第三网格',
      level: 'small',
      parentId: small.parentId,
    });
    await a1.engine.syncNow();
    await a2.engine.syncNow();
    const theirs = await a2.call('grid.move', { id: micro.id, parentId: third.id, date: '2025-01-01' });
    await a2.engine.syncNow();
    const moved = await a1.call('grid.move', { id: micro.id, parentId: other.id, date: '2025-01-01' });
    await a1.engine.syncNow();

    const [conflict, ...rest] = await a1.call('sync.issues', {});
    expect(rest).toEqual([]);
    expect(conflict).toMatchObject({ kind: 'conflict', entity: 'gridUnit', command: { name: 'grid.move' }, overwritten: { parentId: third.id, code: theirs.code } });
    // taking the overwritten parent and code back would move the grid as a plain edit, with no checks and no history
    expect(await a1.fail('sync.resolveIssue', { id: conflict!.id, action: 'accept_server' })).toMatchObject({ code: 'rule_violation', reason: 'sync.command_undo' });
    expect((await a1.call('grid.get', { id: micro.id })).grid).toMatchObject({ parentId: other.id, code: moved.code });
    await a1.call('sync.resolveIssue', { id: conflict!.id, action: 'dismiss' });
    expect(a1.engine.status().issues).toEqual({ rejection: 0, conflict: 0, quarantine: 0 });
    await a2.engine.syncNow();
    await expectConverged(street, a1, a2);
  });
});
