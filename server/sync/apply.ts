import { commandUnits } from '../../core/sync/commands';
import type { Conflict, Mutation, PushRequest, PushResponse, Rejection as WireRejection } from '../../core/sync/protocol';
import type { Db, Queryable } from '../db/db';
import { num } from '../db/db';
import { isTransient } from '../db/errors';
import { withAppScope } from '../db/scope';
import { AuthError } from '../auth/devices';
import { checkCommandAfter, checkCommandBefore } from './commands';
import { applyOne, asRejection, currentServerRecord, printable } from './apply-one';
import { BatchStore, PlanMiss } from './batch-store';
import { planFlush, runFlush, type FlushPlan } from './batch-write';
import type { StreetScope } from './checks';
import { streetChannel } from './notify';
import { REASONS, Rejection, winnerIdOf } from './rejection';
import { resentOutcomes } from './resent';
import { dbStore, type ApplyStore } from './store';

// One push batch, exactly as docs/sync-protocol.md "Push" says: one transaction; the device row
// locked; mids at or below device.last_mid skipped; each mutation applied or permanently
// rejected as if under its own savepoint; a transient failure aborts everything (503); each
// applied mutation takes the street's next gap-free seq; last_mid set in the same transaction.
//
// Two ways to get there, with the same decisions (apply-one.ts): the batch path reads what the
// batch needs in two queries and decides every mutation in memory before the street lock, then
// under it checks that view and writes with a few multi-row statements (docs/performance.md
// "Sync": ~1,000 mutations in a handful of round trips); the serial path is a savepoint and a
// few statements per mutation. The serial path runs whenever the batch path is unsure
// (PlanMiss) or a bulk statement fails for a reason that is not transient (a unique violation
// it did not predict, a value PostgreSQL refuses): it then finds which mutation it was.

export interface PushDevice extends StreetScope {
  id: string;
}

export interface PushOptions {
  statementTimeoutMs?: number;
  schemaVersion?: number;
  /** 'serial' = one mutation at a time (tests compare both paths). */
  mode?: 'batch' | 'serial';
  /** Called when the batch path gave way to the serial one (logged by the route). */
  onFallback?: (reason: string) => void;
  /** Tests: runs after the batch was read and decided early, before the street lock is taken. */
  beforeLock?: () => Promise<void>;
}

/** The batch names a previous batch (prevMid) the device has not pushed through yet: nothing is applied. */
export class PrevBatchNotApplied extends Error {
  constructor(
    readonly prevMid: number,
    readonly lastMid: number,
  ) {
    super(`prevMid ${prevMid} is past the device's last mid ${lastMid}`);
  }
}

/** An outcomesOnly request names a mutation the device has not pushed through: there is nothing to report for it. */
export class MutationNotHandled extends Error {
  constructor(
    readonly mid: number,
    readonly lastMid: number,
  ) {
    super(`mid ${mid} is past the device's last mid ${lastMid}`);
  }
}

interface Applied {
  seq: number;
  rejected: WireRejection[];
  conflicts: Conflict[];
}

/** A push in its own transaction (tests, tools); the /v1/push route uses applyPushIn inside its request transaction. */
export function applyPush(db: Db, device: PushDevice, request: PushRequest, options: PushOptions = {}): Promise<PushResponse> {
  return withAppScope(db, { streetId: device.streetId, statementTimeoutMs: options.statementTimeoutMs }, (tx) =>
    applyPushIn(tx, device, request, options),
  );
}

/** The push, in a transaction that already runs under the device's street scope. */
export async function applyPushIn(tx: Queryable, device: PushDevice, request: PushRequest, options: PushOptions = {}): Promise<PushResponse> {
  if (request.outcomesOnly) return handledOutcomes(tx, device, request.mutations);
  // A command's checks read more of the street than the batch path's view holds (a grid's
  // children and duties), and it must be undone whole: commands are rare (a grid's move or
  // retirement), so a batch holding one goes one mutation at a time.
  const batchPath = options.mode !== 'serial' && !request.mutations.some((m) => m.command !== undefined);
  const early = batchPath ? await decideBeforeLock(tx, device, request.mutations) : null;
  await options.beforeLock?.();
  // One statement locks the device row (re-reading revoked_at under the lock: a revocation that
  // committed after authentication still wins) and the street counter, for the whole batch:
  // pushes of one street are serialised, which keeps seq gap-free and makes the uniqueness
  // re-checks (in memory, checked again under the lock, or not) race-free. Nothing locks these
  // rows in the other order.
  const locked = (
    await tx.query<{ last_mid: unknown; revoked_at: Date | null; seq: unknown }>(
      `SELECT d.last_mid, d.revoked_at, q.seq FROM device d, street_seq q
        WHERE d.id = $1 AND q.street_id = $2 FOR UPDATE OF d, q`,
      [device.id, device.streetId],
      { prepared: true },
    )
  ).rows[0];
  if (!locked) throw new Error(`device ${device.id} or the sequence row of street ${device.streetId} is missing`);
  if (locked.revoked_at) throw new AuthError(401, 'device_revoked');
  const lastMid = num(locked.last_mid);
  // Checked under the lock: a batch the station sent while the one before it was in flight
  // lands only once that one committed, so a failed batch is never skipped over for good.
  if (request.prevMid !== undefined && lastMid < request.prevMid) throw new PrevBatchNotApplied(request.prevMid, lastMid);
  const startSeq = num(locked.seq);
  const pending = request.mutations.filter((m) => m.mid > lastMid);
  const resent = await resentOutcomes(tx, device.id, request.mutations, lastMid);

  let result: Applied | null = null;
  if (pending.length > 0 && batchPath) {
    result = await tryBatch(tx, device, pending, startSeq, early, options.onFallback);
  }
  result ??= await applySerial(tx, device, pending, startSeq);

  const batchMax = request.mutations.reduce((max, m) => Math.max(max, m.mid), 0);
  const ackedThrough = Math.max(lastMid, batchMax);
  // the device's last mid, the street's seq and its notification: one round trip, still under the lock
  const moved = result.seq !== startSeq;
  await tx.query(
    `WITH d AS (UPDATE device SET last_mid = $2, last_seen_at = now(), schema_version = coalesce($3, schema_version) WHERE id = $1),
          q AS (UPDATE street_seq SET seq = $5 WHERE street_id = $4 AND $6)
     SELECT pg_notify($7, $5::text) WHERE $6`,
    [device.id, ackedThrough, options.schemaVersion ?? null, device.streetId, result.seq, moved, streetChannel(device.streetId)],
    { prepared: true },
  );
  return {
    ackedThrough,
    rejected: [...resent.rejected, ...result.rejected],
    conflicts: [...resent.conflicts, ...result.conflicts],
    seq: result.seq,
  };
}

/** The street's seq and the device's last mid, as of this statement; `share` waits for a push of the device that holds its row. */
async function seqAndLastMid(tx: Queryable, device: PushDevice, share = false): Promise<{ seq: number; lastMid: number } | null> {
  const row = (
    await tx.query<{ seq: unknown; last_mid: unknown }>(
      `SELECT q.seq, d.last_mid FROM street_seq q, device d WHERE q.street_id = $1 AND d.id = $2${share ? ' FOR SHARE OF d' : ''}`,
      [device.streetId, device.id],
      { prepared: true },
    )
  ).rows[0];
  return row ? { seq: num(row.seq), lastMid: num(row.last_mid) } : null;
}

/**
 * outcomesOnly: the rejections and conflicts of mutations the device pushed before, from the
 * server's records, as a resend would report them; nothing is applied. The device row is read
 * FOR SHARE, so a push of this device that holds its lock (an earlier send of the same mids
 * still being applied) commits first and is reported. last_mid only grows and commits with the
 * rejections it covers, so those read after it are all there.
 */
async function handledOutcomes(tx: Queryable, device: PushDevice, mutations: readonly Mutation[]): Promise<PushResponse> {
  const now = await seqAndLastMid(tx, device, true);
  if (!now) throw new Error(`device ${device.id} or the sequence row of street ${device.streetId} is missing`);
  const beyond = mutations.find((m) => m.mid > now.lastMid);
  if (beyond) throw new MutationNotHandled(beyond.mid, now.lastMid);
  const { rejected, conflicts } = await resentOutcomes(tx, device.id, mutations, now.lastMid);
  return { ackedThrough: now.lastMid, rejected, conflicts, seq: now.seq };
}

/** A batch decided against the batch path's view, ready to flush. */
interface Decided {
  store: BatchStore;
  /** Applied mutations, numbered 1, 2, … in the view's writes (runFlush adds the street's seq). */
  applied: number;
  rejected: WireRejection[];
  conflicts: Conflict[];
  plan: FlushPlan;
}

async function decide(store: BatchStore, device: PushDevice, pending: readonly Mutation[]): Promise<Decided> {
  let applied = 0;
  const rejected: WireRejection[] = [];
  const conflicts: Conflict[] = [];
  for (const m of pending) {
    const writesBefore = store.writeCount;
    try {
      const outcome = await applyOne(store, device, m, applied + 1);
      if (outcome.applied) {
        applied += 1;
        if (outcome.conflict) conflicts.push(outcome.conflict);
      }
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      // apply-one checks everything before its first write; a rejection after one would need a savepoint
      if (store.writeCount !== writesBefore) throw new PlanMiss('rejection after a write');
      const serverRecord = error.serverRecord !== undefined ? error.serverRecord : await currentServerRecord(store, m);
      rejected.push({ mid: m.mid, entity: m.entity, id: m.id, reason: error.reason, serverRecord, conflictingRecord: error.conflictingRecord ?? null });
    }
  }
  return { store, applied, rejected, conflicts, plan: planFlush(store, rejected) };
}

interface EarlyDecision {
  decided: Decided;
  /** The street's seq when the view was read. */
  seq: number;
  /** How many of the request's mutations were pending then (beyond the device's last mid). */
  pending: number;
}

/**
 * The batch path up to its writes, done BEFORE the street lock: a pipelined batch is read,
 * decided and serialised while the one ahead of it holds the lock. Under the lock the
 * decisions stand if the same mutations are pending and nothing committed in between touched
 * the view (BatchStore.stillCurrent); otherwise the batch is read and decided again there.
 * Null when there is nothing to decide or the view gave way (PlanMiss, a failed read).
 */
async function decideBeforeLock(tx: Queryable, device: PushDevice, mutations: readonly Mutation[]): Promise<EarlyDecision | null> {
  if (mutations.length === 0) return null;
  await tx.query('SAVEPOINT early');
  try {
    const now = await seqAndLastMid(tx, device);
    let early: EarlyDecision | null = null;
    if (now) {
      const pending = mutations.filter((m) => m.mid > now.lastMid);
      if (pending.length > 0) {
        const decided = await decide(await BatchStore.preload(tx, device, pending), device, pending);
        early = { decided, seq: now.seq, pending: pending.length };
      }
    }
    await tx.query('RELEASE SAVEPOINT early');
    return early;
  } catch (error) {
    if (isTransient(error)) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT early');
    return null;
  }
}

/** The batch path; null = it gave way (everything it did is rolled back) and the serial path must run. */
async function tryBatch(
  tx: Queryable,
  device: PushDevice,
  pending: readonly Mutation[],
  startSeq: number,
  early: EarlyDecision | null,
  onFallback: PushOptions['onFallback'],
): Promise<Applied | null> {
  await tx.query('SAVEPOINT batch');
  try {
    // Mids only grow within a request and last_mid only grows, so an equal count is the same mutations.
    const stands = early !== null && early.pending === pending.length && (await early.decided.store.stillCurrent(early.seq, startSeq));
    const decided = stands ? early.decided : await decide(await BatchStore.preload(tx, device, pending), device, pending);
    await runFlush(tx, device, decided.plan, startSeq);
    await tx.query('RELEASE SAVEPOINT batch');
    return { seq: startSeq + decided.applied, rejected: decided.rejected, conflicts: decided.conflicts };
  } catch (error) {
    if (isTransient(error)) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT batch');
    onFallback?.(error instanceof PlanMiss ? `plan:${error.message}` : `sql:${asRejection(error)?.reason ?? 'error'}`);
    return null;
  }
}

/**
 * One unit at a time, each under its own savepoint: the reference path and the fallback. A
 * unit is one mutation, or all of a command's (core/sync/commands.ts): a refusal of any of them,
 * or of the command's checks, rolls every one of them back and refuses them all with its reason.
 */
async function applySerial(tx: Queryable, device: PushDevice, pending: readonly Mutation[], startSeq: number): Promise<Applied> {
  const store = dbStore(tx, { streetId: device.streetId, streetCode: device.streetCode, deviceId: device.id });
  let seq = startSeq;
  const rejected: WireRejection[] = [];
  const conflicts: Conflict[] = [];
  for (const unit of commandUnits(pending, (m) => m.command?.id)) {
    const tag = unit[0]!.command;
    let unitSeq = seq;
    const unitConflicts: Conflict[] = [];
    let culprit = unit[0]!;
    await tx.query('SAVEPOINT m');
    try {
      // a command partly at or below last_mid: only a station that broke the protocol sends one
      if (tag && unit.length !== tag.size) throw new Rejection(REASONS.commandIncomplete, null);
      if (tag) await checkCommandBefore(store, tag, unit);
      for (const m of unit) {
        culprit = m;
        const outcome = await applyOne(store, device, m, unitSeq + 1);
        if (outcome.applied) {
          unitSeq += 1;
          if (outcome.conflict) unitConflicts.push(outcome.conflict);
        }
      }
      culprit = unit[0]!;
      if (tag) await checkCommandAfter(store, tag);
      await tx.query('RELEASE SAVEPOINT m');
      seq = unitSeq;
      conflicts.push(...unitConflicts);
    } catch (error) {
      if (isTransient(error)) throw error;
      const rejection = asRejection(error);
      if (!rejection) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT m');
      for (const m of unit) rejected.push(await refuse(tx, store, device, m, m === culprit ? rejection : new Rejection(rejection.reason)));
    }
  }
  return { seq, rejected, conflicts };
}

/** Records a permanent refusal of one mutation; its wire form, with the record to compare. */
async function refuse(tx: Queryable, store: ApplyStore, device: PushDevice, m: Mutation, rejection: Rejection): Promise<WireRejection> {
  const serverRecord = rejection.serverRecord !== undefined ? rejection.serverRecord : await currentServerRecord(store, m);
  const refused: WireRejection = { mid: m.mid, entity: m.entity, id: m.id, reason: rejection.reason, serverRecord, conflictingRecord: rejection.conflictingRecord ?? null };
  await tx.query(
    `INSERT INTO rejection (street_id, device_id, mid, entity, record_id, reason, winner_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [device.streetId, device.id, m.mid, m.entity, printable(m.id), rejection.reason, winnerIdOf(refused)],
  );
  return refused;
}
