import type { SecondaryIndex } from '../store/bulk';
import type { Db } from '../store/db';
import { cachedStatement } from '../store/statements';

// What this station knows about its enrollment and progress, in the sync_state table. Kept in
// the replica itself so the cursor always moves in the same transaction as the data it covers.

export interface Enrollment {
  serverUrl: string;
  deviceId: string;
  deviceName: string;
  streetId: string;
  streetCode: string;
  streetName: string;
}

/** A bootstrap in progress: the chunks before `next` are in the replica. */
export interface SnapshotProgress {
  snapshotId: string;
  seq: number;
  chunks: number;
  records: number;
  next: number;
}

/** What a station build speaks: its protocol, and its replica's schema (the number of its migrations). */
export interface BuildVersions {
  protocol: number;
  schema: number;
}

export interface LastError {
  reason: string;
  at: string;
}

type Key = 'enrollment' | 'cursor' | 'bootstrapped' | 'snapshot' | 'droppedIndexes' | 'lastSyncAt' | 'lastError' | 'clientTooOld';

function read<T>(db: Db, key: Key): T | null {
  const row = cachedStatement(db, 'SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : null;
}

function write(db: Db, key: Key, value: unknown): void {
  if (value === null) {
    cachedStatement(db, 'DELETE FROM sync_state WHERE key = ?').run(key);
    return;
  }
  cachedStatement(db, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
}

export const syncState = {
  enrollment: (db: Db) => read<Enrollment>(db, 'enrollment'),
  setEnrollment: (db: Db, e: Enrollment) => write(db, 'enrollment', e),
  cursor: (db: Db) => read<number>(db, 'cursor') ?? 0,
  setCursor: (db: Db, cursor: number) => write(db, 'cursor', cursor),
  bootstrapped: (db: Db) => read<boolean>(db, 'bootstrapped') === true,
  setBootstrapped: (db: Db) => write(db, 'bootstrapped', true),
  snapshot: (db: Db) => read<SnapshotProgress>(db, 'snapshot'),
  setSnapshot: (db: Db, progress: SnapshotProgress | null) => write(db, 'snapshot', progress),
  /** Secondary indexes a bootstrap dropped and has not rebuilt yet (electron/store/bulk.ts). */
  droppedIndexes: (db: Db) => read<SecondaryIndex[]>(db, 'droppedIndexes'),
  setDroppedIndexes: (db: Db, indexes: SecondaryIndex[] | null) => write(db, 'droppedIndexes', indexes),
  lastSyncAt: (db: Db) => read<string>(db, 'lastSyncAt'),
  setLastSyncAt: (db: Db, at: string) => write(db, 'lastSyncAt', at),
  lastError: (db: Db) => read<LastError>(db, 'lastError'),
  setLastError: (db: Db, error: LastError | null) => write(db, 'lastError', error),
  /** The server refused this build's versions (426); a build newer in either tries again. */
  clientTooOld: (db: Db, build: BuildVersions) => {
    // before the schema window the protocol alone was kept, as a number
    const refused = read<BuildVersions | number>(db, 'clientTooOld');
    if (refused === null) return false;
    if (typeof refused === 'number') return build.protocol <= refused;
    return build.protocol <= refused.protocol && build.schema <= refused.schema;
  },
  setClientTooOld: (db: Db, refused: BuildVersions | null) => write(db, 'clientTooOld', refused),
};
