import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStation, seedGridChain, seedOrgTree, type Station } from '../helpers/station';

let station: Station;
beforeEach(() => {
  station = openStation(() => new Date('2025-06-01T02:00:00Z'));
});
afterEach(() => station.close());

describe('org units', () => {
  it('nests district > street > community with matching codes', async () => {
    const { street } = await seedOrgTree(station);
    const wrongLevel = await station.fail('org.create', { code: '610116002000', name: 'x', level: 'street', parentId: street.id });
    expect(wrongLevel.reason).toBe('org.parent_level');
    const wrongCode = await station.fail('org.create', { code: '610116002001', name: 'x', level: 'community', kind: 'village', parentId: street.id });
    expect(wrongCode.reason).toBe('org.code_not_under_parent');
    const taken = await station.fail('org.create', { code: '610116001001', name: 'x', level: 'community', kind: 'village', parentId: street.id });
    expect(taken).toMatchObject({ code: 'conflict', reason: 'org.code_taken' });
    expect((await station.call('org.tree', {})).map((u) => u.code)).toEqual(['610116000000', '610116001000', '610116001001', '610116001201']);
  });
});

describe('grid tree', () => {
  it('builds a tree whose levels nest and whose codes sit under their community', async () => {
    const { street, community, village } = await seedOrgTree(station);
    const { large, small, micro } = await seedGridChain(station, community.id);
    const tree = await station.call('grid.tree', { orgUnitId: street.id });
    expect(tree.map((g) => [g.code, g.childCount])).toEqual([
      [large.code, 1],
      [small.code, 1],
      [micro.code, 0],
    ]);
    const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: community.id };
    expect((await station.fail('grid.create', { ...base, code: '6101160010013002001', name: 'x', level: 'micro', parentId: large.id })).reason).toBe(
      'grid.parent_level',
    );
    expect((await station.fail('grid.create', { ...base, code: '6101160010023001', name: 'x', level: 'small', parentId: null })).reason).toBe(
      'grid.code_wrong_community',
    );
    expect((await station.fail('grid.create', { ...base, code: small.code, name: 'x', level: 'small', parentId: null })).reason).toBe('grid.code_taken');
    expect((await station.fail('grid.create', { ...base, orgUnitId: street.id, code: '6101160010003001', name: 'x', level: 'small', parentId: null })).reason).toBe(
      'grid.org_not_community',
    );
    expect(
      (await station.fail('grid.create', { ...base, orgUnitId: village.id, code: '6101160012013001', name: 'x', level: 'small', parentId: large.id })).reason,
    ).toBe('grid.parent_other_community');
  });

  it('suggests the next free code, counting retired grids', async () => {
    const { community } = await seedOrgTree(station);
    const { small } = await seedGridChain(station, community.id);
    expect((await station.call('grid.nextCode', { orgUnitId: community.id, parentId: small.id, level: 'micro' })).code).toBe('6101160010013001002');
    expect((await station.call('grid.nextCode', { orgUnitId: community.id, parentId: null, level: 'small', dedicated: true })).code).toBe('6101160010014001');
  });

  it('re-parents a micro grid with a new code and keeps the history', async () => {
    const { community } = await seedOrgTree(station);
    const { large, micro } = await seedGridChain(station, community.id);
    const other = await station.call('grid.create', {
      code: '6101160010013002', name: '东街第二网格', level: 'small', parentId: large.id, orgUnitId: community.id, category: 'urban_community', validFrom: '2024-01-01',
    });
    const moved = await station.call('grid.move', { id: micro.id, parentId: other.id, date: '2025-06-01' });
    expect(moved.code).toBe('6101160010013002001');
    const details = await station.call('grid.get', { id: micro.id });
    expect(details.history.map((h) => h.action)).toEqual(['created', 'moved']);
    expect(details.history[1]!.detail).toMatchObject({ fromCode: micro.code, toCode: moved.code });
    expect(details.path.map((p) => p.code)).toEqual([large.code, other.code, moved.code]);
    // the grid's change and its history entry are one command, as the server applies them
    const tags = station.ctx.db.prepare("SELECT command FROM change_log WHERE command IS NOT NULL ORDER BY seq").all() as { command: string }[];
    expect(tags.map((t) => JSON.parse(t.command))).toEqual([
      expect.objectContaining({ name: 'grid.move', size: 2, args: { gridId: micro.id, parentId: other.id, date: '2025-06-01' } }),
      expect.objectContaining({ name: 'grid.move', size: 2 }),
    ]);
  });

  it('moves a grid due to retire only before its retirement date, as the server checks it', async () => {
    const { community } = await seedOrgTree(station);
    const { large, micro } = await seedGridChain(station, community.id);
    const other = await station.call('grid.create', {
      code: '6101160010013002', name: '东街第二网格', level: 'small', parentId: large.id, orgUnitId: community.id, category: 'urban_community', validFrom: '2024-01-01',
    });
    await station.call('grid.retire', { id: micro.id, validTo: '2099-12-31', reason: '拆迁' });
    expect(await station.fail('grid.move', { id: micro.id, parentId: other.id, date: '2099-12-31' })).toMatchObject({ reason: 'grid.retired' });
    expect((await station.call('grid.move', { id: micro.id, parentId: other.id, date: '2099-06-01' })).parentId).toBe(other.id);
  });

  it('retires a grid only when it has no current children, ending its assignments', async () => {
    const { community } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    const person = await station.call('people.create', { name: '王芳', orgUnitId: community.id });
    await station.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: micro.id }, role: 'household_head', startDate: '2024-02-01' });
    expect((await station.fail('grid.retire', { id: small.id, validTo: '2025-06-01', reason: '重划' })).reason).toBe('grid.has_children');
    const retired = await station.call('grid.retire', { id: micro.id, validTo: '2025-05-31', reason: '重划' });
    expect(retired.validTo).toBe('2025-05-31');
    const details = await station.call('grid.get', { id: micro.id });
    expect(details.assignments[0]).toMatchObject({ endDate: '2025-05-31', active: false, targetRetiredOn: '2025-05-31' });
    // every duty ended with it: nothing outlives the grid
    expect(details.warnings).toEqual([]);
    expect((await station.call('grid.tree', { orgUnitId: community.id })).map((g) => g.id)).not.toContain(micro.id);
    expect((await station.call('grid.tree', { orgUnitId: community.id, includeRetired: true })).map((g) => g.id)).toContain(micro.id);
    await station.call('grid.retire', { id: small.id, validTo: '2025-06-01', reason: '撤销' });
  });

  it('ends a duty due to start after the retirement on its first day, and does not count it as outliving the grid', async () => {
    const { community } = await seedOrgTree(station);
    const { micro } = await seedGridChain(station, community.id);
    const person = await station.call('people.create', { name: '王芳', orgUnitId: community.id });
    await station.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: micro.id }, role: 'household_head', startDate: '2025-09-01' });
    await station.call('grid.retire', { id: micro.id, validTo: '2025-06-30', reason: '重划' });
    const details = await station.call('grid.get', { id: micro.id });
    expect(details.assignments[0]).toMatchObject({ startDate: '2025-09-01', endDate: '2025-09-01' });
    expect(details.warnings).toEqual([]);
  });

  it('lets nothing new outlive a grid due to retire: no child under it, no open-ended duty on it', async () => {
    const { community } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    await station.call('grid.retire', { id: micro.id, validTo: '2025-12-31', reason: '年底重划' });
    const person = await station.call('people.create', { name: '王芳', orgUnitId: community.id });
    const duty = { personId: person.id, target: { kind: 'grid' as const, gridId: micro.id }, role: 'household_head' as const, startDate: '2025-07-01' };
    expect(await station.fail('people.assign', duty)).toMatchObject({ reason: 'assignment.outlives_grid', details: { validTo: '2025-12-31' } });
    expect(await station.fail('people.assign', { ...duty, endDate: '2026-01-31' })).toMatchObject({ reason: 'assignment.outlives_grid' });
    await station.call('people.assign', { ...duty, endDate: '2025-12-31' });
    expect((await station.call('grid.get', { id: micro.id })).warnings).toEqual([]);
    // the small grid has a retirement due too: no new child under it, none moved there
    await station.call('grid.retire', { id: small.id, validTo: '2026-01-31', reason: '年底重划' });
    const base = { category: 'urban_community' as const, validFrom: '2024-01-01', orgUnitId: community.id, level: 'micro' as const, parentId: small.id };
    expect((await station.fail('grid.create', { ...base, code: `${small.code}002`, name: '新微网格' })).reason).toBe('grid.parent_retired');
  });

  it('records descriptive edits in the history and the change log', async () => {
    const { community } = await seedOrgTree(station);
    const { micro } = await seedGridChain(station, community.id);
    await station.call('grid.update', { id: micro.id, patch: { householdCount: 30, name: '一号楼' } });
    const details = await station.call('grid.get', { id: micro.id });
    expect(details.grid).toMatchObject({ householdCount: 30, name: '一号楼', version: 2 });
    expect(details.history.at(-1)!.detail).toMatchObject({ householdCount: { from: 24, to: 30 } });
    const changes = station.ctx.db.prepare("SELECT op, fields, base_version AS baseVersion FROM change_log WHERE entity_id = ? ORDER BY seq").all(micro.id);
    expect(changes).toEqual([
      expect.objectContaining({ op: 'insert', baseVersion: null }),
      { op: 'update', fields: JSON.stringify({ name: '一号楼', householdCount: 30 }), baseVersion: 1 },
    ]);

    // the grid drawer saves every field it shows: only what changed is recorded and sent
    await station.call('grid.update', { id: micro.id, patch: { householdCount: 30, name: '一号楼东' } });
    expect((await station.call('grid.get', { id: micro.id })).history.at(-1)!.detail).toEqual({ name: { from: '一号楼', to: '一号楼东' } });
    await station.call('grid.update', { id: micro.id, patch: { householdCount: 30, name: '一号楼东' } });
    const after = await station.call('grid.get', { id: micro.id });
    expect(after.grid.version).toBe(3);
    expect(after.history).toHaveLength(details.history.length + 1);
    // a form opened on an older version is refused, not saved over what came since
    expect(await station.fail('grid.update', { id: micro.id, baseVersion: 2, patch: { householdCount: 31, name: '一号楼' } })).toMatchObject({ code: 'conflict', reason: 'stale_version' });
  });

  it('finds grids by Chinese name fragments of any length and by code prefix', async () => {
    const { community } = await seedOrgTree(station);
    await seedGridChain(station, community.id);
    expect((await station.call('grid.search', { q: '东街' })).length).toBe(2);
    expect((await station.call('grid.search', { q: '第一网格' })).map((g) => g.name)).toEqual(['东街第一网格']);
    expect((await station.call('grid.search', { q: '6101160010013' })).length).toBe(2);
    expect(await station.call('grid.search', { q: '50%' })).toEqual([]);
  });
});
