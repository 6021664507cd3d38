import { commandUnits } from '../../core/sync/commands';
import type { PushResponse } from '../../core/sync/protocol';
import { createLogger } from '../log';
import type { Batcher } from './batcher';
import { conflictIssue, recordIssue, refusedWithItsInsert, rejectionIssue } from './issues';
import { baseFieldsOf, countAttempt, markAcked, outboxCounts, pendingEntries, setState, type OutboxEntry } from './outbox';
import type { SyncRun } from './run';
import { SyncHttpError, SyncNetworkError } from './transport';

// Push: pending change_log rows in mid order, in batches. A failure that may be the batch's own
// doing halves it: a 413, an unexpected server failure (500), or a 400 that names a mutation
// (a mutation this server cannot read). A mutation that still fails alone (too large,
// unreadable, or failing `quarantineAfter` times) is quarantined and shown, and the queue
// moves on without it, unless the server turns out to have handled it already (a lost reply):
// then what the server says became of it is recorded instead. The server must answer that
// question (outcomesOnly) for the quarantine to happen: one that fails even a question is
// down, not poisoned. Overload and outages (502/503/504, 429, network) end the cycle instead:
// the engine backs off, and no healthy mutation is ever quarantined because the server was
// down; the next cycle starts at half the batch all the same (but after a 429), in case it
// was too large to get through in time.
//
// Two batches are in flight at once, so building one, the server applying the one before and
// PostgreSQL committing overlap. The second names the last mid of the first (prevMid) and the
// server refuses it (409 out_of_order) unless the first was applied, so a failed batch is never
// skipped. Replies are handled in send order; on any failure the rest settle, whatever
// succeeded is recorded, and the next attempt is a single batch with the recovery above.

const log = createLogger('sync.push');

export interface PushOptions {
  batcher: Batcher;
  quarantineAfter: number;
}

/** Batches in flight at once while pushes succeed; one after a failure. */
const PIPELINE_DEPTH = 2;

/** Between the two batches of a pipeline that starts empty: enough for the first to get ahead. */
const PAIR_STAGGER_MS = 10;

type Outcome = { ok: true; reply: PushResponse } | { ok: false; error: unknown };

interface InFlight {
  batch: OutboxEntry[];
  prevMid: number | undefined;
  /** Never rejects: a failure waits here until its turn, without an unhandled rejection. */
  outcome: Promise<Outcome>;
}

function send(run: SyncRun, batch: OutboxEntry[], prevMid: number | undefined): InFlight {
  const mutations = batch.map((e) => e.mutation);
  const outcome = run.transport.push(prevMid === undefined ? { mutations } : { mutations, prevMid }).then(
    (reply): Outcome => ({ ok: true, reply }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
  return { batch, prevMid, outcome };
}

const lastMidOf = (batch: readonly OutboxEntry[]): number => batch[batch.length - 1]!.mutation.mid;

function record(run: SyncRun, batch: readonly OutboxEntry[], reply: PushResponse): void {
  const sent = new Map(batch.map((e) => [e.mutation.mid, e.mutation]));
  const at = run.now();
  run.db.transaction(() => {
    for (const r of reply.rejected) {
      const mutation = sent.get(r.mid) ?? null;
      if (!refusedWithItsInsert(run.db, r, mutation)) recordIssue(run.db, rejectionIssue(r, mutation), at);
    }
    for (const c of reply.conflicts) {
      const issue = conflictIssue(c, sent.get(c.mid) ?? null, baseFieldsOf(run.db, c.mid));
      if (issue) recordIssue(run.db, issue, at);
    }
    markAcked(
      run.db,
      batch[0]!.mutation.mid,
      Math.min(reply.ackedThrough, lastMidOf(batch)),
      reply.rejected.map((r) => r.mid),
    );
  })();
  if (reply.rejected.length > 0 || reply.conflicts.length > 0) {
    log.info({ rejected: reply.rejected.length, conflicts: reply.conflicts.length }, 'push answered with issues');
  }
}

/** A unit that still fails alone: one mutation, or every mutation of one command. */
function quarantine(run: SyncRun, unit: readonly OutboxEntry[], reason: string): void {
  run.db.transaction(() => {
    for (const { mutation: m } of unit) {
      setState(run.db, m.mid, 'quarantined');
      recordIssue(run.db, { kind: 'quarantine', mid: m.mid, entity: m.entity, entityId: m.id, reason, localFields: m.fields, command: m.command }, run.now());
    }
  })();
  const m = unit[0]!.mutation;
  log.warn({ mid: m.mid, entity: m.entity, mutations: unit.length, reason }, 'mutation quarantined');
}

/**
 * Asked before a lone unit is quarantined. When an earlier push of it reached the server
 * and only the reply was lost, its failure now was not about it (the server took it once, at
 * this size), and the server still knows what became of it: asked with the envelope alone,
 * the question cannot draw the same 413. Null when the server never handled it or cannot say.
 */
async function handledOutcome(run: SyncRun, unit: readonly OutboxEntry[]): Promise<PushResponse | null> {
  try {
    const reply = await run.transport.push({ mutations: unit.map((e) => ({ ...e.mutation, fields: {} })), outcomesOnly: true });
    record(run, unit, reply);
    return reply;
  } catch (error) {
    // not handled (409), or unreadable to this server even as a question: quarantined, as without asking
    if (error instanceof SyncHttpError && (error.status === 409 || namesAMutation(error))) return null;
    // Anything else ends the cycle and the mutation stays pending. A 500 to a question that
    // applies nothing says the server is failing, not this mutation: quarantining on it would
    // quarantine the whole outbox, one mutation after another, while the server is broken. So
    // does a 413: the envelope alone is a few hundred bytes (ids and times are capped), so it
    // came from something on the way, and the server may well hold a rejection of this
    // mutation that a quarantine would hide (test/faults seed 37790033).
    throw error;
  }
}

/** A 400 about a mutation of the batch (its path in the request), not about the request as a whole. */
const namesAMutation = (error: SyncHttpError): boolean => error.status === 400 && error.reason.startsWith('invalid_push:mutations');

/** The failures the batch itself may cause, which halving it isolates. */
const isolatable = (error: unknown): error is SyncHttpError =>
  error instanceof SyncHttpError && (error.status === 413 || error.status === 500 || namesAMutation(error));

/** The failures that end the cycle, where a smaller batch may get through in time. */
const mayBeTooSlow = (error: unknown): boolean =>
  error instanceof SyncNetworkError || (error instanceof SyncHttpError && error.status >= 502 && error.status <= 504);

const quarantineReason = (error: SyncHttpError): string =>
  error.status === 413 ? 'sync.too_large' : error.status === 500 ? `sync.server_failed:${error.reason}` : `sync.unreadable:${error.reason}`;

/** Pushes until the outbox is empty; returns the street's sequence from the last reply (or -1). */
export async function pushAll(run: SyncRun, options: PushOptions): Promise<number> {
  const { batcher } = options;
  const total = outboxCounts(run.db).pending;
  let done = 0;
  let seq = -1;
  let failures = 0;
  let depth = PIPELINE_DEPTH;
  const inFlight: InFlight[] = [];
  /** Sends batches until `depth` are in flight, each after the one ahead of it. */
  const fill = async (): Promise<void> => {
    const starting = inFlight.length === 0;
    while (inFlight.length < depth) {
      const ahead = inFlight.at(-1);
      const prevMid = ahead ? lastMidOf(ahead.batch) : undefined;
      const batch = batcher.take(pendingEntries(run.db, batcher.size, prevMid));
      if (batch.length === 0) break;
      // Sent together, the second batch often reached the device lock first (the server takes
      // bodies in whatever order they finish decompressing) and drew a 409; sent behind a batch
      // already in flight it does not.
      if (starting && ahead) await run.sleep(PAIR_STAGGER_MS);
      const queued = inFlight.reduce((n, f) => n + f.batch.length, batch.length);
      run.progress('push', done, Math.max(total, done + queued));
      inFlight.push(send(run, batch, prevMid));
    }
  };
  for (;;) {
    await fill();
    const head = inFlight.shift();
    if (!head) return seq;
    const outcome = await head.outcome;
    if (outcome.ok) {
      failures = 0;
      depth = PIPELINE_DEPTH;
      batcher.grow();
      // The next batch goes out before this reply is written down (a transaction and an fsync):
      // it follows the batch still in flight, whose rows lie past this one's, so the server is
      // not kept waiting for the bookkeeping. With none in flight it waits: this batch's rows
      // are still pending and would be read again.
      if (inFlight.length > 0) await fill();
      record(run, head.batch, outcome.reply);
      seq = outcome.reply.seq;
      done += head.batch.length;
      continue;
    }
    // Acks are monotonic, so a batch that succeeded behind the failed one is recorded (its own
    // mids). It did succeed only if the server had the failed one after all (a lost reply),
    // whose mids stay pending and are resent for their rejections: no need to treat the failure.
    let later = false;
    for (const next of inFlight.splice(0)) {
      const o = await next.outcome;
      if (!o.ok) continue;
      record(run, next.batch, o.reply);
      seq = o.reply.seq;
      done += next.batch.length;
      later = true;
    }
    depth = 1;
    const { error } = outcome;
    // the batch ahead of this one was not applied when it reached the server: resend from the first unacked mid
    const outOfOrder = error instanceof SyncHttpError && error.status === 409 && error.code === 'out_of_order' && head.prevMid !== undefined;
    if (later || outOfOrder) continue;
    const batch = head.batch;
    // the smallest batch: one mutation, or one command whole
    const lone = commandUnits(batch, (e) => e.mutation.command?.id).length === 1;
    if (!isolatable(error)) {
      if (mayBeTooSlow(error) && !lone) batcher.shrink(batch.length);
      throw error;
    }
    // a 500 may be a passing failure: only a lone mutation failing it again and again is poisoned
    if (lone && (error.status !== 500 || countAttempt(run.db, batch[0]!.mutation.mid) >= options.quarantineAfter)) {
      const handled = await handledOutcome(run, batch);
      if (handled) {
        seq = handled.seq;
        done += batch.length;
      } else {
        quarantine(run, batch, quarantineReason(error));
      }
      continue;
    }
    if (!lone) batcher.shrink(batch.length);
    log.warn({ status: error.status, size: batch.length, next: batcher.size }, 'push failed, batch shrinks');
    // a 413 or a 400 is about content, not load: retry at once; a 500 gets a short breath
    if (error.status === 500) await run.sleep(run.backoffMs(failures++));
  }
}
