import type { CommandTag } from '../../core/sync/commands';
import type { Mutation } from '../../core/sync/protocol';
import type { Db } from '../store/db';
import { ENTITIES } from '../store/entities';
import { cachedStatement } from '../store/statements';

// change_log IS the outbox: its seq is the mutation id. Rows move pending -> sent (acked),
// or pending -> rejected / quarantined (kept, flagged, shown as an issue). Nothing is deleted.

export type OutboxState = 'pending' | 'sent' | 'rejected' | 'quarantined';

interface Row {
  seq: number;
  entity: Mutation['entity'];
  entity_id: string;
  op: Mutation['op'];
  fields: string;
  base_version: number | null;
  at: string;
  attempts: number;
  command: string | null;
}

const COLUMNS = 'seq, entity, entity_id, op, fields, base_version, at, attempts, command';

export interface OutboxEntry {
  mutation: Mutation;
  /** Bytes of the mutation's JSON, for the batch byte cap. */
  bytes: number;
  attempts: number;
}

/**
 * `{"mid":…,"entity":"…","id":"…","op":"…","fields":…,"baseVersion":…,"at":"…"}` without
 * stringifying it again: the stored fields are already JSON (written by JSON.stringify, so the
 * wire form is the same text) and the other values are short. Exact unless an id or a time
 * needs JSON escapes; the server's 64 KiB of slack over the batch cap and the halving on 413
 * absorb that.
 */
const ENVELOPE_BYTES = '{"mid":,"entity":"","id":"","op":"","fields":,"baseVersion":,"at":""}'.length;
const COMMAND_KEY_BYTES = ',"command":'.length;

/** `commandSize`: how many of its command's rows go with it (all of them still pending). */
function entry(row: Row, commandSize?: number): OutboxEntry {
  const mutation: Mutation = {
    mid: row.seq,
    entity: row.entity,
    id: row.entity_id,
    op: row.op,
    fields: JSON.parse(row.fields) as Record<string, unknown>,
    baseVersion: row.base_version,
    at: row.at,
  };
  let command = row.command;
  if (command !== null) {
    const tag = JSON.parse(command) as CommandTag;
    mutation.command = commandSize === undefined || commandSize === tag.size ? tag : { ...tag, size: commandSize };
    command = JSON.stringify(mutation.command);
  }
  const bytes =
    ENVELOPE_BYTES +
    String(row.seq).length +
    row.entity.length +
    Buffer.byteLength(row.entity_id, 'utf8') +
    row.op.length +
    Buffer.byteLength(row.fields, 'utf8') +
    String(row.base_version).length +
    Buffer.byteLength(row.at, 'utf8') +
    (command === null ? 0 : COMMAND_KEY_BYTES + Buffer.byteLength(command, 'utf8'));
  return { mutation, bytes, attempts: row.attempts };
}

/**
 * The oldest pending mutations after mid `after`, at most `limit`, in mid order. A pipelined
 * batch starts after the one still in flight, whose rows stay pending until it is acked.
 *
 * A page never ends inside a command: the batcher must see all of it to keep it whole. Its rows
 * were written in one transaction, so they are the next ones, within `size` of the last one read.
 * A command goes as the rows of it still pending: they are settled together, but a person who
 * gives up one record (drops a refused new duty) also takes that record's change out of a command
 * still waiting to go (electron/sync/resolve.ts), and the rest of the action still stands.
 */
export function pendingEntries(db: Db, limit: number, after = 0): OutboxEntry[] {
  const rows = cachedStatement(db, `SELECT ${COLUMNS} FROM change_log WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT ?`).all(after, limit) as Row[];
  const last = rows.at(-1);
  if (last?.command) {
    const { size } = JSON.parse(last.command) as CommandTag;
    const rest = cachedStatement(db, `SELECT ${COLUMNS} FROM change_log WHERE state = 'pending' AND seq > ? AND seq <= ? AND command = ? ORDER BY seq`);
    rows.push(...(rest.all(last.seq, last.seq + size, last.command) as Row[]));
  }
  const pendingOf = new Map<string, number>();
  for (const r of rows) if (r.command) pendingOf.set(r.command, (pendingOf.get(r.command) ?? 0) + 1);
  return rows.map((r) => entry(r, r.command ? pendingOf.get(r.command) : undefined));
}

export function outboxEntry(db: Db, mid: number): OutboxEntry | null {
  const row = cachedStatement(db, `SELECT ${COLUMNS} FROM change_log WHERE seq = ?`).get(mid) as
    | Row
    | undefined;
  return row ? entry(row) : null;
}

/**
 * Every still-pending mid from `from` through `through` was applied or rejected by the server:
 * one batch's mids, those its reply acknowledged. A reply acknowledges more (ackedThrough) when
 * the server already had the batches around it, but the rejections of those come only in their
 * own replies: their mids stay pending until then, or are resent, which reports them again.
 */
/** The values an update's fields held before it (null: an insert, or an edit older than client migration 0007). */
export function baseFieldsOf(db: Db, mid: number): Record<string, unknown> | null {
  const row = cachedStatement(db, 'SELECT base_fields FROM change_log WHERE seq = ?').get(mid) as { base_fields: string | null } | undefined;
  return row?.base_fields ? (JSON.parse(row.base_fields) as Record<string, unknown>) : null;
}

export function markAcked(db: Db, from: number, through: number, rejectedMids: readonly number[]): void {
  for (const mid of rejectedMids) markRefused(db, mid, 'pending');
  cachedStatement(db, "UPDATE change_log SET state = 'sent' WHERE state = 'pending' AND seq >= ? AND seq <= ?").run(from, through);
}

/**
 * A waiting mutation the server will never apply (rejected, or given up by a person) becomes
 * 'rejected'. A replica row's version is the last server version it pulled plus one per
 * update still waiting (reapplyPending), so a refused update takes its one back: the version
 * then tells which server version the row holds, which accepting the server's values relies on.
 * (A quarantined update a person gives up may in fact have been applied, its reply lost: the
 * row is then one version behind until the next pull brings that change back, as it must,
 * since it lies after the cursor.)
 */
export function markRefused(db: Db, mid: number, from: 'pending' | 'quarantined'): void {
  const row = cachedStatement(db, "UPDATE change_log SET state = 'rejected' WHERE seq = ? AND state = ? RETURNING entity, entity_id, op").get(mid, from) as
    | { entity: Mutation['entity']; entity_id: string; op: Mutation['op'] }
    | undefined;
  if (row?.op !== 'update') return;
  cachedStatement(db, `UPDATE ${ENTITIES[row.entity].table} SET version = version - 1 WHERE id = ? AND version > 1`).run(row.entity_id);
}

/** Updates of one record still waiting for the server (counted in its local version). */
export function waitingUpdates(db: Db, entity: Mutation['entity'], id: string): number {
  const row = cachedStatement(
    db,
    "SELECT count(*) AS n FROM change_log WHERE entity = ? AND entity_id = ? AND op = 'update' AND state IN ('pending', 'quarantined')",
  ).get(entity, id) as { n: number };
  return row.n;
}

export function markSent(db: Db, mid: number): void {
  cachedStatement(db, "UPDATE change_log SET state = 'sent' WHERE seq = ? AND state = 'pending'").run(mid);
  // A quarantined mutation can be in the server's log too: its first push was applied but the
  // reply was lost, and the retry drew a 413 / 500 alone (test/faults seed 159). The server has
  // it, so it is sent, and its quarantine issue has nothing left for a person to decide.
  const quarantined = cachedStatement(db, "UPDATE change_log SET state = 'sent' WHERE seq = ? AND state = 'quarantined'").run(mid);
  if (quarantined.changes > 0) {
    cachedStatement(
      db,
      "UPDATE sync_issue SET resolved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), resolution = 'dismiss' WHERE kind = 'quarantine' AND mid = ? AND resolved_at IS NULL",
    ).run(mid);
  }
}

export function countAttempt(db: Db, mid: number): number {
  cachedStatement(db, 'UPDATE change_log SET attempts = attempts + 1 WHERE seq = ?').run(mid);
  return (cachedStatement(db, 'SELECT attempts FROM change_log WHERE seq = ?').get(mid) as { attempts: number }).attempts;
}

export function setState(db: Db, mid: number, state: OutboxState): void {
  cachedStatement(db, 'UPDATE change_log SET state = ? WHERE seq = ?').run(state, mid);
}

export function outboxCounts(db: Db): Record<OutboxState, number> {
  const rows = cachedStatement(db, 'SELECT state, count(*) AS n FROM change_log GROUP BY state').all() as { state: OutboxState; n: number }[];
  const counts: Record<OutboxState, number> = { pending: 0, sent: 0, rejected: 0, quarantined: 0 };
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}
