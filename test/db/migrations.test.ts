import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../electron/store/db';
import { migrate, NewerDatabaseError, type Migration } from '../../electron/store/migrate';
import { migrations } from '../../electron/store/migrations';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'griddesk-mig-')), 'db.sqlite');

describe('migration runner', () => {
  it('brings a new file to the latest version with STRICT tables', () => {
    const db = openDb(tempFile());
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
      sql: string;
    }[];
    expect(tables.length).toBeGreaterThan(5);
    for (const t of tables) expect(t.sql, t.name).toMatch(/STRICT$/);
    db.close();
  });

  it('refuses a file from a newer GridDesk and leaves it untouched', () => {
    const file = tempFile();
    openDb(file).close();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDb(file)).toThrow(NewerDatabaseError);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });

  it('applies all pending steps in one transaction: a failing step leaves nothing behind', () => {
    const db = new Database(':memory:');
    const steps: Migration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x INTEGER) STRICT') },
      { version: 2, name: 'two', up: () => { throw new Error('boom'); } },
    ];
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'a'").get()).toEqual({ n: 0 });
  });

  it('checks the order of the migration list', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'skipped', up: () => {} }])).toThrow(/expected 1/);
  });

  it('0003 drops the snapshot staging table, and the progress of a bootstrap an older build half-staged', () => {
    const at = (staged: boolean): Database.Database => {
      const db = new Database(':memory:');
      migrate(db, migrations.slice(0, 2));
      const progress = { snapshotId: 's', seq: 1, chunks: 3, records: 9, next: 2 };
      db.prepare("INSERT INTO sync_state (key, value) VALUES ('snapshot', ?), ('cursor', '7')").run(JSON.stringify(progress));
      if (staged) db.prepare(`INSERT INTO sync_snapshot_record (entity, id, version, data) VALUES ('person', 'p1', 1, '{}')`).run();
      migrate(db, migrations);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sync_snapshot_record'").get()).toEqual({ n: 0 });
      return db;
    };
    const keys = (db: Database.Database): unknown[] => db.prepare('SELECT key FROM sync_state ORDER BY key').all();
    expect(keys(at(true))).toEqual([{ key: 'cursor' }]);
    // progress without staged rows (nothing fetched yet) is still good: only the snapshot id and counts
    expect(keys(at(false))).toEqual([{ key: 'cursor' }, { key: 'snapshot' }]);
  });

  it('0004 takes back the version bump an older build left on rows whose refused update waits for a person', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 3));
    const at = '2025-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO org_unit (id, code, name, level, parent_id, version, created_at, updated_at) VALUES ('d', '610116000000', '长安区', 'district', NULL, 1, ?, ?)").run(at, at);
    const person = db.prepare("INSERT INTO person (id, name, status, org_unit_id, street_id, version, created_at, updated_at) VALUES (?, '甲', 'active', 'd', 'd', ?, ?, ?)");
    const change = db.prepare("INSERT INTO change_log (seq, entity, entity_id, op, fields, base_version, at, state) VALUES (?, 'person', ?, 'update', '{}', 1, ?, ?)");
    const issue = db.prepare("INSERT INTO sync_issue (kind, mid, entity, entity_id, reason, server_record, created_at, resolved_at) VALUES ('rejection', ?, 'person', ?, 'person.resident_id_taken', ?, ?, ?)");
    const server = (id: string) => JSON.stringify({ id, version: 1 });
    // refused (v1 on the server, +1 left here), its issue open: back to 1
    person.run('p1', 2, at, at);
    change.run(1, 'p1', at, 'rejected');
    issue.run(1, 'p1', server('p1'), at, null);
    // the same, with a later edit still waiting: 3 -> 2
    person.run('p2', 3, at, at);
    change.run(2, 'p2', at, 'rejected');
    change.run(3, 'p2', at, 'pending');
    issue.run(2, 'p2', server('p2'), at, null);
    // a person already decided (the old build undid it then), or a pull moved the version since: untouched
    person.run('p3', 2, at, at);
    change.run(4, 'p3', at, 'rejected');
    issue.run(4, 'p3', server('p3'), at, at);
    person.run('p4', 5, at, at);
    change.run(5, 'p4', at, 'rejected');
    issue.run(5, 'p4', server('p4'), at, null);
    migrate(db, migrations);
    expect(db.prepare('SELECT id, version FROM person ORDER BY id').all()).toEqual([
      { id: 'p1', version: 1 },
      { id: 'p2', version: 2 },
      { id: 'p3', version: 2 },
      { id: 'p4', version: 5 },
    ]);
  });

  it('0005 leaves the outbox rows and issues written before it untagged: they travel and are settled one by one', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 4));
    const at = '2025-01-01T00:00:00.000Z';
    db.prepare("INSERT INTO change_log (seq, entity, entity_id, op, fields, base_version, at, state) VALUES (1, 'gridUnit', 'g1', 'update', '{}', 1, ?, 'pending')").run(at);
    db.prepare("INSERT INTO sync_issue (kind, mid, entity, entity_id, reason, created_at) VALUES ('rejection', 1, 'gridUnit', 'g1', 'grid.retired', ?)").run(at);
    migrate(db, migrations);
    expect(db.prepare('SELECT command FROM change_log').all()).toEqual([{ command: null }]);
    expect(db.prepare('SELECT command FROM sync_issue').all()).toEqual([{ command: null }]);
  });

  it('0006 gives a conflict recorded before it the command tag its outbox row holds, and leaves other issues alone', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 5));
    const at = '2025-01-01T00:00:00.000Z';
    const tag = JSON.stringify({ id: 'c1', name: 'grid.move', size: 2, args: { gridId: 'g1', parentId: 'g2', date: '2025-01-01' } });
    const log = db.prepare("INSERT INTO change_log (seq, entity, entity_id, op, fields, base_version, at, state, command) VALUES (?, 'gridUnit', 'g1', 'update', '{}', 1, ?, 'sent', ?)");
    log.run(1, at, tag);
    log.run(2, at, null);
    log.run(3, at, tag);
    const issue = db.prepare("INSERT INTO sync_issue (kind, mid, entity, entity_id, reason, created_at) VALUES (?, ?, 'gridUnit', 'g1', 'x', ?)");
    issue.run('conflict', 1, at);
    issue.run('conflict', 2, at);
    issue.run('rejection', 3, at);
    migrate(db, migrations);
    expect(db.prepare('SELECT kind, mid, command FROM sync_issue ORDER BY mid').all()).toEqual([
      { kind: 'conflict', mid: 1, command: tag },
      { kind: 'conflict', mid: 2, command: null },
      { kind: 'rejection', mid: 3, command: null },
    ]);
  });

  it('0007 gives the outbox a place for the values an edit started from, empty for the rows written before it', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.slice(0, 6));
    db.prepare("INSERT INTO change_log (seq, entity, entity_id, op, fields, base_version, at, state) VALUES (1, 'person', 'p1', 'update', '{}', 1, '2025-01-01', 'pending')").run();
    migrate(db, migrations);
    expect(db.prepare('SELECT seq, base_fields FROM change_log').all()).toEqual([{ seq: 1, base_fields: null }]);
  });

  it('refuses a SQLite file that is not GridDesk data', () => {
    const file = tempFile();
    const raw = new Database(file);
    raw.exec('CREATE TABLE other (x)');
    raw.pragma('user_version = 3');
    raw.close();
    expect(() => openDb(file)).toThrow(/not a GridDesk data file/);
  });
});

describe('0001 initial', () => {
  it('enforces the rules the services rely on', () => {
    const db = openDb(':memory:');
    const insertOrg = db.prepare(
      "INSERT INTO org_unit (id, code, name, level, created_at, updated_at) VALUES (?, ?, 'x', ?, '', '')",
    );
    insertOrg.run('d', '610116000000', 'district');
    expect(() => insertOrg.run('d2', '610116000000', 'district')).toThrow(/UNIQUE/);
    expect(() => insertOrg.run('s', '610116001000', 'province')).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO assignment (id, person_id, grid_id, org_unit_id, role, start_date, created_at, updated_at) VALUES ('a', 'p', NULL, NULL, 'leader', '2024-01-01', '', '')",
        )
        .run(),
    ).toThrow();
  });
});
