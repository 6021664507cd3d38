import { SYNC_POLICIES } from '../../core/sync/policies';
import type { Conflict, Mutation } from '../../core/sync/protocol';
import { constraintOf, isDataError, sqlState } from '../db/errors';
import { checkCreation, checkRecord, type StreetScope } from './checks';
import { badFieldName, ENTITY_RULES, HAS_CONTROL, RESERVED_FIELDS, sameJson, type Doc } from './entities';
import { asServerRecord, type ChangeEntry } from './records';
import { REASONS, Rejection } from './rejection';
import type { ApplyStore } from './store';

// The decision for one mutation (docs/sync-protocol.md "Push" and "Policies"), written once
// against an ApplyStore: every check runs before the first write, so a Rejection never leaves
// a half-applied mutation behind in either store.

export type Outcome = { applied: true; conflict: Conflict | null } | { applied: false };

const CONTROLS = /\p{Cc}/gu;
/** Device-supplied text that goes into text columns (PostgreSQL refuses NUL). */
export const printable = (s: string): string => s.replace(CONTROLS, '\uFFFD');

/** Data errors PostgreSQL raised for this mutation alone become rejections; anything else is not ours to swallow. */
export function asRejection(error: unknown): Rejection | null {
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

/** The record a rejection shows when the rejection itself did not name one. */
export async function currentServerRecord(store: ApplyStore, m: Mutation): Promise<Doc | null> {
  if (HAS_CONTROL.test(m.id)) return null;
  try {
    const current = await store.load(m.entity, m.id);
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

/**
 * The document after the mutation must have its required fields. Its values need no second
 * parse: every entity schema checks field by field (no cross-field rules, see entities.ts),
 * and a stored document was valid when written, so a valid patch over it stays valid.
 */
function requireComplete(entity: Mutation['entity'], doc: Doc): void {
  for (const field of ENTITY_RULES[entity].required) {
    if (doc[field] === undefined) throw new Rejection(REASONS.missingFields);
  }
}

/**
 * A literal per change, not `{...base, op, fields, version}`: V8 builds that spread-then-extend
 * form ~20× slower (~3 µs an object, measured), and this runs for every mutation of a batch.
 */
function changeOf(device: StreetScope & { id: string }, m: Mutation, seq: number, op: ChangeEntry['op'], fields: Doc, version: number): ChangeEntry {
  return { streetId: device.streetId, seq, entity: m.entity, id: m.id, op, fields, version, deviceId: device.id, mid: m.mid, deviceAt: printable(m.at) };
}

export async function applyOne(store: ApplyStore, device: StreetScope & { id: string }, m: Mutation, nextSeq: number): Promise<Outcome> {
  const fields = validFields(m);
  const current = await store.load(m.entity, m.id);
  if (current && current.streetId !== device.streetId) {
    throw new Rejection(current.streetId === null ? REASONS.referenceData : REASONS.otherStreet, null);
  }
  const changed = new Set(Object.keys(fields));

  if (SYNC_POLICIES[m.entity] === 'append-only') {
    if (m.op === 'update') throw new Rejection(REASONS.appendOnly);
    if (current) return { applied: false }; // idempotent by id
  } else if (!current && m.op === 'update') {
    throw new Rejection(REASONS.notFound, null);
  }

  if (!current) {
    requireComplete(m.entity, fields);
    await checkRecord(store, device, m.entity, m.id, fields, changed);
    await checkCreation(store, m.entity, fields);
    await store.insert({ entity: m.entity, id: m.id, streetId: device.streetId, data: fields, seq: nextSeq });
    await store.appendChange(changeOf(device, m, nextSeq, 'insert', fields, 1));
    return { applied: true, conflict: null };
  }

  // fields-lww: an update, or an insert of an id the server has (merged as an update)
  const doc: Doc = { ...current.data, ...fields };
  requireComplete(m.entity, doc);
  try {
    await checkRecord(store, device, m.entity, m.id, doc, changed);
  } catch (error) {
    // The record exists: its own server state is what the station needs to go back to, so
    // that becomes the serverRecord; the winner of a uniqueness race travels beside it.
    if (error instanceof Rejection && error.serverRecord) throw new Rejection(error.reason, undefined, error.serverRecord);
    throw error;
  }
  const version = current.version + 1;
  let conflict: Conflict | null = null;
  if (m.baseVersion !== null && m.baseVersion < current.version) {
    const overwritten: Doc = {};
    for (const [key, value] of Object.entries(fields)) {
      if (key in current.data && !sameJson(current.data[key], value)) overwritten[key] = current.data[key];
    }
    if (Object.keys(overwritten).length > 0) {
      conflict = { mid: m.mid, entity: m.entity, id: m.id, baseVersion: m.baseVersion, serverVersion: current.version, overwritten };
      await store.logConflict(conflict);
    }
  }
  await store.update({ entity: m.entity, id: m.id, data: doc, version, seq: nextSeq });
  await store.appendChange(changeOf(device, m, nextSeq, 'update', fields, version));
  return { applied: true, conflict };
}
