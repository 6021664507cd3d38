import type { RecordRef, SnapshotRecord, SyncedEntity } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { num } from '../db/db';
import type { Doc } from './entities';

// The record store and the street change log. Callers are inside a scoped transaction.

export interface StoredRecord {
  streetId: string | null;
  data: Doc;
  version: number;
}

export async function loadRecord(tx: Queryable, entity: SyncedEntity, id: string): Promise<StoredRecord | null> {
  const rows = await tx.query<{ street_id: string | null; data: Doc; version: unknown }>(
    'SELECT street_id, data, version FROM record WHERE entity = $1 AND id = $2',
    [entity, id],
    { prepared: true },
  );
  const row = rows.rows[0];
  return row ? { streetId: row.street_id, data: row.data, version: num(row.version) } : null;
}

export async function loadInStreet(tx: Queryable, entity: SyncedEntity, id: string, streetId: string): Promise<Doc | null> {
  const rows = await tx.query<{ data: Doc }>('SELECT data FROM record WHERE entity = $1 AND id = $2 AND street_id = $3', [entity, id, streetId], {
    prepared: true,
  });
  return rows.rows[0]?.data ?? null;
}

/** Another record of the street with the same business-unique value (UNIQUE_FIELD; the uniqueness re-check). */
export async function findSameValue(tx: Queryable, entity: SyncedEntity, streetId: string, value: string, exceptId: string): Promise<Doc | null> {
  const rows = await tx.query<{ id: string; data: Doc; version: unknown }>(
    'SELECT id, data, version FROM record WHERE entity = $1 AND street_id = $2 AND unique_value = $3 AND id <> $4 LIMIT 1',
    // not prepared: a generic plan cannot tell which partial unique index the entity selects
    [entity, streetId, value, exceptId],
  );
  const row = rows.rows[0];
  return row ? asServerRecord(row.id, row.data, num(row.version)) : null;
}

/** The street's grids under a grid, or the assignments on it (the record's stored `grid_ref`), as server records. */
export async function findByGrid(tx: Queryable, entity: 'gridUnit' | 'assignment', streetId: string, gridId: string): Promise<Doc[]> {
  const rows = await tx.query<{ id: string; data: Doc; version: unknown }>(
    'SELECT id, data, version FROM record WHERE street_id = $1 AND entity = $2 AND grid_ref = $3 ORDER BY id',
    [streetId, entity, gridId],
    { prepared: true },
  );
  return rows.rows.map((row) => asServerRecord(row.id, row.data, num(row.version)));
}

/** The street's records of these ids as a snapshot gives them (docs/sync-protocol.md "Records"); ids it does not hold are left out. */
export async function streetRecords(tx: Queryable, streetId: string, refs: readonly RecordRef[]): Promise<SnapshotRecord[]> {
  const rows = await tx.query<{ entity: SyncedEntity; id: string; data: Doc; version: unknown; updated_at: string }>(
    `SELECT r.entity, r.id, r.data, r.version, to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at
       FROM record r JOIN unnest($2::text[], $3::text[]) AS asked(entity, id) ON r.entity = asked.entity AND r.id = asked.id
      WHERE r.street_id = $1
      ORDER BY r.entity, r.id`,
    [streetId, refs.map((r) => r.entity), refs.map((r) => r.id)],
  );
  return rows.rows.map((row) => ({ entity: row.entity, id: row.id, version: num(row.version), data: row.data, updatedAt: row.updated_at }));
}

export function asServerRecord(id: string, data: Doc, version: number): Doc {
  return { ...data, id, version };
}

export async function insertRecord(
  tx: Queryable,
  r: { entity: SyncedEntity; id: string; streetId: string | null; data: Doc; seq: number | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
     VALUES ($1, $2, $3, $4::jsonb, 1, $5, $5)`,
    [r.entity, r.id, r.streetId, JSON.stringify(r.data), r.seq],
    { prepared: true },
  );
}

export async function updateRecord(
  tx: Queryable,
  r: { entity: SyncedEntity; id: string; data: Doc; version: number; seq: number | null },
): Promise<void> {
  await tx.query(
    `UPDATE record SET data = $3::jsonb, version = $4, updated_seq = $5, updated_at = now() WHERE entity = $1 AND id = $2`,
    [r.entity, r.id, JSON.stringify(r.data), r.version, r.seq],
    { prepared: true },
  );
}

export interface ChangeEntry {
  streetId: string;
  seq: number;
  entity: SyncedEntity;
  id: string;
  op: 'insert' | 'update';
  fields: Doc;
  version: number;
  deviceId: string | null;
  mid: number | null;
  deviceAt: string | null;
}

export async function appendChange(tx: Queryable, c: ChangeEntry): Promise<void> {
  await tx.query(
    `INSERT INTO change (street_id, seq, entity, id, op, fields, version, device_id, mid, device_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [c.streetId, c.seq, c.entity, c.id, c.op, JSON.stringify(c.fields), c.version, c.deviceId, c.mid, c.deviceAt],
    { prepared: true },
  );
}
