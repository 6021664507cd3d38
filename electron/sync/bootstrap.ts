import type { SnapshotChunk } from '../../core/sync/protocol';
import { applyRemoteWrites } from '../store/apply-remote';
import { bulkLoad, dropSecondaryIndexes, foreignKeyViolations, restoreIndexes } from '../store/bulk';
import { createLogger } from '../log';
import { displacedRecorder } from './pull';
import type { SyncRun } from './run';
import { syncState, type SnapshotProgress } from './state';
import { SyncHttpError, SyncNetworkError } from './transport';

// Bootstrap of a new station from a snapshot (docs/sync-protocol.md "Bootstrap"). Each chunk
// (its checksum verified by the transport) is written straight into the replica together with
// the number of the next chunk, in one transaction: a broken connection resumes at that chunk.
// While one chunk is written the next ones are already on their way, so the server's work
// overlaps ours. Chunks are ordered by entity and id, not by dependency, so they are written
// with foreign keys off and every reference is checked once at the end. The synced tables'
// secondary indexes stay dropped until then (their definitions are kept in sync_state, so a
// bootstrap resumed after a crash still rebuilds them). Only the final transaction — indexes
// rebuilt, cursor at the snapshot's sequence — marks the replica bootstrapped; until then the
// status says it is incomplete.

const log = createLogger('sync.bootstrap');

async function startSnapshot(run: SyncRun): Promise<SnapshotProgress> {
  const manifest = await run.transport.createSnapshot();
  const progress: SnapshotProgress = { ...manifest, next: 0 };
  const { db } = run;
  db.transaction(() => {
    syncState.setSnapshot(db, progress);
    // a restarted bootstrap finds them dropped already
    if (!syncState.droppedIndexes(db)) syncState.setDroppedIndexes(db, dropSecondaryIndexes(db));
  })();
  log.info({ snapshotId: manifest.snapshotId, chunks: manifest.chunks, records: manifest.records }, 'snapshot started');
  return progress;
}

function applyChunk(run: SyncRun, progress: SnapshotProgress, chunk: SnapshotChunk): void {
  if (chunk.index !== progress.next) throw new SyncNetworkError('bad_body');
  const { db } = run;
  const at = run.now();
  const next = { ...progress, next: progress.next + 1 };
  bulkLoad(db, () =>
    db.transaction(() => {
      const onDisplaced = displacedRecorder(db, at);
      // a record's time is the server's, as a pull gives it; the download's own for an older server
      const writes = chunk.records.map((r) => ({ record: { entity: r.entity, id: r.id, fields: r.data, version: r.version, at: r.updatedAt ?? at }, op: 'insert' as const }));
      applyRemoteWrites(db, writes, onDisplaced);
      syncState.setSnapshot(db, next);
    })(),
  );
  progress.next = next.next;
}

/**
 * Chunks requested ahead of the one being written, so the server prepares the next ones while
 * this station parses and writes (one ahead left the station waiting ~5 s of a 500,000-record
 * bootstrap, two ~2.7 s, three no less). At most this many plus one chunks are in memory.
 */
const CHUNKS_AHEAD = 2;

/**
 * Records written so far, as the download's progress (a count a clerk knows, where chunks mean
 * nothing to them): every chunk but the last holds the same number, so the share of the count is
 * near enough, and exact at both ends.
 */
const recordsDone = (p: SnapshotProgress): number => (p.chunks === 0 ? 0 : Math.round((p.records * p.next) / p.chunks));

async function applyChunks(run: SyncRun, progress: SnapshotProgress): Promise<void> {
  const inFlight: Promise<SnapshotChunk>[] = [];
  let requested = progress.next;
  const requestAhead = (): void => {
    while (requested < progress.chunks && inFlight.length < CHUNKS_AHEAD) {
      const reply = run.transport.snapshotChunk(progress.snapshotId, requested++);
      // awaited below, or dropped when an earlier chunk fails: that must not count as unhandled
      reply.catch(() => undefined);
      inFlight.push(reply);
    }
  };
  requestAhead();
  for (let reply = inFlight.shift(); reply; reply = inFlight.shift()) {
    run.progress('bootstrap', recordsDone(progress), progress.records);
    const chunk = await reply;
    requestAhead();
    applyChunk(run, progress, chunk);
  }
}

/** Checks every reference, rebuilds the indexes and marks the replica bootstrapped, in one transaction. */
function finish(run: SyncRun, progress: SnapshotProgress): void {
  const { db } = run;
  const broken = foreignKeyViolations(db, 5);
  if (broken.length > 0) {
    // Record contents are read live, so a record may already point at one created after the
    // snapshot's sequence. A later snapshot holds both: the next attempt takes one (the rows
    // written so far stay and are overwritten).
    log.error({ snapshotId: progress.snapshotId, broken }, 'snapshot references records it does not hold; a new one will be taken');
    syncState.setSnapshot(db, null);
    throw new SyncNetworkError('snapshot_foreign_key');
  }
  db.transaction(() => {
    restoreIndexes(db, syncState.droppedIndexes(db) ?? []);
    syncState.setDroppedIndexes(db, null);
    syncState.setCursor(db, progress.seq);
    syncState.setSnapshot(db, null);
    syncState.setBootstrapped(db);
  })();
}

/** Brings an empty, freshly enrolled replica to the snapshot's sequence; resumes where it stopped. */
export async function bootstrap(run: SyncRun): Promise<void> {
  // the download shows as under way from the start: the server takes a large street's snapshot
  // (the key of every record, sorted) for a second or two before the first chunk can come
  run.progress('bootstrap', 0, 0);
  let progress = syncState.snapshot(run.db) ?? (await startSnapshot(run));
  try {
    await applyChunks(run, progress);
  } catch (error) {
    // the server no longer has this snapshot: take a new one (what is written stays and is overwritten)
    if (!(error instanceof SyncHttpError && error.status === 404)) throw error;
    log.warn({ snapshotId: progress.snapshotId }, 'snapshot gone, starting over');
    progress = await startSnapshot(run);
    await applyChunks(run, progress);
  }
  run.progress('bootstrap', progress.records, progress.records);
  finish(run, progress);
  log.info({ seq: progress.seq, records: progress.records }, 'bootstrap complete');
}
