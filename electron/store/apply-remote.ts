import type { Statement } from 'better-sqlite3';
import type { Change, SyncedEntity } from '../../core/sync/protocol';
import type { Db } from './db';
import { ENTITIES, type EntitySpec } from './entities';
import { cachedStatement } from './statements';

// Writes what the district server says into the replica. Unlike write.ts this records nothing
// in change_log (the change came FROM the server), keeps fields this version does not know in
// `extra`, and takes the version from the server. Callers run it inside one transaction with
// `PRAGMA defer_foreign_keys = ON`: a snapshot chunk is ordered by entity and id, not by
// dependency, so a person may arrive before its org unit.
//
// Pull and bootstrap apply tens of thousands of records in one go, so the common case (every
// field known) costs one prepared statement run and nothing else: statements are kept per
// entity and field list, and the unique-value check runs only when a write has failed.

export type Fields = Record<string, unknown>;

/** One record as the server has it (a pulled change or a snapshot record). */
export interface RemoteRecord {
  entity: SyncedEntity;
  id: string;
  fields: Fields;
  version: number;
  /** Server time of the change: created_at / updated_at of a row first seen here. */
  at: string;
  /** created_at of a row first seen here when it is not `at` (an insert and later updates written at once). */
  createdAt?: string;
}

/** Business-unique columns: a local row that never reached the server may hold the value. */
const UNIQUE: Partial<Record<SyncedEntity, { field: string; column: string; displace: 'suffix' | 'null' }>> = {
  orgUnit: { field: 'code', column: 'code', displace: 'suffix' },
  gridUnit: { field: 'code', column: 'code', displace: 'suffix' },
  person: { field: 'residentId', column: 'resident_id', displace: 'null' },
};

const SERVER_OWNED = new Set(['id', 'version']);

interface Column {
  name: string;
  boolean: boolean;
}

/** Per entity: wire field -> column, looked up once per field instead of scanning lists. */
const COLUMNS = new Map<string, Map<string, Column>>(
  Object.entries(ENTITIES).map(([entity, spec]: [string, EntitySpec]) => [
    entity,
    new Map(Object.entries(spec.fields).map(([field, name]) => [field, { name, boolean: spec.booleans.includes(field) }])),
  ]),
);

function encode(column: Column | undefined, value: unknown): unknown {
  if (column?.boolean) return value ? 1 : 0;
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function split(entity: SyncedEntity, fields: Fields): { known: [string, unknown][]; unknown: Fields } {
  const columns = COLUMNS.get(entity)!;
  const known: [string, unknown][] = [];
  const unknown: Fields = {};
  for (const [field, value] of Object.entries(fields)) {
    if (SERVER_OWNED.has(field) || value === undefined) continue;
    const column = columns.get(field);
    if (column) known.push([column.name, encode(column, value)]);
    else unknown[field] = value;
  }
  return { known, unknown };
}

function mergedExtra(current: string | null, unknown: Fields): string | null {
  if (Object.keys(unknown).length === 0) return current;
  const base = current ? (JSON.parse(current) as Fields) : {};
  return JSON.stringify({ ...base, ...unknown });
}

/** A local-only row that stepped aside: its name, so that a person can tell which one it was. */
export interface DisplacedRow {
  id: string;
  name: string | null;
}

/** Called when a server value takes a unique value a local-only row holds: that row steps aside. */
export type DisplacedHandler = (entity: SyncedEntity, displaced: DisplacedRow, field: string, original: unknown, winner: RemoteRecord) => void;

/** Moves aside another row holding the unique value `r` sets; false when there is none. */
function makeRoom(db: Db, r: RemoteRecord, onDisplaced: DisplacedHandler): boolean {
  const unique = UNIQUE[r.entity];
  const value = unique ? r.fields[unique.field] : undefined;
  if (!unique || value === undefined || value === null) return false;
  const table = ENTITIES[r.entity].table;
  const holder = cachedStatement(db, `SELECT id, name FROM ${table} WHERE ${unique.column} = ? AND id <> ?`).get(value, r.id) as DisplacedRow | undefined;
  if (!holder) return false;
  const replacement = unique.displace === 'null' ? null : `${String(value)}~${holder.id.slice(-6)}`;
  cachedStatement(db, `UPDATE ${table} SET ${unique.column} = ? WHERE id = ?`).run(replacement, holder.id);
  onDisplaced(r.entity, holder, unique.field, value, r);
  return true;
}

function isConstraintError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT');
}

/**
 * Runs a write of `r`. A unique value held by another (local-only) row makes the write fail;
 * only then is the holder looked up and moved aside, and the write run again. Probing before
 * every write cost a query per record although a holder is rare.
 */
function runMakingRoom(db: Db, r: RemoteRecord, onDisplaced: DisplacedHandler, statement: Statement, params: unknown[]): number {
  try {
    return statement.run(params).changes;
  } catch (error) {
    if (!isConstraintError(error) || !makeRoom(db, r, onDisplaced)) throw error;
    return statement.run(params).changes;
  }
}

/** The insert and update statements of one entity and field list; `next` extends the list by one field. */
interface Shape {
  columns: string[];
  next: Map<string, Shape>;
  insert?: Statement;
  insertRows?: Statement;
  update?: Statement;
}

const shapes = new WeakMap<Db, Map<SyncedEntity, Shape>>();

function rootShape(db: Db, entity: SyncedEntity): Shape {
  let perDb = shapes.get(db);
  if (!perDb) shapes.set(db, (perDb = new Map()));
  let root = perDb.get(entity);
  if (!root) perDb.set(entity, (root = { columns: [], next: new Map() }));
  return root;
}

function nextShape(shape: Shape, column: string): Shape {
  let next = shape.next.get(column);
  if (!next) shape.next.set(column, (next = { columns: [...shape.columns, column], next: new Map() }));
  return next;
}

/** Parameters: id, the shape's columns, version, created_at, updated_at. */
function insertStatement(db: Db, table: string, shape: Shape): Statement {
  if (!shape.insert) {
    const all = ['id', ...shape.columns, 'version', 'created_at', 'updated_at'];
    shape.insert = db.prepare(`INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')})`);
  }
  return shape.insert;
}

/** Parameters: the shape's columns, version, updated_at, id. */
function updateStatement(db: Db, table: string, shape: Shape): Statement {
  if (!shape.update) {
    const sets = [...shape.columns.map((c) => `${c} = ?`), 'version = ?', 'updated_at = ?'].join(', ');
    shape.update = db.prepare(`UPDATE ${table} SET ${sets} WHERE id = ?`);
  }
  return shape.update;
}

function exists(db: Db, table: string, id: string): boolean {
  return cachedStatement(db, `SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
}

/** A record's statement shape and encoded values; null when it has a field this version does not know. */
function prepared(db: Db, r: RemoteRecord): { shape: Shape; values: unknown[] } | null {
  const columns = COLUMNS.get(r.entity)!;
  let shape = rootShape(db, r.entity);
  const values: unknown[] = [];
  for (const field in r.fields) {
    const value = r.fields[field];
    if (value === undefined || SERVER_OWNED.has(field)) continue;
    const column = columns.get(field);
    if (!column) return null;
    shape = nextShape(shape, column.name);
    values.push(encode(column, value));
  }
  return { shape, values };
}

function insertParams(r: RemoteRecord, values: readonly unknown[]): unknown[] {
  return [r.id, ...values, r.version, r.createdAt ?? r.at, r.at];
}

function applyPrepared(db: Db, r: RemoteRecord, op: 'insert' | 'update', shape: Shape, values: unknown[], onDisplaced: DisplacedHandler): boolean {
  const table = ENTITIES[r.entity].table;
  // A plain INSERT, and UPDATE only when the record turns out to be here. (An upsert would do
  // as much, but SQLite runs INSERT ... ON CONFLICT DO UPDATE over indexed columns about three
  // times slower than a plain INSERT, conflict or not.)
  if (op === 'insert') {
    try {
      runMakingRoom(db, r, onDisplaced, insertStatement(db, table, shape), insertParams(r, values));
      return true;
    } catch (error) {
      // The record is already here (an insert merged as an update): fall through. SQLite may
      // name another unique column first, so the id decides, not the error code.
      if (!isConstraintError(error) || !exists(db, table, r.id)) throw error;
    }
  }
  return runMakingRoom(db, r, onDisplaced, updateStatement(db, table, shape), [...values, r.version, r.at, r.id]) > 0;
}

/**
 * Upserts (a server insert or a snapshot record) or patches (a server update) one record.
 * Returns false when an update names a record this replica does not have.
 */
export function applyRemoteRecord(db: Db, r: RemoteRecord, op: 'insert' | 'update', onDisplaced: DisplacedHandler): boolean {
  const p = prepared(db, r);
  return p ? applyPrepared(db, r, op, p.shape, p.values, onDisplaced) : applyWithExtra(db, r, op, onDisplaced);
}

/** Rows per multi-row INSERT: one statement run costs about as much as the B-tree work of a row. */
const INSERT_ROWS = 50;

/** Whether one multi-row INSERT wrote all of `rows`; false when one of them broke a constraint (nothing written). */
function insertRows(db: Db, table: string, shape: Shape, rows: readonly { r: RemoteRecord; values: unknown[] }[]): boolean {
  if (!shape.insertRows) {
    const all = ['id', ...shape.columns, 'version', 'created_at', 'updated_at'];
    const row = `(${all.map(() => '?').join(', ')})`;
    shape.insertRows = db.prepare(`INSERT INTO ${table} (${all.join(', ')}) VALUES ${Array<string>(INSERT_ROWS).fill(row).join(', ')}`);
  }
  // filled in place: spreading a small array per row cost about as much as SQLite's own work
  const params: unknown[] = new Array(rows.length * (shape.columns.length + 4));
  let at = 0;
  for (const { r, values } of rows) {
    params[at++] = r.id;
    for (const value of values) params[at++] = value;
    params[at++] = r.version;
    params[at++] = r.createdAt ?? r.at;
    params[at++] = r.at;
  }
  try {
    shape.insertRows.run(params);
    return true;
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    return false;
  }
}

/**
 * Applies writes in order, as applyRemoteRecord would one by one; returns the updates that name
 * a record this replica does not have. Runs of inserts of one entity with the same fields go in
 * multi-row statements; a run that breaks a constraint (a record already here, a unique value
 * held locally) is applied one record at a time instead.
 */
export function applyRemoteWrites(db: Db, writes: readonly RecordWrite[], onDisplaced: DisplacedHandler): RemoteRecord[] {
  const missing: RemoteRecord[] = [];
  for (let i = 0; i < writes.length; ) {
    const { record, op } = writes[i]!;
    const p = prepared(db, record);
    if (!p) {
      if (!applyWithExtra(db, record, op, onDisplaced)) missing.push(record);
      i += 1;
      continue;
    }
    if (op === 'update') {
      if (!applyPrepared(db, record, op, p.shape, p.values, onDisplaced)) missing.push(record);
      i += 1;
      continue;
    }
    const run = [{ r: record, values: p.values }];
    for (let j = i + 1; j < writes.length && run.length < INSERT_ROWS; j++) {
      const next = writes[j]!;
      if (next.op !== 'insert' || next.record.entity !== record.entity) break;
      const q = prepared(db, next.record);
      if (q?.shape !== p.shape) break;
      run.push({ r: next.record, values: q.values });
    }
    i += run.length;
    if (run.length === INSERT_ROWS && insertRows(db, ENTITIES[record.entity].table, p.shape, run)) continue;
    for (const { r, values } of run) applyPrepared(db, r, 'insert', p.shape, values, onDisplaced);
  }
  return missing;
}

/** Fields this version does not know are merged into the row's `extra` JSON. */
function applyWithExtra(db: Db, r: RemoteRecord, op: 'insert' | 'update', onDisplaced: DisplacedHandler): boolean {
  const { table } = ENTITIES[r.entity];
  const { known, unknown } = split(r.entity, r.fields);
  const columns = known.map(([column]) => column);
  const values = known.map(([, value]) => value);
  const current = cachedStatement(db, `SELECT extra FROM ${table} WHERE id = ?`).get(r.id) as { extra: string | null } | undefined;
  const extra = mergedExtra(current?.extra ?? null, unknown);
  if (current) {
    const sets = [...columns.map((c) => `${c} = ?`), 'extra = ?', 'version = ?', 'updated_at = ?'].join(', ');
    runMakingRoom(db, r, onDisplaced, cachedStatement(db, `UPDATE ${table} SET ${sets} WHERE id = ?`), [...values, extra, r.version, r.at, r.id]);
    return true;
  }
  if (op === 'update') return false;
  const all = ['id', ...columns, 'extra', 'version', 'created_at', 'updated_at'];
  const insert = cachedStatement(db, `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')})`);
  runMakingRoom(db, r, onDisplaced, insert, [r.id, ...values, extra, r.version, r.createdAt ?? r.at, r.at]);
  return true;
}

/** The fields of one record as the replica holds them, in the wire's field names (extra included). */
export function localFields(db: Db, entity: SyncedEntity, id: string): (Fields & { version: number }) | null {
  const spec: EntitySpec = ENTITIES[entity];
  const row = cachedStatement(db, `SELECT * FROM ${spec.table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  if (!row) return null;
  const fields: Fields = row.extra ? (JSON.parse(String(row.extra)) as Fields) : {};
  for (const [field, column] of Object.entries(spec.fields)) {
    fields[field] = spec.booleans.includes(field) ? row[column] === 1 : row[column];
  }
  return { ...fields, version: Number(row.version) };
}

/** Whether any local edit still waits for the server (then pulled records need them re-applied). */
export function hasPendingMutations(db: Db): boolean {
  return cachedStatement(db, "SELECT 1 FROM change_log WHERE state IN ('pending', 'quarantined') LIMIT 1").get() !== undefined;
}

interface PendingRow {
  seq: number;
  op: 'insert' | 'update';
  fields: string;
}

/**
 * Puts this station's not-yet-acknowledged edits back on top of a record the server just
 * wrote, so an older server value never hides a local edit. The version becomes the server's
 * plus one per pending update: what it will be once they are applied, so the next local edit
 * carries the right base version. A pending value that now collides with a unique value is
 * left for the server to judge (it will come back as a rejection).
 */
export function reapplyPending(db: Db, entity: SyncedEntity, id: string): void {
  const rows = cachedStatement(
    db,
    "SELECT seq, op, fields FROM change_log WHERE entity = ? AND entity_id = ? AND state IN ('pending', 'quarantined') ORDER BY seq",
  ).all(entity, id) as PendingRow[];
  if (rows.length === 0) return;
  const { table } = ENTITIES[entity];
  for (const row of rows) {
    const { known } = split(entity, JSON.parse(row.fields) as Fields);
    if (known.length === 0) continue;
    const sets = known.map(([column]) => `${column} = ?`).join(', ');
    try {
      db.transaction(() => {
        cachedStatement(db, `UPDATE ${table} SET ${sets} WHERE id = ?`).run(...known.map(([, v]) => v), id);
      })();
    } catch (error) {
      if (!isConstraintError(error)) throw error;
    }
  }
  const updates = rows.filter((r) => r.op === 'update').length;
  if (updates > 0) cachedStatement(db, `UPDATE ${table} SET version = version + ? WHERE id = ?`).run(updates, id);
}

export interface RecordWrite {
  record: RemoteRecord;
  op: 'insert' | 'update';
}

/**
 * Pulled changes as record writes, in server order, with each update folded into the previous
 * write of the same record: a record created and then edited within one batch is written once.
 * Only writes of other rows lie between the two positions, and the folded fields are the
 * record's own, so the result is the same, with two exceptions that are therefore written at
 * their own position: an insert (it may recreate what an earlier update missed), and an update
 * that sets a unique value (taken earlier, the value could still be held by the record that
 * gives it up later in the batch, which would then be moved aside as if it were local-only).
 */
export function coalesceChanges(changes: readonly Change[]): RecordWrite[] {
  const writes: RecordWrite[] = [];
  const latest = new Map<SyncedEntity, Map<string, RemoteRecord>>();
  // a change's own fields object is shared with the caller: copied on the first fold only
  const copied = new Set<RemoteRecord>();
  for (const change of changes) {
    let byId = latest.get(change.entity);
    if (!byId) latest.set(change.entity, (byId = new Map()));
    const earlier = change.op === 'update' ? byId.get(change.id) : undefined;
    const unique = UNIQUE[change.entity];
    if (earlier && !(unique && change.fields[unique.field] !== undefined)) {
      if (!copied.has(earlier)) {
        earlier.fields = { ...earlier.fields };
        copied.add(earlier);
      }
      Object.assign(earlier.fields, change.fields);
      earlier.createdAt ??= earlier.at;
      earlier.version = change.version;
      earlier.at = change.serverTime;
      continue;
    }
    const record = changeAsRecord(change);
    byId.set(change.id, record);
    writes.push({ record, op: change.op });
  }
  return writes;
}

/** One pulled change as a record write. */
function changeAsRecord(change: Change): RemoteRecord {
  return { entity: change.entity, id: change.id, fields: change.fields, version: change.version, at: change.serverTime };
}
