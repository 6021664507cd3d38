import type { Db } from './db';
import { ENTITIES } from './entities';

// Bulk loading (a bootstrap writes hundreds of thousands of records into an empty replica).
// Building an index once over the loaded rows is far cheaper than updating several per row,
// so the synced tables' secondary indexes are dropped for the whole load and rebuilt at its
// end; the caller records what was dropped in the same transaction, so a load that dies
// midway still knows what to rebuild. Unique constraints (autoindexes) stay: they are
// constraints, not just lookups.

/** A dropped index, with the statement that builds it again. */
export interface SecondaryIndex {
  name: string;
  sql: string;
}

/** Drops the synced tables' secondary indexes; returns them for restoreIndexes. Call in a transaction. */
export function dropSecondaryIndexes(db: Db): SecondaryIndex[] {
  const tables = Object.values(ENTITIES).map((e) => e.table);
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(tables)) as SecondaryIndex[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  return indexes;
}

/** Builds dropped indexes again; one that exists by now (a migration made it) is left alone. */
export function restoreIndexes(db: Db, indexes: readonly SecondaryIndex[]): void {
  const exists = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?`);
  for (const index of indexes) if (exists.get(index.name) === undefined) db.exec(index.sql);
}

/** WAL pages before a bulk load's commit checkpoints: 256 MiB of the replica's 16 KiB pages (SQLite's default: 1,000 pages). */
const BULK_CHECKPOINT_PAGES = 16_384;

/**
 * Runs `load` (which opens its own transaction) the way a bulk load wants the connection:
 * - foreign key enforcement off: a load in several transactions may write a reference before
 *   the row it points to, so the caller checks every reference once at the end
 *   (foreignKeyViolations);
 * - checkpoints only once the WAL holds 256 MiB: at the default (4 MiB when pages were 4 KiB)
 *   nearly every chunk's commit also copied the WAL into the database and synced it, the
 *   largest cost of a commit. The next ordinary commit checkpoints what is left.
 * The connection is shared with the app, so both are back to normal before anything else can
 * run on it: `load` is synchronous, and SQLite ignores foreign_keys inside a transaction, hence
 * the check.
 */
export function bulkLoad<T>(db: Db, load: () => T): T {
  if (db.inTransaction) throw new Error('bulkLoad: foreign keys cannot be switched inside a transaction');
  const checkpointPages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  db.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
  try {
    return load();
  } finally {
    db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
    db.pragma('foreign_keys = ON');
  }
}

/** A row whose reference points nowhere, as PRAGMA foreign_key_check reports it. */
export interface ForeignKeyViolation {
  table: string;
  rowid: number;
  parent: string;
}

/** The first `limit` broken references in the whole database (none is the usual answer). */
export function foreignKeyViolations(db: Db, limit: number): ForeignKeyViolation[] {
  const violations: ForeignKeyViolation[] = [];
  for (const row of db.prepare('PRAGMA foreign_key_check').iterate() as IterableIterator<ForeignKeyViolation>) {
    violations.push({ table: row.table, rowid: row.rowid, parent: row.parent });
    if (violations.length === limit) break;
  }
  return violations;
}
