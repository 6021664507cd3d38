import { describe, expect, it } from 'vitest';
import { applyRemoteRecord, localFields, type RemoteRecord } from '../../electron/store/apply-remote';
import { openDb, type Db } from '../../electron/store/db';
import { insertEntity } from '../../electron/store/write';
import { applyPullPage } from '../../electron/sync/pull';
import type { Change } from '../../core/sync/protocol';

// Server records meeting a local-only holder of a unique value: the holder is looked up only
// when the write fails, so every write path (insert, insert of a record already here, update,
// fields this version does not know) must still move it aside and then write.

const at = '2025-01-01T00:00:00.000Z';
const district = { code: '610116000000', name: '长安区', level: 'district', kind: null, parentId: null, hostsCenter: false };
const residentId = '110105195001010011';

function replica(): Db {
  const db = openDb(':memory:');
  insertEntity(db, 'orgUnit', 'd', district, at);
  db.prepare("UPDATE change_log SET state = 'sent'").run();
  return db;
}

const person = (name: string, extra: Record<string, unknown> = {}) => ({ name, status: 'active', orgUnitId: 'd', streetId: 'd', ...extra });

function apply(db: Db, r: Omit<RemoteRecord, 'at'>, op: 'insert' | 'update'): { applied: boolean; displaced: string[] } {
  const displaced: string[] = [];
  const applied = db.transaction(() => applyRemoteRecord(db, { ...r, at }, op, (_e, id) => displaced.push(id)))();
  return { applied, displaced };
}

describe('applying a server value a local-only row holds', () => {
  it('an update clears the resident ID of the local holder, then sets it', () => {
    const db = replica();
    apply(db, { entity: 'person', id: 'theirs', fields: person('甲'), version: 1 }, 'insert');
    insertEntity(db, 'person', 'mine', person('乙', { residentId }), at);
    const result = apply(db, { entity: 'person', id: 'theirs', fields: { residentId }, version: 2 }, 'update');
    expect(result).toEqual({ applied: true, displaced: ['mine'] });
    expect(localFields(db, 'person', 'theirs')).toMatchObject({ residentId, version: 2 });
    expect(localFields(db, 'person', 'mine')?.residentId).toBeNull();
  });

  it('an insert of a record already here becomes an update, moving the holder aside', () => {
    const db = replica();
    apply(db, { entity: 'person', id: 'theirs', fields: person('甲'), version: 1 }, 'insert');
    insertEntity(db, 'person', 'mine', person('乙', { residentId }), at);
    const result = apply(db, { entity: 'person', id: 'theirs', fields: person('甲改', { residentId }), version: 3 }, 'insert');
    expect(result).toEqual({ applied: true, displaced: ['mine'] });
    expect(localFields(db, 'person', 'theirs')).toMatchObject({ name: '甲改', residentId, version: 3 });
  });

  it('a record with fields this version does not know moves the holder aside too', () => {
    const db = replica();
    insertEntity(db, 'person', 'mine', person('乙', { residentId }), at);
    const result = apply(db, { entity: 'person', id: 'theirs', fields: person('甲', { residentId, future: 1 }), version: 1 }, 'insert');
    expect(result).toEqual({ applied: true, displaced: ['mine'] });
    expect(localFields(db, 'person', 'theirs')).toMatchObject({ residentId, future: 1 });
  });

  it('nobody is moved for the record itself or for an update of a record this replica lacks', () => {
    const db = replica();
    insertEntity(db, 'person', 'mine', person('乙', { residentId }), at);
    expect(apply(db, { entity: 'person', id: 'mine', fields: { residentId, name: '乙改' }, version: 2 }, 'update')).toEqual({ applied: true, displaced: [] });
    expect(apply(db, { entity: 'person', id: 'absent', fields: { residentId }, version: 2 }, 'update')).toEqual({ applied: false, displaced: [] });
    expect(localFields(db, 'person', 'mine')?.residentId).toBe(residentId);
  });

  it('a refused value that is not a unique one still fails the write', () => {
    const db = replica();
    expect(() => apply(db, { entity: 'person', id: 'p', fields: person('甲', { status: 'gone' }), version: 1 }, 'insert')).toThrow(/CHECK/);
  });
});

describe('a pulled page', () => {
  const change = (seq: number, id: string, op: 'insert' | 'update', fields: Record<string, unknown>, mid: number | null): Change => ({
    seq,
    entity: 'person',
    id,
    op,
    fields,
    version: op === 'insert' ? 1 : 2,
    deviceId: 'me',
    mid,
    serverTime: at,
  });

  it('marks own mutations sent and keeps pending edits on top, whether or not any are pending', () => {
    const db = replica();
    // nothing pending: the page applies without bookkeeping
    applyPullPage(db, [change(1, 'a', 'insert', person('甲'), null)], 1, 'me', at);
    expect(localFields(db, 'person', 'a')?.name).toBe('甲');

    // a local insert whose push reply was lost comes back in the page; a local edit of 'a' waits
    insertEntity(db, 'person', 'b', person('乙'), at);
    const mid = (db.prepare("SELECT seq FROM change_log WHERE entity_id = 'b'").get() as { seq: number }).seq;
    db.prepare("INSERT INTO change_log (entity, entity_id, op, fields, base_version, at) VALUES ('person', 'a', 'update', ?, 1, ?)").run(
      JSON.stringify({ phone: '13800138000' }),
      at,
    );
    applyPullPage(db, [change(2, 'b', 'insert', person('乙'), mid), change(3, 'a', 'update', { phone: '13912345678' }, null)], 3, 'me', at);
    expect(db.prepare('SELECT state FROM change_log WHERE seq = ?').get(mid)).toEqual({ state: 'sent' });
    expect(localFields(db, 'person', 'a')).toMatchObject({ phone: '13800138000', version: 3 });
  });
});
