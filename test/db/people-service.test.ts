import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDS, openStation, seedGridChain, seedOrgTree, type Station } from '../helpers/station';

let station: Station;
beforeEach(() => {
  station = openStation(() => new Date('2025-06-01T02:00:00Z'));
});
afterEach(() => station.close());

describe('people', () => {
  it('validates phone and resident ID at the boundary', async () => {
    const { community } = await seedOrgTree(station);
    const bad = await station.fail('people.create', { name: '李四', phone: '1234', residentId: '610116199001010019', orgUnitId: community.id });
    expect(bad.code).toBe('bad_request');
    expect(bad.details.issues).toEqual([
      { path: 'phone', message: 'phone_format' },
      { path: 'residentId', message: 'resident_id_check_digit' },
    ]);
  });

  it('keeps resident IDs unique and normalises a lower-case x', async () => {
    const { community } = await seedOrgTree(station);
    const p = await station.call('people.create', { name: '张伟', residentId: IDS.b.toLowerCase(), orgUnitId: community.id });
    expect(p.residentId).toBe(IDS.b);
    const dup = await station.fail('people.create', { name: '张伟伟', residentId: IDS.b, orgUnitId: community.id });
    expect(dup).toMatchObject({ code: 'conflict', reason: 'person.duplicate_resident_id' });
  });

  it('lists masked identifiers and returns them whole only in the detail', async () => {
    const { community } = await seedOrgTree(station);
    const p = await station.call('people.create', { name: '张伟', phone: '13812345678', residentId: IDS.a, orgUnitId: community.id });
    const page = await station.call('people.list', {});
    expect(page.rows[0]).toMatchObject({ phone: '138****5678', residentId: '610116********0018', orgUnitName: '东街社区' });
    expect(JSON.stringify(page)).not.toContain('13812345678');
    expect((await station.call('people.get', { id: p.id })).person.phone).toBe('13812345678');
  });

  it('changes only the fields a patch names', async () => {
    const { community } = await seedOrgTree(station);
    const p = await station.call('people.create', { name: '张伟', orgUnitId: community.id, partyMember: true, partyBranch: '一支部', status: 'inactive' });
    const updated = await station.call('people.update', { id: p.id, patch: { name: '张伟明' } });
    expect(updated).toMatchObject({ name: '张伟明', partyMember: true, partyBranch: '一支部', status: 'inactive', version: 2 });
  });

  it('sends only what a whole-form save changed, with the values it started from', async () => {
    const { community } = await seedOrgTree(station);
    const p = await station.call('people.create', { name: '张伟', phone: '13800000001', orgUnitId: community.id, partyMember: true, partyBranch: '一支部' });
    // the roster's drawer saves every field it shows
    const form = { name: p.name, gender: p.gender, phone: '13800000011', residentId: p.residentId, partyMember: true, partyBranch: '一支部', status: p.status, orgUnitId: community.id, note: p.note };
    const updated = await station.call('people.update', { id: p.id, baseVersion: 1, patch: form });
    expect(updated).toMatchObject({ phone: '13800000011', version: 2 });
    const outbox = () => station.ctx.db.prepare("SELECT fields, base_fields AS base FROM change_log WHERE entity = 'person' AND op = 'update'").all() as { fields: string; base: string | null }[];
    expect(outbox()).toEqual([{ fields: JSON.stringify({ phone: '13800000011' }), base: JSON.stringify({ phone: '13800000001' }) }]);

    // saved again unchanged: nothing to send, the version stays
    expect(await station.call('people.update', { id: p.id, baseVersion: 2, patch: { ...form, phone: '13800000011' } })).toMatchObject({ version: 2 });
    await station.call('people.update', { id: p.id, patch: { ...form, partyMember: false } });
    expect(outbox()).toHaveLength(2);
    expect(outbox()[1]).toEqual({ fields: JSON.stringify({ partyMember: false, partyBranch: null }), base: JSON.stringify({ partyMember: true, partyBranch: '一支部' }) });
    // membership and branch go together even when one of them changed: merged field by field on
    // the server, two stations' halves would make a branch without a member
    await station.call('people.update', { id: p.id, patch: { ...form, partyMember: true, partyBranch: null } });
    expect(outbox()[2]!.fields).toBe(JSON.stringify({ partyMember: true, partyBranch: null }));
    await station.call('people.update', { id: p.id, patch: { partyBranch: '二支部' } });
    expect(outbox()[3]!.fields).toBe(JSON.stringify({ partyBranch: '二支部', partyMember: true }));
  });

  it('refuses an edit made on a stale copy', async () => {
    const { community } = await seedOrgTree(station);
    const p = await station.call('people.create', { name: '张伟', orgUnitId: community.id });
    await station.call('people.update', { id: p.id, baseVersion: 1, patch: { name: '张伟明' } });
    const stale = await station.fail('people.update', { id: p.id, baseVersion: 1, patch: { name: '张三' } });
    expect(stale).toMatchObject({ code: 'conflict', reason: 'stale_version' });
  });

  it('filters, sorts and pages in SQL', async () => {
    const { community, village, street } = await seedOrgTree(station);
    const names = ['赵一', '钱二', '孙三', '李四', '周五', '吴六', '郑七'];
    for (const [i, name] of names.entries()) {
      await station.call('people.create', { name, orgUnitId: i % 2 ? village.id : community.id, partyMember: i < 3, status: i === 6 ? 'left' : 'active' });
    }
    const page1 = await station.call('people.list', { orgUnitId: street.id, pageSize: 3, sort: 'name' });
    expect(page1.total).toBe(7);
    expect(page1.rows.map((r) => r.name)).toEqual([...names].sort().slice(0, 3));
    const page3 = await station.call('people.list', { orgUnitId: street.id, pageSize: 3, page: 3, sort: 'name' });
    expect(page3.rows.map((r) => r.name)).toEqual([...names].sort().slice(6));
    expect((await station.call('people.list', { orgUnitId: village.id })).total).toBe(3);
    expect((await station.call('people.list', { partyMember: true, status: 'active' })).total).toBe(3);
    expect((await station.call('people.list', { sort: 'orgUnitName', order: 'desc', pageSize: 1 })).rows[0]!.orgUnitName).toBe('西村');
    expect((await station.call('people.list', { q: '孙' })).rows.map((r) => r.name)).toEqual(['孙三']);
  });

  it('searches names by any fragment, and phones exactly', async () => {
    const { community } = await seedOrgTree(station);
    await station.call('people.create', { name: '欧阳明华', phone: '13912345678', orgUnitId: community.id });
    await station.call('people.create', { name: '欧阳娜', orgUnitId: community.id });
    expect((await station.call('people.list', { q: '阳明华' })).rows.map((r) => r.name)).toEqual(['欧阳明华']);
    expect((await station.call('people.list', { q: '欧阳' })).total).toBe(2);
    expect((await station.call('people.list', { q: '13912345678' })).rows.map((r) => r.name)).toEqual(['欧阳明华']);
  });
});

describe('assignments', () => {
  it('lets one person hold several roles and filters the roster by role and grid', async () => {
    const { community, street } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    const p = await station.call('people.create', { name: '刘洋', orgUnitId: community.id, partyMember: true, partyBranch: '东街社区党支部' });
    await station.call('people.assign', { personId: p.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_chief', startDate: '2025-01-01' });
    await station.call('people.assign', { personId: p.id, target: { kind: 'grid', gridId: micro.id }, role: 'household_head', startDate: '2025-01-01' });
    await station.call('people.assign', { personId: p.id, target: { kind: 'org', orgUnitId: street.id }, role: 'center_operator', startDate: '2025-01-01', endDate: '2025-03-01' });
    const row = (await station.call('people.list', {})).rows[0]!;
    expect(row.roles.sort()).toEqual(['grid_chief', 'household_head']);
    expect((await station.call('people.list', { role: 'grid_chief' })).total).toBe(1);
    expect((await station.call('people.list', { role: 'center_operator' })).total).toBe(0);
    expect((await station.call('people.list', { gridId: micro.id })).total).toBe(1);
    expect((await station.call('people.get', { id: p.id })).assignments).toHaveLength(3);
  });

  it('enforces where each role may be held and refuses overlapping duplicates', async () => {
    const { community, street } = await seedOrgTree(station);
    const { small } = await seedGridChain(station, community.id);
    const p = await station.call('people.create', { name: '陈静', orgUnitId: community.id });
    const grid = { kind: 'grid' as const, gridId: small.id };
    expect((await station.fail('people.assign', { personId: p.id, target: grid, role: 'household_head', startDate: '2025-01-01' })).reason).toBe(
      'assignment.household_head_micro_only',
    );
    expect((await station.fail('people.assign', { personId: p.id, target: grid, role: 'leader', startDate: '2025-01-01' })).reason).toBe(
      'assignment.role_not_for_target',
    );
    expect(
      (await station.fail('people.assign', { personId: p.id, target: { kind: 'org', orgUnitId: street.id }, role: 'grid_chief', startDate: '2025-01-01' })).reason,
    ).toBe('assignment.role_not_for_target');
    const a = await station.call('people.assign', { personId: p.id, target: grid, role: 'grid_member_full', startDate: '2025-01-01' });
    expect((await station.fail('people.assign', { personId: p.id, target: grid, role: 'grid_member_full', startDate: '2025-04-01' })).reason).toBe(
      'assignment.duplicate',
    );
    const bad = await station.fail('people.assign', { personId: p.id, target: grid, role: 'volunteer', startDate: '2025-04-01', endDate: '2025-03-01' });
    expect(bad.code).toBe('bad_request');
    const ended = await station.call('people.endAssignment', { id: a.id, endDate: '2025-05-01' });
    expect(ended).toMatchObject({ endDate: '2025-05-01', active: false });
    expect((await station.fail('people.endAssignment', { id: a.id, endDate: '2024-12-01' })).reason).toBe('assignment.end_before_start');
    await station.call('people.assign', { personId: p.id, target: grid, role: 'grid_member_full', startDate: '2025-05-02' });
  });
});

describe('coverage', () => {
  it('counts micro grids missing a member, a police officer or a party member, inheriting from grids above', async () => {
    const { community, street } = await seedOrgTree(station);
    const { small, micro } = await seedGridChain(station, community.id);
    const micro2 = await station.call('grid.create', {
      code: '6101160010013001002', name: '二号楼', level: 'micro', parentId: small.id, orgUnitId: community.id, category: 'urban_community', validFrom: '2024-01-01',
    });
    const before = await station.call('coverage.byCommunity', { orgUnitId: street.id });
    expect(before).toEqual([expect.objectContaining({ orgUnitName: '东街社区', microGrids: 2, withoutMember: 2, withoutPolice: 2, withoutParty: 2 })]);
    const police = await station.call('people.create', { name: '警官', orgUnitId: community.id });
    await station.call('people.assign', { personId: police.id, target: { kind: 'grid', gridId: small.id }, role: 'community_police', startDate: '2025-01-01' });
    const head = await station.call('people.create', { name: '户长', orgUnitId: community.id });
    await station.call('people.assign', { personId: head.id, target: { kind: 'grid', gridId: micro.id }, role: 'household_head', startDate: '2025-01-01' });
    const after = await station.call('coverage.byCommunity', { orgUnitId: community.id });
    expect(after[0]).toMatchObject({ microGrids: 2, withoutMember: 1, withoutPolice: 0, withoutParty: 2 });
    const gaps = await station.call('coverage.gaps', { orgUnitId: community.id });
    expect(gaps.find((g) => g.gridId === micro2.id)).toMatchObject({ hasMember: false, hasPolice: true, hasParty: false });
    await station.call('people.update', { id: head.id, patch: { status: 'left' } });
    expect((await station.call('coverage.byCommunity', { orgUnitId: community.id }))[0]!.withoutMember).toBe(2);
  });
});
