import type { Change } from '../../core/sync/protocol';
import { applyRemoteRecord, changeAsRecord, hasPendingMutations, reapplyPending, type DisplacedHandler } from '../store/apply-remote';
import type { Db } from '../store/db';
import { createLogger } from '../log';
import { hasOpenIssue, recordIssue } from './issues';
import { markSent } from './outbox';
import type { SyncRun } from './run';
import { syncState } from './state';

// Pull: pages of the street's change log after our cursor. Each page and the new cursor are
// written in ONE transaction, then this station's still-pending edits go back on top.

const log = createLogger('sync.pull');
export const PULL_PAGE = 1000;

export function displacedRecorder(db: Db, at: string): DisplacedHandler {
  return (entity, displacedId, field, original, winner) => {
    log.warn({ entity, displacedId, winnerId: winner.id, field }, 'a local-only record gave way to a server value');
    if (hasOpenIssue(db, entity, displacedId)) return;
    recordIssue(
      db,
      {
        kind: 'conflict',
        mid: null,
        entity,
        entityId: displacedId,
        reason: 'sync.unique_displaced',
        localFields: { [field]: original },
        serverRecord: { ...winner.fields, id: winner.id, version: winner.version },
      },
      at,
    );
  };
}

export function applyPullPage(db: Db, changes: readonly Change[], cursor: number, ownDeviceId: string, at: string): void {
  db.transaction(() => {
    // within a page, order follows the server's sequence; deferring keeps reference rows that
    // arrive out of dependency order (reference data, merged inserts) from failing mid-page
    db.pragma('defer_foreign_keys = ON');
    // Applying writes no outbox rows, so with none pending now there is nothing to mark sent
    // or re-apply for this whole page: the usual case, and the per-change bookkeeping is skipped.
    const pending = hasPendingMutations(db);
    const touched = new Map<string, Change>();
    const onDisplaced = displacedRecorder(db, at);
    for (const change of changes) {
      const applied = applyRemoteRecord(db, changeAsRecord(change), change.op, onDisplaced);
      if (!applied) log.warn({ entity: change.entity, id: change.id, seq: change.seq }, 'update of a record this replica does not have');
      if (!pending) continue;
      // our own change came back: the server has it even if its push reply was lost
      if (change.deviceId === ownDeviceId && change.mid !== null) markSent(db, change.mid);
      touched.set(`${change.entity}\u0000${change.id}`, change);
    }
    if (pending && hasPendingMutations(db)) for (const change of touched.values()) reapplyPending(db, change.entity, change.id);
    syncState.setCursor(db, cursor);
  })();
}

/** Pulls until the server says there is no more; `knownSeq` (from SSE or a push reply) sizes the progress bar. */
export async function pullAll(run: SyncRun, knownSeq: number): Promise<number> {
  const start = syncState.cursor(run.db);
  let cursor = start;
  for (;;) {
    run.progress('pull', cursor - start, Math.max(knownSeq - start, cursor - start));
    const page = await run.transport.pull(cursor, PULL_PAGE);
    applyPullPage(run.db, page.changes, page.cursor, run.enrollment.deviceId, run.now());
    cursor = page.cursor;
    if (!page.hasMore) return cursor;
  }
}
