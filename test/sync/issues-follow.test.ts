import { describe, expect, it } from 'vitest';
import type { Change } from '../../core/sync/protocol';
import { openDb } from '../../electron/store/db';
import { conflictIssue, followServer, getIssue, markResolved, recordIssue } from '../../electron/sync/issues';

// An open issue's server record follows the pulls (electron/sync/issues.ts followServer): only
// changes of its own record, only newer than the version it shows, and only while it is open.
// A stale edit's conflict shows only the fields another station changed (conflictIssue).

const at = '2026-11-27T00:00:00.000Z';

function change(id: string, version: number, fields: Record<string, unknown>): Change {
  return { seq: version, entity: 'person', id, op: 'update', fields, version, deviceId: 'other', mid: version, serverTime: at };
}

describe('followServer', () => {
  it("patches an open refusal's server record with newer pulled changes of that record only", () => {
    const db = openDb(':memory:');
    const server = { id: 'p1', name: '李娜', residentId: 'A', phone: '13800000001', version: 3 };
    const refusal = recordIssue(db, { kind: 'rejection', mid: 7, entity: 'person', entityId: 'p1', reason: 'person.resident_id_taken', localFields: { residentId: 'B' }, serverRecord: server }, at);
    // a displaced row's issue shows the winner, another record: never patched with the winner's changes
    const displaced = recordIssue(
      db,
      { kind: 'conflict', mid: null, entity: 'person', entityId: 'p2', reason: 'sync.unique_displaced', localFields: { residentId: 'A' }, serverRecord: server },
      at,
    );
    const settled = recordIssue(db, { kind: 'rejection', mid: 8, entity: 'person', entityId: 'p1', reason: 'person.resident_id_taken', serverRecord: server }, at);
    markResolved(db, settled, 'accept_server', at);

    // a pull still behind the refusal brings what the server record already shows
    followServer(db, [change('p1', 2, { phone: '13700000000' }), change('p1', 3, { name: '李娜' })]);
    expect(getIssue(db, refusal)!.serverRecord).toEqual(server);

    followServer(db, [change('p2', 4, { name: '别人' }), change('p1', 4, { phone: '13900000002' }), change('p1', 5, { name: '李娜娜' })]);

    expect(getIssue(db, refusal)!.serverRecord).toEqual({ id: 'p1', name: '李娜娜', residentId: 'A', phone: '13900000002', version: 5 });
    expect(getIssue(db, displaced)!.serverRecord).toEqual(server);
    expect(getIssue(db, settled)!.serverRecord).toEqual(server);
  });
});

describe('conflictIssue', () => {
  const conflict = { mid: 5, entity: 'person' as const, id: 'p1', baseVersion: 1, serverVersion: 2, overwritten: { phone: '13900000021', note: null, partyMember: false } };

  it('keeps only the fields another station changed since the edit started from them', () => {
    const issue = conflictIssue(conflict, null, { phone: '13900000001', note: null, partyMember: false });
    expect(issue?.overwritten).toEqual({ phone: '13900000021' });
  });

  it('is no issue when every field still held the value the edit started from', () => {
    expect(conflictIssue(conflict, null, { phone: '13900000021', note: null, partyMember: false })).toBeNull();
  });

  it('keeps every field for an edit recorded before edits kept their base (client migration 0007)', () => {
    expect(conflictIssue(conflict, null, null)?.overwritten).toEqual(conflict.overwritten);
  });
});
