import type { Change, PullResponse } from '../../core/sync/protocol';
import {
  applyRemoteWrites,
  coalesceChanges,
  hasPendingMutations,
  reapplyPending,
  type DisplacedHandler,
  type RecordWrite,
  type RemoteRecord,
} from '../store/apply-remote';
import type { Db } from '../store/db';
import { createLogger } from '../log';
import { followServer, hasOpenIssue, recordIssue } from './issues';
import { markSent } from './outbox';
import type { SyncRun } from './run';
import { syncState } from './state';

// Pull: pages of the street's change log after our cursor. The changes and the new cursor are
// written in ONE transaction, then this station's still-pending edits go back on top.

const log = createLogger('sync.pull');
export const PULL_PAGE = 1000;
/**
 * At most this many changes per apply transaction. A catch-up then commits (an fsync) once per
 * batch instead of once per page, and a record created and then edited within the batch is
 * written once. Bounded because the pages wait in memory (~1 kB per parsed change) and the
 * transaction holds the main process (~0.1–0.2 s for 20,000 changes).
 */
export const PULL_BATCH = 20_000;

export function displacedRecorder(db: Db, at: string): DisplacedHandler {
  return (entity, displaced, field, original, winner) => {
    log.warn({ entity, displacedId: displaced.id, winnerId: winner.id, field }, 'a local-only record gave way to a server value');
    if (hasOpenIssue(db, entity, displaced.id)) return;
    recordIssue(
      db,
      {
        kind: 'conflict',
        mid: null,
        entity,
        entityId: displaced.id,
        reason: 'sync.unique_displaced',
        // its name beside the value it gave up: the server side is the record that took it
        localFields: { name: displaced.name, [field]: original },
        serverRecord: { ...winner.fields, id: winner.id, version: winner.version },
      },
      at,
    );
  };
}

/** Once per record: a record can have several writes, and each re-application bumps its version. */
function reapplyPendingOnce(db: Db, writes: readonly RecordWrite[]): void {
  const touched = new Map<string, RemoteRecord>();
  for (const { record } of writes) touched.set(`${record.entity}\u0000${record.id}`, record);
  for (const record of touched.values()) reapplyPending(db, record.entity, record.id);
}

/**
 * Applies pulled changes (one page, or several fetched back to back) and stores the cursor
 * after them, in ONE transaction.
 */
export function applyPulled(db: Db, changes: readonly Change[], cursor: number, ownDeviceId: string, at: string): void {
  db.transaction(() => {
    // within a batch, order follows the server's sequence; deferring keeps reference rows that
    // arrive out of dependency order (reference data, merged inserts) from failing mid-batch
    db.pragma('defer_foreign_keys = ON');
    const onDisplaced = displacedRecorder(db, at);
    const writes = coalesceChanges(changes);
    for (const record of applyRemoteWrites(db, writes, onDisplaced)) {
      log.warn({ entity: record.entity, id: record.id, version: record.version }, 'update of a record this replica does not have');
    }
    // Applying writes no outbox rows, so with none pending there is nothing to mark sent or
    // re-apply: the usual case, and the per-change bookkeeping is skipped.
    if (hasPendingMutations(db)) {
      // our own change came back: the server has it even if its push reply was lost
      for (const change of changes) if (change.deviceId === ownDeviceId && change.mid !== null) markSent(db, change.mid);
      if (hasPendingMutations(db)) reapplyPendingOnce(db, writes);
    }
    followServer(db, changes);
    syncState.setCursor(db, cursor);
  })();
}

/**
 * Pulls until the server says there is no more; `knownSeq` (from SSE or a push reply) sizes
 * the progress bar. Pages that arrive back to back (a catch-up) are applied together, up to
 * PULL_BATCH changes per transaction.
 */
export async function pullAll(run: SyncRun, knownSeq: number): Promise<number> {
  const start = syncState.cursor(run.db);
  let cursor = start;
  let batch: Change[] = [];
  const apply = (): void => {
    applyPulled(run.db, batch, cursor, run.enrollment.deviceId, run.now());
    batch = [];
  };
  for (;;) {
    run.progress('pull', cursor - start, Math.max(knownSeq - start, cursor - start));
    let page: PullResponse;
    try {
      page = await run.transport.pull(cursor, PULL_PAGE);
    } catch (error) {
      // keep what already arrived: the next attempt resumes after it
      if (batch.length > 0) apply();
      throw error;
    }
    for (const change of page.changes) batch.push(change);
    cursor = page.cursor;
    if (!page.hasMore || batch.length + PULL_PAGE > PULL_BATCH) apply();
    if (!page.hasMore) return cursor;
  }
}
