import { describe, expect, it } from 'vitest';
import type { SyncIssue } from '../../core/api/sync';
import type { I18n } from '../../renderer/app/i18n/i18n-context';
import { zhCN } from '../../renderer/app/i18n/zh-CN';
import { issueRecordPath } from '../../renderer/features/sync/issue-routes';
import { cardTitle, commandBlockers, compareRows, foldedIssues, knownName } from '../../renderer/features/sync/sync-text';

// Which cards the sync page shows, and what a refused command's card points to
// (renderer/features/sync/sync-text.ts): a command is one card, and when the server refused it
// for lack of a record that this station's own refused change should have made, the card says
// so instead of blaming another station.

let nextId = 0;
function issue(fields: Partial<SyncIssue> & Pick<SyncIssue, 'entity' | 'entityId' | 'reason'>): SyncIssue {
  nextId += 1;
  return {
    id: nextId,
    kind: 'rejection',
    mid: nextId,
    localFields: null,
    serverRecord: null,
    overwritten: null,
    createdAt: '2025-06-30T08:00:00.000Z',
    resolvedAt: null,
    resolution: null,
    command: null,
    ...fields,
  };
}

const retirement = { id: 'c1', name: 'grid.retire' as const, args: { gridId: 'g1', validTo: '2025-06-30' } };
const move = { id: 'c2', name: 'grid.move' as const, args: { gridId: 'g2', parentId: 'g9', date: '2025-06-30' } };

/**
 * A refused command's members, each with `reason`, as the server reports them: each with its
 * record as the server holds it, none for the duty it lacks (`missing`) or the new history entry.
 */
function refusedRetirement(reason: string, missing: 'd1' | null = null): SyncIssue[] {
  const held = (id: string) => (id === missing ? null : { id });
  return [
    issue({ entity: 'assignment', entityId: 'd1', reason, command: retirement, serverRecord: held('d1') }),
    issue({ entity: 'gridUnit', entityId: 'g1', reason, command: retirement, serverRecord: held('g1') }),
    issue({ entity: 'gridHistory', entityId: 'h1', reason, command: retirement, localFields: { gridId: 'g1' } }),
  ];
}

const i18n: I18n = { locale: 'zh-CN', t: (key, vars) => zhCN[key].replace(/\{(\w+)\}/g, (_, v: string) => String(vars?.[v] ?? '')), reason: () => null, setLocale: async () => undefined };

describe('sync cards', () => {
  it('point a retirement refused for a missing duty to the card of the duty the server refused', () => {
    const duty = issue({ entity: 'assignment', entityId: 'd1', reason: 'assignment.person_left' });
    const members = refusedRetirement('record.not_found', 'd1');
    // newest first, as sync.issues lists them: a later refused rename of the grid is not the cause
    const rename = issue({ entity: 'gridUnit', entityId: 'g1', reason: 'grid.code_taken', serverRecord: { id: 'g1' } });
    const issues = [...members, rename, duty].reverse();
    const folded = foldedIssues(issues);
    // one card for the command, the grid's; the duty's own card stays
    expect([...folded.values()]).toEqual([members[1]!.id, members[1]!.id]);
    expect(folded.has(duty.id)).toBe(false);
    // whatever the order the issues come in
    for (const list of [issues, [...issues].reverse()]) expect(commandBlockers(list, folded)).toEqual(new Map([[members[1]!.id, duty]]));
  });

  it('point a move refused for a missing parent to the card of the new parent grid', () => {
    const parent = issue({ entity: 'gridUnit', entityId: 'g9', reason: 'grid.code_taken' });
    const rename = issue({ entity: 'gridUnit', entityId: 'g2', reason: 'grid.code_taken', serverRecord: { id: 'g2' } });
    const moved = issue({ entity: 'gridUnit', entityId: 'g2', reason: 'ref.not_found', command: move, serverRecord: { id: 'g2' } });
    const issues = [moved, rename, parent];
    expect(commandBlockers(issues, foldedIssues(issues))).toEqual(new Map([[moved.id, parent]]));
  });

  it('point nowhere when the server refused the command for what another station did, or only a conflict is open', () => {
    const duty = issue({ entity: 'assignment', entityId: 'd1', reason: 'assignment.person_left' });
    const children = [duty, ...refusedRetirement('grid.has_children', 'd1')];
    expect(commandBlockers(children, foldedIssues(children)).size).toBe(0);
    const conflict = issue({ entity: 'assignment', entityId: 'd1', reason: 'sync.stale_base', kind: 'conflict' });
    const missing = [conflict, ...refusedRetirement('record.not_found', 'd1')];
    expect(commandBlockers(missing, foldedIssues(missing)).size).toBe(0);
  });

  it('compare the values of a card\'s rows, not their words: two people of one name are two people', () => {
    const duty = issue({
      entity: 'assignment',
      entityId: 'd1',
      reason: 'assignment.grid_member_taken',
      localFields: { personId: '0197a000-0000-7000-8000-000000000001', role: 'grid_member_full' },
      serverRecord: { id: 'd1', personId: '0197a000-0000-7000-8000-000000000002', role: 'grid_member_full' },
    });
    const names = { '0197a000-0000-7000-8000-000000000001': '王芳', '0197a000-0000-7000-8000-000000000002': '王芳' };
    expect(compareRows(i18n, duty, { refNames: names })).toEqual([
      { field: 'personId', label: '人员', mine: '王芳', server: '王芳', differs: true },
    ]);
  });

  it('show a stale edit\'s overwritten fields only: the rest of the edit clashed with nothing', () => {
    const stale = issue({
      kind: 'conflict',
      entity: 'person',
      entityId: 'p1',
      reason: 'sync.stale_edit',
      localFields: { phone: '13811112222', note: '搬到三楼' },
      serverRecord: { version: 3, baseVersion: 1 },
      overwritten: { phone: '13933334444' },
    });
    expect(compareRows(i18n, stale)).toEqual([{ field: 'phone', label: '手机号', mine: '138****2222', server: '139****4444', differs: true }]);
    // whole when the clerk asks: the value this edit overwrote can be read back
    expect(compareRows(i18n, stale, { revealed: true })).toEqual([{ field: 'phone', label: '手机号', mine: '13811112222', server: '13933334444', differs: true }]);
  });

  it('say so when two masked numbers differ only in their hidden digits', () => {
    const stale = issue({
      kind: 'conflict',
      entity: 'person',
      entityId: 'p1',
      reason: 'sync.stale_edit',
      localFields: { phone: '13900000021' },
      serverRecord: { version: 3, baseVersion: 1 },
      overwritten: { phone: '13911110021' },
    });
    expect(compareRows(i18n, stale)).toEqual([{ field: 'phone', label: '手机号', mine: '139****0021', server: '139****0021（与本机的值在隐去的数字上不同）', differs: true }]);
  });

  it('show a new person refused for a resident ID by who holds it and the ID, not as if the holder were this record', () => {
    const refused = issue({
      entity: 'person',
      entityId: 'p1',
      reason: 'person.resident_id_taken',
      localFields: { name: '李四光', phone: '13911112222', residentId: '610116199003071236', partyMember: false },
      serverRecord: { id: 'p9', name: '张三丰', phone: '13800001111', residentId: '610116199003071236', partyMember: true, version: 1 },
    });
    expect(compareRows(i18n, refused).map((r) => [r.label, r.mine, r.server])).toEqual([
      ['名称', '李四光', '张三丰'],
      ['身份证号', '610116********1236', '610116********1236'],
    ]);
  });

  it('name a row that gave way by its own name, beside the server\'s record that took its value', () => {
    const winner = { id: 'p9', name: '李四', residentId: '610116199001010011', phone: '13900000000', version: 2 };
    const displaced = issue({
      kind: 'conflict',
      mid: null,
      entity: 'person',
      entityId: 'p1',
      reason: 'sync.unique_displaced',
      localFields: { name: '张三', residentId: '610116199001010011' },
      serverRecord: winner,
    });
    expect(cardTitle(i18n, displaced)).toBe('人员 · 张三');
    expect(compareRows(i18n, displaced).map((r) => [r.label, r.mine, r.server, r.differs])).toEqual([
      ['名称', '张三', '李四', true],
      ['身份证号', '610116********0011', '610116********0011', false],
    ]);
    // recorded by an older build, without its name: the card looks the name up, never takes the winner's
    expect(knownName({ ...displaced, localFields: { residentId: '610116199001010011' } })).toBeNull();
    expect(knownName(issue({ entity: 'person', entityId: 'p1', reason: 'record.not_found', serverRecord: { id: 'p1', name: '张三' } }))).toBe('张三');
  });

  it('open a command\'s change on its grid\'s page, where it is done again; other records on their own', () => {
    const endedDuty = issue({ kind: 'conflict', entity: 'assignment', entityId: 'd1', reason: 'sync.stale_edit', command: retirement, localFields: { endDate: '2025-06-30' } });
    expect(issueRecordPath(endedDuty)).toBe('/grids?grid=g1');
    const duty = issue({ entity: 'assignment', entityId: 'd2', reason: 'assignment.grid_member_taken', localFields: { personId: 'p 1', role: 'grid_member_full' } });
    expect(issueRecordPath(duty)).toBe('/roster?person=p%201');
    expect(issueRecordPath(issue({ entity: 'person', entityId: 'p2', reason: 'record.not_found' }))).toBe('/roster?person=p2');
  });
});
