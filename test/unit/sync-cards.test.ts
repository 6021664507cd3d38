import { describe, expect, it } from 'vitest';
import type { SyncIssue } from '../../core/api/sync';
import { commandBlockers, foldedIssues } from '../../renderer/features/sync/sync-text';

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

/** A refused command's members, each with `reason`: the grid, a duty it ended, its history entry. */
function refusedRetirement(reason: string): SyncIssue[] {
  return [
    issue({ entity: 'assignment', entityId: 'd1', reason, command: retirement }),
    issue({ entity: 'gridUnit', entityId: 'g1', reason, command: retirement }),
    issue({ entity: 'gridHistory', entityId: 'h1', reason, command: retirement, localFields: { gridId: 'g1' } }),
  ];
}

describe('sync cards', () => {
  it('point a retirement refused for a missing duty to the card of the duty the server refused', () => {
    const duty = issue({ entity: 'assignment', entityId: 'd1', reason: 'assignment.person_left' });
    const members = refusedRetirement('record.not_found');
    const issues = [duty, ...members];
    const folded = foldedIssues(issues);
    // one card for the command, the grid's; the duty's own card stays
    expect([...folded.values()]).toEqual([members[1]!.id, members[1]!.id]);
    expect(folded.has(duty.id)).toBe(false);
    expect(commandBlockers(issues, folded)).toEqual(new Map([[members[1]!.id, duty]]));
  });

  it('point a move refused for a missing parent to the card of the new parent grid', () => {
    const parent = issue({ entity: 'gridUnit', entityId: 'g9', reason: 'grid.code_taken' });
    const moved = issue({ entity: 'gridUnit', entityId: 'g2', reason: 'ref.not_found', command: move });
    expect(commandBlockers([parent, moved], foldedIssues([parent, moved]))).toEqual(new Map([[moved.id, parent]]));
  });

  it('point nowhere when the server refused the command for what another station did, or only a conflict is open', () => {
    const duty = issue({ entity: 'assignment', entityId: 'd1', reason: 'assignment.person_left' });
    const children = [duty, ...refusedRetirement('grid.has_children')];
    expect(commandBlockers(children, foldedIssues(children)).size).toBe(0);
    const conflict = issue({ entity: 'assignment', entityId: 'd1', reason: 'sync.stale_base', kind: 'conflict' });
    const missing = [conflict, ...refusedRetirement('record.not_found')];
    expect(commandBlockers(missing, foldedIssues(missing)).size).toBe(0);
  });
});
