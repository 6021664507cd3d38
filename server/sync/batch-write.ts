import type { Rejection as WireRejection } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { printable } from './apply-one';
import type { Doc } from './entities';
import type { ChangeEntry } from './records';
import type { BatchStore, RecordWrite } from './batch-store';
import { PlanMiss } from './batch-store';
import { winnerIdOf } from './rejection';

// Flushes a decided batch with a few multi-row statements: updated records; new records and the
// change log together; conflicts; rejections. Row-level security and every constraint still
// apply to each row; if any statement fails, the caller rolls back to its savepoint and
// applies the batch one mutation at a time instead.
//
// The rows are serialised when the batch is decided, which may be before the street lock
// (apply.ts): the decisions number the applied mutations 1, 2, … and the statements add the
// street's seq at the lock as a parameter.

// Rows travel as ONE JSON array per statement, expanded by jsonb_to_recordset: JSON.stringify is
// native and PostgreSQL parses it once, where text[] parameters cost an escaping pass per element.
const rowsOf = (rows: readonly unknown[]): string | null => (rows.length > 0 ? JSON.stringify(rows) : null);

/** A decided batch's rows, serialised (null: none of that kind). */
export interface FlushPlan {
  updates: string | null;
  updateCount: number;
  inserts: string | null;
  changes: string | null;
  conflicts: string | null;
  rejections: string | null;
}

export function planFlush(store: BatchStore, rejected: readonly WireRejection[]): FlushPlan {
  const writes = [...store.writes.values()];
  const inserts = writes.filter((w) => w.isNew);
  const updates = writes.filter((w) => !w.isNew);
  // Only what differs from the stored document travels, merged by jsonb `||` (top-level keys,
  // the right side wins: the same merge as apply-one's `{...current.data, ...fields}`). An
  // update's document is the stored one spread with patches, so an untouched key keeps the
  // very same value: a reference comparison finds the patch, and an equal value sent again
  // is harmless. Most of an update batch's bytes were the unchanged rest of each document.
  const patchOf = (w: RecordWrite): Doc => {
    const stored = w.stored ?? {};
    const patch: Doc = {};
    for (const [key, value] of Object.entries(w.data)) if (value !== stored[key]) patch[key] = value;
    return patch;
  };
  // An insert's change sets exactly the document its new record holds (apply-one hands the
  // same object to both), unless a later mutation of the batch changed that record. Such a
  // change travels without its fields (null) and takes them from the row the INSERT returns,
  // so the largest documents of a batch cross the wire and are parsed once.
  const asInserted = (c: ChangeEntry): boolean => {
    const w = c.op === 'insert' ? store.written(c.entity, c.id) : undefined;
    return w !== undefined && w.isNew && w.data === c.fields;
  };
  return {
    updates: rowsOf(updates.map((w) => ({ entity: w.entity, id: w.id, patch: patchOf(w), version: w.version, seq: w.updatedSeq }))),
    updateCount: updates.length,
    inserts: rowsOf(inserts.map((w) => ({ entity: w.entity, id: w.id, data: w.data, version: w.version, created_seq: w.createdSeq, updated_seq: w.updatedSeq }))),
    changes: rowsOf(
      store.changes.map((c) => ({
        seq: c.seq,
        entity: c.entity,
        id: c.id,
        op: c.op,
        fields: asInserted(c) ? null : c.fields,
        version: c.version,
        mid: c.mid,
        device_at: c.deviceAt,
      })),
    ),
    conflicts: rowsOf(
      store.conflicts.map((c) => ({ mid: c.mid, entity: c.entity, record_id: c.id, base_version: c.baseVersion, server_version: c.serverVersion, overwritten: c.overwritten })),
    ),
    rejections: rowsOf(rejected.map((r) => ({ mid: r.mid, entity: r.entity, record_id: printable(r.id), reason: r.reason, winner_id: winnerIdOf(r) }))),
  };
}

/** Writes a plan; `seqBase` is added to the decisions' sequence numbers (the street's seq before the batch). */
export async function runFlush(tx: Queryable, device: { id: string; streetId: string }, plan: FlushPlan, seqBase: number): Promise<void> {
  // Updates first: one that gives up a unique value must do so before a new record takes it.
  if (plan.updates) {
    // Each row is found by a primary-key probe (LATERAL … OFFSET 0) and updated by its ctid:
    // joined directly, the planner hashed the whole street against the batch (see batch-store.ts).
    const result = await tx.query(
      `UPDATE record r SET data = r.data || u.patch, version = u.version, updated_seq = $2 + u.seq, updated_at = now()
         FROM (SELECT u.patch, u.version, u.seq, k.tid
                 FROM jsonb_to_recordset($1::jsonb) AS u(entity text, id text, patch jsonb, version int, seq bigint)
                 CROSS JOIN LATERAL (SELECT x.ctid AS tid FROM record x WHERE x.entity = u.entity COLLATE "C" AND x.id = u.id COLLATE "C" OFFSET 0) k) u
        WHERE r.ctid = u.tid`,
      [plan.updates, seqBase],
    );
    if (result.rowCount !== plan.updateCount) throw new PlanMiss(`updated ${result.rowCount} of ${plan.updateCount} records`);
  }
  if (plan.changes) {
    // new records and the change log in ONE statement (see planFlush for the fields of a change)
    await tx.query(
      `WITH inserted AS (
         INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
         SELECT t.entity, t.id, $1, t.data, t.version, $5 + t.created_seq, $5 + t.updated_seq
           FROM jsonb_to_recordset($3::jsonb) AS t(entity text, id text, data jsonb, version int, created_seq bigint, updated_seq bigint)
         RETURNING entity, id, data)
       INSERT INTO change (street_id, seq, entity, id, op, fields, version, device_id, mid, device_at)
       SELECT $1, $5 + t.seq, t.entity, t.id, t.op, coalesce(t.fields, i.data), t.version, $2, t.mid, t.device_at
         FROM jsonb_to_recordset($4::jsonb) AS t(seq bigint, entity text, id text, op text, fields jsonb, version int, mid bigint, device_at text)
         LEFT JOIN inserted i ON t.fields IS NULL AND i.entity = t.entity AND i.id = t.id`,
      [device.streetId, device.id, plan.inserts ?? '[]', plan.changes, seqBase],
    );
  }
  if (plan.conflicts) {
    await tx.query(
      `INSERT INTO conflict (street_id, device_id, mid, entity, record_id, base_version, server_version, overwritten)
       SELECT $1, $2, t.mid, t.entity, t.record_id, t.base_version, t.server_version, t.overwritten
         FROM jsonb_to_recordset($3::jsonb) AS t(mid bigint, entity text, record_id text, base_version int, server_version int, overwritten jsonb)`,
      [device.streetId, device.id, plan.conflicts],
    );
  }
  if (plan.rejections) {
    // WITH ORDINALITY: rejection ids follow mid order, as the one-at-a-time path leaves them
    await tx.query(
      `INSERT INTO rejection (street_id, device_id, mid, entity, record_id, reason, winner_id)
       SELECT $1, $2, t.mid, t.entity, t.record_id, t.reason, t.winner_id
         FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(r, n),
              jsonb_to_record(e.r) AS t(mid bigint, entity text, record_id text, reason text, winner_id text)
        ORDER BY e.n`,
      [device.streetId, device.id, plan.rejections],
    );
  }
}
