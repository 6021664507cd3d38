import { describe, expect, it } from 'vitest';
import { applyRemoteRecord, localFields, type RemoteRecord } from '../../electron/store/apply-remote';
import { openDb, type Db } from '../../electron/store/db';
import { insertEntity } from '../../electron/store/write';
import { applyPulled, pullAll } from '../../electron/sync/pull';
import type { SyncRun } from '../../electron/sync/run';
import { syncState } from '../../electron/sync/state';
import type { Change, PullResponse } from '../../core/sync/protocol';

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
  const applied = db.transaction(() => applyRemoteRecord(db, { ...r, at }, op, (_e, { id }) => displaced.push(id)))();
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

describe('pulled changes', () => {
  const change = (seq: number, id: string, op: 'insert' | 'update', fields: Record<string, unknown>, mid: number | null, version = op === 'insert' ? 1 : 2): Change => ({
    seq,
    entity: 'person',
    id,
    op,
    fields,
    version,
    deviceId: 'me',
    mid,
    serverTime: `2025-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`,
  });
  const row = (db: Db, id: string) => db.prepare('SELECT name, phone, status, version, created_at, updated_at FROM person WHERE id = ?').get(id);

  it('marks own mutations sent and keeps pending edits on top, whether or not any are pending', () => {
    const db = replica();
    // nothing pending: the page applies without bookkeeping
    applyPulled(db, [change(1, 'a', 'insert', person('甲'), null)], 1, 'me', at);
    expect(localFields(db, 'person', 'a')?.name).toBe('甲');

    // a local insert whose push reply was lost comes back in the page; a local edit of 'a' waits
    insertEntity(db, 'person', 'b', person('乙'), at);
    const mid = (db.prepare("SELECT seq FROM change_log WHERE entity_id = 'b'").get() as { seq: number }).seq;
    db.prepare("INSERT INTO change_log (entity, entity_id, op, fields, base_version, at) VALUES ('person', 'a', 'update', ?, 1, ?)").run(
      JSON.stringify({ phone: '13800138000' }),
      at,
    );
    applyPulled(db, [change(2, 'b', 'insert', person('乙'), mid), change(3, 'a', 'update', { phone: '13912345678' }, null)], 3, 'me', at);
    expect(db.prepare('SELECT state FROM change_log WHERE seq = ?').get(mid)).toEqual({ state: 'sent' });
    expect(localFields(db, 'person', 'a')).toMatchObject({ phone: '13800138000', version: 3 });
  });

  it('a record created and then edited in one batch ends as if each change were applied in turn', () => {
    const db = replica();
    const batch = [
      change(1, 'a', 'insert', person('甲', { phone: '13800138000' }), null),
      change(2, 'b', 'insert', person('乙'), null),
      change(3, 'a', 'update', { phone: '13912345678' }, null, 2),
      change(4, 'a', 'update', { status: 'left', note: '迁出' }, null, 3),
    ];
    const fields = JSON.stringify(batch);
    applyPulled(db, batch, 4, 'me', at);
    expect(row(db, 'a')).toEqual({ name: '甲', phone: '13912345678', status: 'left', version: 3, created_at: batch[0]!.serverTime, updated_at: batch[3]!.serverTime });
    expect(localFields(db, 'person', 'a')?.note).toBe('迁出');
    expect(JSON.stringify(batch)).toBe(fields);
  });

  it('resident IDs handed from one record to another in a batch displace nobody', () => {
    const db = replica();
    const other = '110105195001010038';
    applyPulled(db, [change(1, 'a', 'insert', person('甲', { residentId }), null), change(2, 'b', 'insert', person('乙', { residentId: other }), null)], 2, 'me', at);
    const swap = [
      change(3, 'a', 'update', { residentId: null }, null, 2),
      change(4, 'b', 'update', { residentId }, null, 2),
      change(5, 'a', 'update', { residentId: other }, null, 3),
      change(6, 'b', 'update', { name: '乙改' }, null, 3),
    ];
    applyPulled(db, swap, 6, 'me', at);
    expect(db.prepare('SELECT count(*) AS n FROM sync_issue').get()).toEqual({ n: 0 });
    expect(localFields(db, 'person', 'a')).toMatchObject({ residentId: other, version: 3 });
    expect(localFields(db, 'person', 'b')).toMatchObject({ residentId, name: '乙改', version: 3 });
  });

  it('a long run of inserts holding a record already here and a locally held resident ID is applied record by record', () => {
    const db = replica();
    applyPulled(db, [change(1, 'p30', 'insert', person('旧'), null)], 1, 'me', at);
    insertEntity(db, 'person', 'mine', person('本站', { residentId }), at);
    db.prepare("UPDATE change_log SET state = 'sent'").run();
    const batch = Array.from({ length: 120 }, (_, i) => change(i + 2, `p${i}`, 'insert', person(`居民${i}`, { residentId: i === 70 ? residentId : null }), null, 4));
    applyPulled(db, batch, 121, 'me', at);
    expect(db.prepare("SELECT count(*) AS n FROM person WHERE id LIKE 'p%'").get()).toEqual({ n: 120 });
    expect(localFields(db, 'person', 'p30')).toMatchObject({ name: '居民30', version: 4 });
    expect(localFields(db, 'person', 'p70')?.residentId).toBe(residentId);
    expect(localFields(db, 'person', 'mine')?.residentId).toBeNull();
    expect(db.prepare('SELECT entity_id, reason, local_fields FROM sync_issue').all()).toEqual([
      { entity_id: 'mine', reason: 'sync.unique_displaced', local_fields: JSON.stringify({ name: '本站', residentId }) },
    ]);
  });

  it('pulls pages back to back into one transaction, and keeps what arrived when a later page fails', async () => {
    const db = replica();
    syncState.setCursor(db, 0);
    const pages = [1, 2, 3].map((n): PullResponse => ({ changes: [change(n, `p${n}`, 'insert', person(`居民${n}`), null)], cursor: n, hasMore: n < 3, serverTime: at }));
    const run = (failAfter: number): SyncRun =>
      ({
        db,
        enrollment: { deviceId: 'me' },
        now: () => at,
        progress: () => undefined,
        transport: {
          pull: (after: number) => (after >= failAfter ? Promise.reject(new Error('offline')) : Promise.resolve(pages[after]!)),
        },
      }) as unknown as SyncRun;
    await expect(pullAll(run(2), 3)).rejects.toThrow('offline');
    expect(syncState.cursor(db)).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM person').get()).toEqual({ n: 2 });
    expect(await pullAll(run(99), 3)).toBe(3);
    expect(db.prepare('SELECT count(*) AS n FROM person').get()).toEqual({ n: 3 });
  });
});
