import { createHash } from 'node:crypto';
import type { SnapshotRecord } from '../../core/sync/protocol';
import { applyRemoteRecord } from '../store/apply-remote';
import { withoutSecondaryIndexes } from '../store/bulk';
import { cachedStatement } from '../store/statements';
import { createLogger } from '../log';
import { displacedRecorder } from './pull';
import type { SyncRun } from './run';
import { syncState, type SnapshotProgress } from './state';
import { SyncHttpError, SyncNetworkError } from './transport';

// Bootstrap of a new station from a snapshot (docs/sync-protocol.md "Bootstrap"). Each chunk
// is checksummed, then staged in sync_snapshot_record together with the number of the next
// chunk, in one transaction: a broken connection resumes at that chunk. Once every chunk is
// in, the staged records go into the replica in ONE transaction with deferred foreign keys
// (chunks are ordered by entity and id, so an assignment comes before its person, and a
// reference may sit in a later chunk), and the cursor starts at the snapshot's sequence.

const log = createLogger('sync.bootstrap');

export function chunkChecksum(records: readonly SnapshotRecord[]): string {
  return createHash('sha256').update(JSON.stringify(records), 'utf8').digest('hex');
}

async function startSnapshot(run: SyncRun): Promise<SnapshotProgress> {
  const manifest = await run.transport.createSnapshot();
  const progress: SnapshotProgress = { ...manifest, next: 0 };
  run.db.transaction(() => {
    run.db.exec('DELETE FROM sync_snapshot_record');
    syncState.setSnapshot(run.db, progress);
  })();
  log.info({ snapshotId: manifest.snapshotId, chunks: manifest.chunks, records: manifest.records }, 'snapshot started');
  return progress;
}

async function fetchChunks(run: SyncRun, progress: SnapshotProgress): Promise<void> {
  const stage = cachedStatement(run.db, 'INSERT OR REPLACE INTO sync_snapshot_record (entity, id, version, data) VALUES (?, ?, ?, ?)');
  while (progress.next < progress.chunks) {
    run.progress('bootstrap', progress.next, progress.chunks);
    const chunk = await run.transport.snapshotChunk(progress.snapshotId, progress.next);
    if (chunk.index !== progress.next || chunkChecksum(chunk.records) !== chunk.checksum) {
      throw new SyncNetworkError('snapshot_checksum');
    }
    const next = { ...progress, next: progress.next + 1 };
    run.db.transaction(() => {
      for (const r of chunk.records) stage.run(r.entity, r.id, r.version, JSON.stringify(r.data));
      syncState.setSnapshot(run.db, next);
    })();
    progress.next = next.next;
  }
}

function applyStaged(run: SyncRun, progress: SnapshotProgress): void {
  const { db } = run;
  const at = run.now();
  const page = cachedStatement(db, 'SELECT rowid, entity, id, version, data FROM sync_snapshot_record WHERE rowid > ? ORDER BY rowid LIMIT 2000');
  db.transaction(() => {
    db.pragma('defer_foreign_keys = ON');
    const onDisplaced = displacedRecorder(db, at);
    withoutSecondaryIndexes(db, () => {
      let after = 0;
      for (;;) {
        const rows = page.all(after) as { rowid: number; entity: SnapshotRecord['entity']; id: string; version: number; data: string }[];
        if (rows.length === 0) break;
        for (const r of rows) {
          const record = { entity: r.entity, id: r.id, fields: JSON.parse(r.data) as Record<string, unknown>, version: r.version, at };
          applyRemoteRecord(db, record, 'insert', onDisplaced);
        }
        after = rows[rows.length - 1]!.rowid;
      }
    });
    db.exec('DELETE FROM sync_snapshot_record');
    syncState.setCursor(db, progress.seq);
    syncState.setSnapshot(db, null);
    syncState.setBootstrapped(db);
  })();
}

/** Brings an empty, freshly enrolled replica to the snapshot's sequence; resumes where it stopped. */
export async function bootstrap(run: SyncRun): Promise<void> {
  let progress = syncState.snapshot(run.db) ?? (await startSnapshot(run));
  try {
    await fetchChunks(run, progress);
  } catch (error) {
    // the server no longer has this snapshot: take a new one (the staged rows are discarded)
    if (!(error instanceof SyncHttpError && error.status === 404)) throw error;
    log.warn({ snapshotId: progress.snapshotId }, 'snapshot gone, starting over');
    progress = await startSnapshot(run);
    await fetchChunks(run, progress);
  }
  run.progress('bootstrap', progress.chunks, progress.chunks);
  applyStaged(run, progress);
  log.info({ seq: progress.seq, records: progress.records }, 'bootstrap complete');
}
