import { randomUUID } from 'node:crypto';
import { AppError, ruleViolation } from '../../core/api/errors';
import { MAX_COMMAND_MUTATIONS, type CommandArgs, type CommandName } from '../../core/sync/commands';
import type { Db } from './db';
import { ENTITIES, type EntityFields, type EntityName, type EntitySpec } from './entities';
import { cachedStatement } from './statements';

// The single write path for synced entities. Every insert and update goes through here and
// leaves a change_log row in the same transaction — the place the sync outbox hooks in.
// recordChange alone serves the one case where the row already holds the values and only
// the outbox entry is new (re-sending an insert the server rejected, electron/sync/resolve.ts).

function encode(spec: EntitySpec, field: string, value: unknown): unknown {
  if (spec.booleans.includes(field)) return value ? 1 : 0;
  return value === undefined ? null : value;
}

function knownFields(spec: EntitySpec, fields: Record<string, unknown>): string[] {
  const names = Object.keys(fields).filter((f) => fields[f] !== undefined);
  for (const f of names) if (!(f in spec.fields)) throw new Error(`${spec.table} has no field ${f}`);
  return names;
}

/** `baseFields`: an update's fields as the row held them before it (what the edit started from). */
export function recordChange(
  db: Db,
  change: {
    entity: EntityName;
    id: string;
    op: 'insert' | 'update';
    fields: Record<string, unknown>;
    baseVersion: number | null;
    baseFields?: Record<string, unknown>;
    at: string;
  },
): void {
  cachedStatement(
    db,
    'INSERT INTO change_log (entity, entity_id, op, fields, base_version, base_fields, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(change.entity, change.id, change.op, JSON.stringify(change.fields), change.baseVersion, change.baseFields ? JSON.stringify(change.baseFields) : null, change.at);
}

/** A column's value in the wire's form (booleans are stored as 0/1). */
function decode(spec: EntitySpec, field: string, value: unknown): unknown {
  return spec.booleans.includes(field) ? value === 1 : value;
}

export function insertEntity<E extends EntityName>(db: Db, entity: E, id: string, fields: EntityFields<E>, at: string): void {
  const spec: EntitySpec = ENTITIES[entity];
  const values = fields as Record<string, unknown>;
  const names = knownFields(spec, values);
  const columns = ['id', ...names.map((f) => spec.fields[f]!), 'version', 'created_at', 'updated_at'];
  const sql = `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  cachedStatement(db, sql).run(id, ...names.map((f) => encode(spec, f, values[f])), 1, at, at);
  recordChange(db, { entity, id, op: 'insert', fields: pick(values, names), baseVersion: null, at });
}

/**
 * The fields of `patch` whose value differs from the row's: what a person's edit changes. A
 * form saves every field it shows, and the server merges edits field by field, last writer
 * wins, so an unchanged field sent along would overwrite another station's edit of it. The
 * whole patch when the row is missing (updateEntity then says so).
 */
export function changedFields<E extends EntityName>(db: Db, entity: E, id: string, patch: EntityFields<E>): EntityFields<E> {
  const spec: EntitySpec = ENTITIES[entity];
  const values = patch as Record<string, unknown>;
  const names = knownFields(spec, values);
  if (names.length === 0) return patch;
  const columns = names.map((f) => spec.fields[f]!);
  const row = cachedStatement(db, `SELECT ${columns.join(', ')} FROM ${spec.table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  if (!row) return patch;
  return pick(
    values,
    names.filter((f, i) => encode(spec, f, values[f]) !== row[columns[i]!]),
  ) as EntityFields<E>;
}

/**
 * Applies a patch and bumps the version. With `baseVersion`, an edit made on a stale copy
 * is refused instead of silently overwriting a newer one.
 */
export function updateEntity<E extends EntityName>(
  db: Db,
  entity: E,
  id: string,
  patch: EntityFields<E>,
  at: string,
  baseVersion?: number,
): number {
  const spec: EntitySpec = ENTITIES[entity];
  const values = patch as Record<string, unknown>;
  const names = knownFields(spec, values);
  const columns = names.map((f) => spec.fields[f]!);
  const current = cachedStatement(db, `SELECT ${['version', ...columns].join(', ')} FROM ${spec.table} WHERE id = ?`).get(id) as
    | (Record<string, unknown> & { version: number })
    | undefined;
  if (!current) throw new AppError('not_found', `${entity}.not_found`, { id });
  if (baseVersion !== undefined && baseVersion !== current.version) {
    throw new AppError('conflict', 'stale_version', { entity, id, baseVersion, currentVersion: current.version });
  }
  if (names.length === 0) return current.version;
  const sets = names.map((f) => `${spec.fields[f]} = ?`).join(', ');
  cachedStatement(db, `UPDATE ${spec.table} SET ${sets}, version = version + 1, updated_at = ? WHERE id = ?`).run(
    ...names.map((f) => encode(spec, f, values[f])),
    at,
    id,
  );
  const baseFields = Object.fromEntries(names.map((f, i) => [f, decode(spec, f, current[columns[i]!])]));
  recordChange(db, { entity, id, op: 'update', fields: pick(values, names), baseVersion: current.version, baseFields, at });
  return current.version + 1;
}

/**
 * Runs `write` in one transaction and tags every change_log row it writes as one command
 * (docs/sync-protocol.md "Commands"): the rows travel in one batch, and the server applies them
 * all or none after checking `args` against its own state.
 */
export function writeCommand<N extends CommandName, T>(db: Db, name: N, args: CommandArgs<N>, write: () => T): T {
  return db.transaction(() => {
    const before = lastMutationId(db);
    const result = write();
    const size = lastMutationId(db) - before;
    // a batch never splits a command, so a command must fit one with room to spare
    if (size > MAX_COMMAND_MUTATIONS) throw ruleViolation('sync.command_too_large', { size, max: MAX_COMMAND_MUTATIONS });
    if (size > 0) {
      const tag: { id: string; name: N; size: number; args: CommandArgs<N> } = { id: randomUUID(), name, size, args };
      cachedStatement(db, 'UPDATE change_log SET command = ? WHERE seq > ?').run(JSON.stringify(tag), before);
    }
    return result;
  })();
}

function pick(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, values[n]]));
}

/** The highest mutation id ever issued by this replica. */
export function lastMutationId(db: Db): number {
  const row = cachedStatement(db, "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").get() as { seq: number } | undefined;
  return row?.seq ?? 0;
}

/**
 * Makes the next mutation id at least `floor + 1`. After restoring an older backup the
 * replica must not issue ids the server has already seen: it would skip them as re-sent.
 */
export function raiseMutationFloor(db: Db, floor: number): void {
  if (lastMutationId(db) >= floor) return;
  db.transaction(() => {
    db.prepare("DELETE FROM sqlite_sequence WHERE name = 'change_log'").run();
    db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('change_log', ?)").run(floor);
  })();
}
