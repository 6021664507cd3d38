import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRemoteRecord, localFields, reapplyPending } from '../../electron/store/apply-remote';
import { openDb } from '../../electron/store/db';
import { migrate } from '../../electron/store/migrate';
import { migrations } from '../../electron/store/migrations';
import { insertEntity, updateEntity } from '../../electron/store/write';
import { Batcher } from '../../electron/sync/batcher';
import { backoffDelay } from '../../electron/sync/backoff';
import { markResolved, openIssueCounts, recordIssue } from '../../electron/sync/issues';
import { pendingEntries } from '../../electron/sync/outbox';
import { readEvents } from '../../electron/sync/sse';
import { syncState } from '../../electron/sync/state';
import { fileTokenStore } from '../../electron/sync/token-store';

// The station's sync storage on real SQLite files: migration 0002, applying server records
// (unknown fields kept, deferred foreign keys, pending edits on top), and the small parts.

const tempDir = () => mkdtempSync(join(tmpdir(), 'griddesk-sync-store-'));
const at = '2025-01-01T00:00:00.000Z';
const noDisplace = () => undefined;

const district = { code: '610116000000', name: '长安区', level: 'district', kind: null, parentId: null, hostsCenter: false };
const street = { code: '610116001000', name: '韦曲街道', level: 'street', kind: null, parentId: 'd', hostsCenter: true };

describe('0002 sync migration', () => {
  it('upgrades a version-1 file: existing changes stay pending, tables and extra columns exist', () => {
    const file = join(tempDir(), 'db.sqlite');
    const v1 = new Database(file);
    v1.pragma('application_id = 1196573764');
    migrate(v1, migrations.slice(0, 1));
    v1.prepare("INSERT INTO change_log (entity, entity_id, op, fields, base_version, at) VALUES ('orgUnit', 'x', 'insert', '{}', NULL, ?)").run(at);
    v1.close();

    const db = openDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT state, attempts FROM change_log').get()).toEqual({ state: 'pending', attempts: 0 });
    for (const table of ['org_unit', 'grid_unit', 'grid_history', 'person', 'assignment']) {
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      expect(columns, table).toContain('extra');
    }
    expect(() => db.prepare("UPDATE change_log SET state = 'lost'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO sync_issue (kind, entity, entity_id, reason, created_at) VALUES ('oops', 'person', 'p', 'r', ?)").run(at)).toThrow(/CHECK/);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT seq FROM change_log WHERE state = 'pending' ORDER BY seq LIMIT 10").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('change_log_state');
    db.close();
  });
});

describe('applying server records', () => {
  it('keeps fields it does not know in extra and gives them back', () => {
    const db = openDb(':memory:');
    db.transaction(() => {
      db.pragma('defer_foreign_keys = ON');
      // the street (child) first, the district after it: only the commit checks references
      applyRemoteRecord(db, { entity: 'orgUnit', id: 's', fields: { ...street, futureField: { a: 1 } }, version: 3, at }, 'insert', noDisplace);
      applyRemoteRecord(db, { entity: 'orgUnit', id: 'd', fields: district, version: 1, at }, 'insert', noDisplace);
    })();
    expect(localFields(db, 'orgUnit', 's')).toEqual({ ...street, futureField: { a: 1 }, version: 3 });
    applyRemoteRecord(db, { entity: 'orgUnit', id: 's', fields: { name: '新名', otherFuture: 2 }, version: 4, at }, 'update', noDisplace);
    expect(localFields(db, 'orgUnit', 's')).toMatchObject({ name: '新名', futureField: { a: 1 }, otherFuture: 2, hostsCenter: true, version: 4 });
    expect(db.prepare('SELECT count(*) AS n FROM change_log').get()).toEqual({ n: 0 });
    expect(applyRemoteRecord(db, { entity: 'orgUnit', id: 'nope', fields: { name: 'x' }, version: 2, at }, 'update', noDisplace)).toBe(false);
  });

  it('fails the whole page when a reference never arrives', () => {
    const db = openDb(':memory:');
    expect(() =>
      db.transaction(() => {
        db.pragma('defer_foreign_keys = ON');
        applyRemoteRecord(db, { entity: 'orgUnit', id: 's', fields: street, version: 1, at }, 'insert', noDisplace);
      })(),
    ).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT count(*) AS n FROM org_unit').get()).toEqual({ n: 0 });
  });

  it('puts pending local edits back on top and moves a local-only holder of a unique code aside', () => {
    const db = openDb(':memory:');
    insertEntity(db, 'orgUnit', 'd', district, at);
    insertEntity(db, 'orgUnit', 's', { ...street, parentId: 'd' }, at);
    db.prepare("UPDATE change_log SET state = 'sent'").run();
    updateEntity(db, 'orgUnit', 's', { name: '本站改名' }, at);
    applyRemoteRecord(db, { entity: 'orgUnit', id: 's', fields: { name: '服务器名', hostsCenter: false }, version: 2, at }, 'update', noDisplace);
    reapplyPending(db, 'orgUnit', 's');
    expect(localFields(db, 'orgUnit', 's')).toMatchObject({ name: '本站改名', hostsCenter: false, version: 3 });

    insertEntity(db, 'orgUnit', 'mine', { code: '610116001001', name: '本站社区', level: 'community', kind: 'village', parentId: 's', hostsCenter: false }, at);
    const displaced: string[] = [];
    applyRemoteRecord(
      db,
      { entity: 'orgUnit', id: 'theirs', fields: { code: '610116001001', name: '他站社区', level: 'community', kind: 'village', parentId: 's', hostsCenter: false }, version: 1, at },
      'insert',
      (_e, { id }) => displaced.push(id),
    );
    expect(displaced).toEqual(['mine']);
    expect(localFields(db, 'orgUnit', 'theirs')?.code).toBe('610116001001');
    expect(localFields(db, 'orgUnit', 'mine')?.code).toBe('610116001001~mine');
  });
});

describe('sync parts', () => {
  it('batches within the count and byte caps, halving and growing back', () => {
    const db = openDb(':memory:');
    insertEntity(db, 'orgUnit', 'd', district, at);
    for (let i = 0; i < 9; i++) insertEntity(db, 'person', `p${i}`, { name: 'x'.repeat(100), status: 'active', orgUnitId: 'd', streetId: 'd' }, at);
    const entries = pendingEntries(db, 100);
    const batcher = new Batcher(4, entries[1]!.bytes * 3);
    expect(batcher.take(entries)).toHaveLength(3);
    batcher.shrink(3);
    expect(batcher.size).toBe(1);
    batcher.shrink(1);
    expect(batcher.size).toBe(1);
    batcher.grow();
    batcher.grow();
    batcher.grow();
    expect(batcher.size).toBe(4);
    expect(entries.map((e) => e.mutation.mid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("counts a grid's refused history rows with the grid, as the sync page shows them", () => {
    const db = openDb(':memory:');
    const issue = (entity: 'gridUnit' | 'gridHistory' | 'person', entityId: string, localFields: Record<string, unknown>) =>
      recordIssue(db, { kind: 'rejection', mid: null, entity, entityId, reason: 'x', localFields, serverRecord: null }, at);
    const grid = issue('gridUnit', 'g1', { code: '1' });
    issue('gridHistory', 'h1', { gridId: 'g1' });
    issue('gridHistory', 'h2', { gridId: 'g2' });
    issue('person', 'p1', { name: 'x' });
    expect(openIssueCounts(db).rejection).toBe(3);
    markResolved(db, grid, 'accept_server', at);
    expect(openIssueCounts(db).rejection).toBe(3);
  });

  it('a build the server refused syncs again once newer in its protocol or its schema', () => {
    const db = openDb(':memory:');
    expect(syncState.clientTooOld(db, { protocol: 4, schema: 7 })).toBe(false);
    syncState.setClientTooOld(db, { protocol: 4, schema: 7 });
    expect(syncState.clientTooOld(db, { protocol: 4, schema: 7 })).toBe(true);
    expect(syncState.clientTooOld(db, { protocol: 5, schema: 7 })).toBe(false);
    expect(syncState.clientTooOld(db, { protocol: 4, schema: 8 })).toBe(false);
    // a replica whose refusal was recorded before the schema window: the refused protocol alone
    db.prepare(`UPDATE sync_state SET value = '4' WHERE key = 'clientTooOld'`).run();
    expect(syncState.clientTooOld(db, { protocol: 4, schema: 8 })).toBe(true);
    expect(syncState.clientTooOld(db, { protocol: 5, schema: 7 })).toBe(false);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { baseMs: 1000, capMs: 60_000 };
    expect(backoffDelay(policy, 0, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(4000);
    expect(backoffDelay(policy, 20, () => 0.999)).toBe(59_940);
    expect(backoffDelay(policy, 5, () => 0)).toBe(0);
  });

  it('reads server-sent events split across chunks, with comments and CRLF', async () => {
    const parts = [': hi\n\nevent: seq\nda', 'ta: {"seq": 4}\r\n\r\n', 'event: seq\ndata: {"seq": 5}\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
        controller.close();
      },
    });
    const events: [string, string][] = [];
    await readEvents(body, (e, d) => events.push([e, d]));
    expect(events).toEqual([
      ['seq', '{"seq": 4}'],
      ['seq', '{"seq": 5}'],
    ]);
  });

  it('keeps the device token in a file only this user can read', () => {
    const dir = tempDir();
    const store = fileTokenStore(dir);
    expect(store.load()).toBeNull();
    store.save('secret-token');
    expect(store.load()).toBe('secret-token');
    expect(statSync(join(dir, 'device-token')).mode & 0o777).toBe(0o600);
    store.clear();
    expect(store.load()).toBeNull();
  });

  it('replaces a token file left readable by others without showing them the new token', () => {
    const dir = tempDir();
    const file = join(dir, 'device-token');
    writeFileSync(file, 'old-token', { mode: 0o644 });
    chmodSync(file, 0o644);
    const before = statSync(file).ino;
    fileTokenStore(dir).save('new-token');
    // a new file (created 0600, then renamed over the old one), not the old one rewritten
    expect(statSync(file).ino).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new-token');
    expect(readdirSync(dir)).toEqual(['device-token']);
  });
});
