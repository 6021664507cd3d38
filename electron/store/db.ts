import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate';
import { migrations } from './migrations';

export type Db = Database.Database;

/** 'GRDD': marks a SQLite file as GridDesk's, checked before a restore. */
export const APPLICATION_ID = 0x47524444;

/**
 * Options for every better-sqlite3 handle. The desktop app loads an addon built for
 * Electron's ABI (GRIDDESK_SQLITE_BINDING, set by main.ts); plain Node keeps the default.
 */
export function sqliteOptions(extra: Database.Options = {}): Database.Options {
  const binding = process.env.GRIDDESK_SQLITE_BINDING;
  return binding ? { ...extra, nativeBinding: binding } : extra;
}

/** Opens (creating if needed) and migrates the local replica. */
export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, sqliteOptions());
  try {
    // Takes effect only while the file is new (a replica made before keeps its 4096). A pull
    // or bootstrap commit writes each dirty page to the WAL as its own frame, and at 4096 the
    // frames cost more than their bytes; larger pages also make the B-trees shallower. A
    // 20,000-change pull measured ~8% faster at 16384 than at 8192 and ~20% faster than at
    // 4096; roster and subtree reads the same or faster, a single durable write ~0.03 ms slower.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    // FULL: a write the clerk saw succeed survives a power cut too (fsync per commit).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID && version !== 0) {
      throw new Error(`${file} is not a GridDesk data file`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
