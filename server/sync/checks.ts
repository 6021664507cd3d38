import { outlivesGrid } from '../../core/domain/grid';
import { orgCodeProblem } from '../../core/domain/org';
import { roleAllowedOn, type Role } from '../../core/domain/people';
import type { SyncedEntity } from '../../core/sync/protocol';
import type { Doc } from './entities';
import { REASONS, Rejection } from './rejection';

// Scope, references and business uniqueness of one record document, checked before it is
// written. `changed` = the fields this mutation sets (all of them for an insert): references
// and uniqueness are re-checked only when they change, so an old record stays editable.
// The lookups come from a RecordLookup: the database itself (one mutation at a time) or the
// batch path's in-memory view of it (server/sync/batch-store.ts) — one set of rules for both.

export interface StreetScope {
  streetId: string;
  streetCode: string;
}

export interface RecordLookup {
  /** The record if it belongs to the scope's street (not reference data, not another street). */
  inStreet(entity: SyncedEntity, id: string): Promise<Doc | null>;
  /** Another record of the street whose business-unique field (UNIQUE_FIELD) equals `value`, as a server record (the winner). */
  sameValue(entity: SyncedEntity, value: string, exceptId: string): Promise<Doc | null>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

async function requireInStreet(
  lookup: RecordLookup,
  entity: SyncedEntity,
  id: unknown,
  accept: (doc: Doc, id: string) => boolean = () => true,
): Promise<void> {
  const ref = str(id);
  if (ref === null) throw new Rejection(REASONS.refNotFound, undefined);
  const doc = await lookup.inStreet(entity, ref);
  if (!doc || !accept(doc, ref)) throw new Rejection(REASONS.refNotFound, undefined);
}

/** The street's own org unit (its id is the street id) or one of its communities. */
const isStreetOrCommunity = (scope: StreetScope) => (doc: Doc, id: string) =>
  id === scope.streetId || (doc.level === 'community' && doc.parentId === scope.streetId);

/** Which document fields a reference field of an entity points at (what the batch path preloads). */
export const REFERENCES: Record<SyncedEntity, readonly (readonly [field: string, target: SyncedEntity])[]> = {
  orgUnit: [],
  gridUnit: [
    ['orgUnitId', 'orgUnit'],
    ['parentId', 'gridUnit'],
    ['predecessorId', 'gridUnit'],
  ],
  gridHistory: [['gridId', 'gridUnit']],
  person: [['orgUnitId', 'orgUnit']],
  assignment: [
    ['personId', 'person'],
    ['gridId', 'gridUnit'],
    ['orgUnitId', 'orgUnit'],
  ],
};

/** The business-unique text field of an entity within a street (record.unique_value, backed by a unique index). */
export const UNIQUE_FIELD: Partial<Record<SyncedEntity, 'code' | 'residentId'>> = {
  orgUnit: 'code',
  gridUnit: 'code',
  person: 'residentId',
};

export async function checkRecord(
  lookup: RecordLookup,
  scope: StreetScope,
  entity: SyncedEntity,
  id: string,
  doc: Doc,
  changed: ReadonlySet<string>,
): Promise<void> {
  switch (entity) {
    case 'orgUnit': {
      // a street station manages its communities; district and street units are the district's
      if (doc.level !== 'community') throw new Rejection(REASONS.orgLevel);
      if (doc.parentId !== scope.streetId) throw new Rejection(REASONS.otherStreet);
      const code = str(doc.code) ?? '';
      if (changed.has('code')) {
        if (orgCodeProblem(code, 'community', scope.streetCode) !== null) throw new Rejection(REASONS.orgCodeNotUnderStreet);
        const winner = await lookup.sameValue('orgUnit', code, id);
        if (winner) throw new Rejection(REASONS.orgCodeTaken, winner);
      }
      return;
    }
    case 'gridUnit': {
      if (doc.streetId !== scope.streetId) throw new Rejection(REASONS.otherStreet);
      if (changed.has('orgUnitId')) {
        await requireInStreet(lookup, 'orgUnit', doc.orgUnitId, (d) => d.level === 'community' && d.parentId === scope.streetId);
      }
      for (const field of ['parentId', 'predecessorId'] as const) {
        if (changed.has(field) && doc[field] !== null && doc[field] !== undefined) {
          await requireInStreet(lookup, 'gridUnit', doc[field]);
        }
      }
      if (changed.has('code')) {
        const winner = await lookup.sameValue('gridUnit', str(doc.code) ?? '', id);
        if (winner) throw new Rejection(REASONS.gridCodeTaken, winner);
      }
      return;
    }
    case 'gridHistory':
      await requireInStreet(lookup, 'gridUnit', doc.gridId);
      return;
    case 'person': {
      if (doc.streetId !== scope.streetId) throw new Rejection(REASONS.otherStreet);
      if (changed.has('orgUnitId')) await requireInStreet(lookup, 'orgUnit', doc.orgUnitId, isStreetOrCommunity(scope));
      const residentId = str(doc.residentId);
      if (changed.has('residentId') && residentId !== null) {
        const winner = await lookup.sameValue('person', residentId, id);
        if (winner) throw new Rejection(REASONS.residentIdTaken, winner);
      }
      return;
    }
    case 'assignment': {
      const gridId = doc.gridId ?? null;
      const orgUnitId = doc.orgUnitId ?? null;
      if ((gridId === null) === (orgUnitId === null)) throw new Rejection(REASONS.assignmentTarget);
      const endDate = str(doc.endDate);
      const startDate = str(doc.startDate) ?? '';
      if (endDate !== null && endDate < startDate) throw new Rejection(REASONS.assignmentEndBeforeStart);
      if (!roleAllowedOn(doc.role as Role, gridId !== null ? 'grid' : 'org')) throw new Rejection(REASONS.assignmentRole);
      if (changed.has('personId')) await requireInStreet(lookup, 'person', doc.personId);
      if (gridId !== null && changed.has('gridId')) await requireInStreet(lookup, 'gridUnit', gridId);
      if (orgUnitId !== null && changed.has('orgUnitId')) {
        await requireInStreet(lookup, 'orgUnit', orgUnitId, isStreetOrCommunity(scope));
      }
      return;
    }
  }
}

/**
 * The rules a station checked against its own replica when it created a record, which another
 * station may have made stale before the record reached the server (a grid retired, a person
 * who left meanwhile). Nothing may outlive the grid it belongs to: a new grid under a parent
 * whose retirement is set, past or due, unless it ends by then itself; a duty on a grid that
 * starts on or after the grid's end, or runs past it. Run after checkRecord (the references
 * are there). Moving and retiring a grid change several records at once (its assignments, its
 * history): they travel as one command and are checked whole (commands.ts).
 */
export async function checkCreation(lookup: RecordLookup, entity: SyncedEntity, doc: Doc): Promise<void> {
  if (entity === 'gridUnit' && typeof doc.parentId === 'string') {
    const parent = await lookup.inStreet('gridUnit', doc.parentId);
    if (parent && outlivesGrid(str(doc.validTo), str(parent.validTo))) throw new Rejection(REASONS.gridParentRetired);
  } else if (entity === 'assignment') {
    const person = typeof doc.personId === 'string' ? await lookup.inStreet('person', doc.personId) : null;
    if (person?.status === 'left') throw new Rejection(REASONS.personLeft);
    const grid = typeof doc.gridId === 'string' ? await lookup.inStreet('gridUnit', doc.gridId) : null;
    const validTo = grid ? str(grid.validTo) : null;
    if (validTo !== null && (str(doc.startDate) ?? '') >= validTo) throw new Rejection(REASONS.gridRetired);
    if (outlivesGrid(str(doc.endDate), validTo)) throw new Rejection(REASONS.assignmentOutlivesGrid);
  }
}
