import type { PushResponse } from '../../core/sync/protocol';
import { createLogger } from '../log';
import type { Batcher } from './batcher';
import { conflictIssue, recordIssue, rejectionIssue } from './issues';
import { countAttempt, markAcked, outboxCounts, pendingEntries, setState, type OutboxEntry } from './outbox';
import type { SyncRun } from './run';
import { SyncHttpError } from './transport';

// Push: pending change_log rows in mid order, in batches. A 413 or an unexpected server
// failure (500) halves the batch; a mutation that still fails alone — too large, or failing
// `quarantineAfter` times — is quarantined and shown, and the queue moves on without it.
// Overload and outages (502/503/504, 429, network) end the cycle instead: the engine backs
// off, and no healthy mutation is ever quarantined because the server was down.

const log = createLogger('sync.push');

export interface PushOptions {
  batcher: Batcher;
  quarantineAfter: number;
}

function record(run: SyncRun, batch: readonly OutboxEntry[], reply: PushResponse): void {
  const fieldsOf = new Map(batch.map((e) => [e.mutation.mid, e.mutation.fields]));
  const at = run.now();
  run.db.transaction(() => {
    for (const r of reply.rejected) recordIssue(run.db, rejectionIssue(r, fieldsOf.get(r.mid) ?? null), at);
    for (const c of reply.conflicts) recordIssue(run.db, conflictIssue(c, fieldsOf.get(c.mid) ?? null), at);
    markAcked(
      run.db,
      reply.ackedThrough,
      reply.rejected.map((r) => r.mid),
    );
  })();
  if (reply.rejected.length > 0 || reply.conflicts.length > 0) {
    log.info({ rejected: reply.rejected.length, conflicts: reply.conflicts.length }, 'push answered with issues');
  }
}

function quarantine(run: SyncRun, entry: OutboxEntry, reason: string): void {
  const m = entry.mutation;
  run.db.transaction(() => {
    setState(run.db, m.mid, 'quarantined');
    recordIssue(run.db, { kind: 'quarantine', mid: m.mid, entity: m.entity, entityId: m.id, reason, localFields: m.fields }, run.now());
  })();
  log.warn({ mid: m.mid, entity: m.entity, reason }, 'mutation quarantined');
}

/** Pushes until the outbox is empty; returns the street's sequence from the last reply (or -1). */
export async function pushAll(run: SyncRun, options: PushOptions): Promise<number> {
  const { batcher } = options;
  const total = outboxCounts(run.db).pending;
  let done = 0;
  let seq = -1;
  let failures = 0;
  for (;;) {
    const batch = batcher.take(pendingEntries(run.db, batcher.size));
    if (batch.length === 0) return seq;
    run.progress('push', done, Math.max(total, done + batch.length));
    try {
      const reply = await run.transport.push({ mutations: batch.map((e) => e.mutation) });
      record(run, batch, reply);
      seq = reply.seq;
      done += batch.length;
      failures = 0;
      batcher.grow();
    } catch (error) {
      if (!(error instanceof SyncHttpError) || !(error.status === 413 || error.status === 500)) throw error;
      const lone = batch.length === 1 ? batch[0] : undefined;
      if (lone && error.status === 413) {
        quarantine(run, lone, 'sync.too_large');
        continue;
      }
      if (lone) {
        if (countAttempt(run.db, lone.mutation.mid) >= options.quarantineAfter) {
          quarantine(run, lone, `sync.server_failed:${error.reason}`);
          continue;
        }
      } else {
        batcher.shrink(batch.length);
      }
      log.warn({ status: error.status, size: batch.length, next: batcher.size }, 'push failed, batch shrinks');
      // a 413 is about size, not load: retry at once; a 500 gets a short breath
      if (error.status === 500) await run.sleep(run.backoffMs(failures++));
    }
  }
}
