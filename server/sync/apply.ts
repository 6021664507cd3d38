import { SYNC_POLICIES } from '../../core/sync/policies';
import type { Conflict, Mutation, PushRequest, PushResponse, Rejection as WireRejection } from '../../core/sync/protocol';
import type { Db, Queryable } from '../db/db';
import { num } from '../db/db';
import { constraintOf, isDataError, isTransient, sqlState } from '../db/errors';
import { withAppScope } from '../db/scope';
import { AuthError } from '../auth/devices';
import { checkRecord, type StreetScope } from './checks';
import { badFieldName, ENTITY_RULES, RESERVED_FIELDS, sameJson, type Doc } from './entities';
import { notifySeq } from './notify';
import { appendChange, asServerRecord, insertRecord, loadRecord, updateRecord } from './records';
import { REASONS, Rejection } from './rejection';

// One push batch, exactly as docs/sync-protocol.md "Push" says: one transaction; the device row
// locked; mids at or below device.last_mid skipped; a savepoint per mutation; permanent
// rejections recorded and acknowledged; a transient failure aborts everything (503); each applied
// mutation takes the street's next gap-free seq; last_mid set in the same transaction.

export interface PushDevice extends StreetScope {
  id: string;
}

export interface PushOptions {
  statementTimeoutMs?: number;
  schemaVersion?: number;
}

type Outcome = { applied: true; conflict: Conflict | null } | { applied: false };

// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;
/** Device-supplied text that goes into text columns (PostgreSQL refuses NUL). */
const printable = (s: string): string => s.replace(CONTROLS, '\uFFFD');

export async function applyPush(db: Db, device: PushDevice, request: PushRequest, options: PushOptions = {}): Promise<PushResponse> {
  return withAppScope(db, { streetId: device.streetId, statementTimeoutMs: options.statementTimeoutMs }, async (tx) => {
    const dev = (
      await tx.query<{ last_mid: unknown; revoked_at: Date | null }>('SELECT last_mid, revoked_at FROM device WHERE id = $1 FOR UPDATE', [
        device.id,
      ])
    ).rows[0];
    if (!dev || dev.revoked_at) throw new AuthError(401, 'device_revoked');
    // The street counter is locked for the whole batch: pushes of one street are serialised, which
    // keeps seq gap-free and makes the uniqueness re-checks race-free.
    const seqRow = (await tx.query<{ seq: unknown }>('SELECT seq FROM street_seq WHERE street_id = $1 FOR UPDATE', [device.streetId]))
      .rows[0];
    if (!seqRow) throw new Error(`street ${device.streetId} has no sequence row`);
    const lastMid = num(dev.last_mid);
    const startSeq = num(seqRow.seq);
    let seq = startSeq;
    const rejected: WireRejection[] = [];
    const conflicts: Conflict[] = [];

    for (const m of request.mutations) {
      if (m.mid <= lastMid) continue;
      await tx.query('SAVEPOINT m');
      try {
        const outcome = await applyOne(tx, device, m, seq + 1);
        await tx.query('RELEASE SAVEPOINT m');
        if (outcome.applied) {
          seq += 1;
          if (outcome.conflict) conflicts.push(outcome.conflict);
        }
      } catch (error) {
        if (isTransient(error)) throw error;
        const rejection = asRejection(error);
        if (!rejection) throw error;
        await tx.query('ROLLBACK TO SAVEPOINT m');
        const serverRecord = rejection.serverRecord !== undefined ? rejection.serverRecord : await currentServerRecord(tx, m);
        await tx.query(
          `INSERT INTO rejection (street_id, device_id, mid, entity, record_id, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
          [device.streetId, device.id, m.mid, m.entity, printable(m.id), rejection.reason],
        );
        rejected.push({ mid: m.mid, entity: m.entity, id: m.id, reason: rejection.reason, serverRecord });
      }
    }

    const batchMax = request.mutations.reduce((max, m) => Math.max(max, m.mid), 0);
    const ackedThrough = Math.max(lastMid, batchMax);
    await tx.query('UPDATE device SET last_mid = $2, last_seen_at = now(), schema_version = coalesce($3, schema_version) WHERE id = $1', [
      device.id,
      ackedThrough,
      options.schemaVersion ?? null,
    ]);
    if (seq !== startSeq) {
      await tx.query('UPDATE street_seq SET seq = $2 WHERE street_id = $1', [device.streetId, seq]);
      await notifySeq(tx, device.streetId, seq);
    }
    return { ackedThrough, rejected, conflicts, seq };
  });
}

/** Data errors PostgreSQL raised for this mutation alone become rejections; anything else is not ours to swallow. */
function asRejection(error: unknown): Rejection | null {
  if (error instanceof Rejection) return error;
  const state = sqlState(error);
  if (state === '42501') return new Rejection(REASONS.otherStreet); // RLS refused the row: the second wall held
  if (!isDataError(error)) return null;
  if (state === '23505') {
    const constraint = constraintOf(error);
    if (constraint === 'record_grid_code') return new Rejection(REASONS.gridCodeTaken);
    if (constraint === 'record_org_code') return new Rejection(REASONS.orgCodeTaken);
    if (constraint === 'record_person_resident_id') return new Rejection(REASONS.residentIdTaken);
    return new Rejection(REASONS.idTaken, null);
  }
  return new Rejection(REASONS.badValue);
}

async function currentServerRecord(tx: Queryable, m: Mutation): Promise<Doc | null> {
  if (HAS_CONTROL.test(m.id)) return null;
  try {
    const current = await loadRecord(tx, m.entity, m.id);
    return current ? asServerRecord(m.id, current.data, current.version) : null;
  } catch {
    return null;
  }
}

function validFields(m: Mutation): Doc {
  if (HAS_CONTROL.test(m.id)) throw new Rejection(REASONS.badId, null);
  for (const key of Object.keys(m.fields)) {
    if (RESERVED_FIELDS.has(key)) throw new Rejection(REASONS.reservedField);
    if (badFieldName(key)) throw new Rejection(REASONS.invalidFields);
  }
  if (!ENTITY_RULES[m.entity].fields.safeParse(m.fields).success) throw new Rejection(REASONS.invalidFields);
  return m.fields;
}

function requireComplete(entity: Mutation['entity'], doc: Doc): void {
  for (const field of ENTITY_RULES[entity].required) {
    if (doc[field] === undefined) throw new Rejection(REASONS.missingFields);
  }
  // the merged document must itself be valid (a patch can't leave it half-valid)
  if (!ENTITY_RULES[entity].fields.safeParse(doc).success) throw new Rejection(REASONS.invalidFields);
}

async function applyOne(tx: Queryable, device: PushDevice, m: Mutation, nextSeq: number): Promise<Outcome> {
  const fields = validFields(m);
  const current = await loadRecord(tx, m.entity, m.id);
  if (current && current.streetId !== device.streetId) {
    throw new Rejection(current.streetId === null ? REASONS.referenceData : REASONS.otherStreet, null);
  }
  const change = { streetId: device.streetId, seq: nextSeq, entity: m.entity, id: m.id, deviceId: device.id, mid: m.mid, deviceAt: printable(m.at) };

  if (SYNC_POLICIES[m.entity] === 'append-only') {
    if (m.op === 'update') throw new Rejection(REASONS.appendOnly);
    if (current) return { applied: false }; // idempotent by id
    requireComplete(m.entity, fields);
    await checkRecord(tx, device, m.entity, m.id, fields, new Set(Object.keys(fields)));
    await insertRecord(tx, { entity: m.entity, id: m.id, streetId: device.streetId, data: fields, seq: nextSeq });
    await appendChange(tx, { ...change, op: 'insert', fields, version: 1 });
    return { applied: true, conflict: null };
  }

  // fields-lww
  if (!current) {
    if (m.op === 'update') throw new Rejection(REASONS.notFound, null);
    requireComplete(m.entity, fields);
    await checkRecord(tx, device, m.entity, m.id, fields, new Set(Object.keys(fields)));
    await insertRecord(tx, { entity: m.entity, id: m.id, streetId: device.streetId, data: fields, seq: nextSeq });
    await appendChange(tx, { ...change, op: 'insert', fields, version: 1 });
    return { applied: true, conflict: null };
  }

  // an update, or an insert of an id the server has (merged as an update)
  const doc: Doc = { ...current.data, ...fields };
  requireComplete(m.entity, doc);
  await checkRecord(tx, device, m.entity, m.id, doc, new Set(Object.keys(fields)));
  const version = current.version + 1;
  let conflict: Conflict | null = null;
  if (m.baseVersion !== null && m.baseVersion < current.version) {
    const overwritten: Doc = {};
    for (const [key, value] of Object.entries(fields)) {
      if (key in current.data && !sameJson(current.data[key], value)) overwritten[key] = current.data[key];
    }
    if (Object.keys(overwritten).length > 0) {
      conflict = { mid: m.mid, entity: m.entity, id: m.id, baseVersion: m.baseVersion, serverVersion: current.version, overwritten };
      await tx.query(
        `INSERT INTO conflict (street_id, device_id, mid, entity, record_id, base_version, server_version, overwritten)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [device.streetId, device.id, m.mid, m.entity, m.id, m.baseVersion, current.version, JSON.stringify(overwritten)],
      );
    }
  }
  await updateRecord(tx, { entity: m.entity, id: m.id, data: doc, version, seq: nextSeq });
  await appendChange(tx, { ...change, op: 'update', fields, version });
  return { applied: true, conflict };
}
