import { z } from 'zod';
import { isoDate, patchOf } from '../../core/domain/common';
import { gridHistoryEntry, gridUnitInput } from '../../core/domain/grid';
import { orgUnitInput } from '../../core/domain/org';
import { personInput, ROLES } from '../../core/domain/people';
import type { SyncedEntity } from '../../core/sync/protocol';

// What a mutation's fields may hold, per entity, with the station's field names
// (electron/store/entities.ts). Built from core/domain: every field optional (a patch), and
// loose, so fields a newer station knows and this server does not are kept, not dropped.
// Field-by-field only, no cross-field refinements: apply-one.ts relies on it to skip
// re-validating the merged document (a cross-field rule would have to bring that back).

export type Doc = Record<string, unknown>;

interface EntityRules {
  fields: z.ZodType<Doc>;
  /** Must be present (not undefined) in the document after an insert. */
  required: readonly string[];
}

const gridUnitFields = patchOf({
  ...gridUnitInput.shape,
  streetId: z.string().min(1),
  validTo: isoDate.nullable(),
}).loose();

const assignmentFields = patchOf({
  personId: z.string().min(1),
  gridId: z.string().min(1).nullable(),
  orgUnitId: z.string().min(1).nullable(),
  role: z.enum(ROLES),
  startDate: isoDate,
  endDate: isoDate.nullable(),
}).loose();

export const ENTITY_RULES: Record<SyncedEntity, EntityRules> = {
  orgUnit: { fields: patchOf(orgUnitInput.shape).loose(), required: ['code', 'name', 'level', 'parentId'] },
  gridUnit: {
    fields: gridUnitFields,
    required: ['code', 'name', 'level', 'category', 'orgUnitId', 'streetId', 'validFrom'],
  },
  gridHistory: {
    fields: z
      .object({
        gridId: z.string().min(1),
        action: gridHistoryEntry.shape.action,
        // the station stores the detail as JSON text; an object is accepted too
        detail: z.union([z.string().max(20_000), z.record(z.string(), z.unknown())]),
      })
      .partial()
      .loose(),
    required: ['gridId', 'action'],
  },
  person: {
    fields: patchOf({ ...personInput.shape, streetId: z.string().min(1) }).loose(),
    required: ['name', 'orgUnitId', 'streetId'],
  },
  assignment: { fields: assignmentFields, required: ['personId', 'role', 'startDate'] },
};

/** Keys a mutation may not set: the server owns them. */
export const RESERVED_FIELDS = new Set(['id', 'version', '__proto__', 'constructor', 'prototype']);

/** A field name that fits: printable, short. */
export function badFieldName(name: string): boolean {
  return name.length === 0 || name.length > 64 || HAS_CONTROL.test(name);
}

/** Structural equality for JSON values, independent of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

/** Control characters (C0, DEL, C1): never valid in ids or field names, never logged raw. */
export const HAS_CONTROL = /\p{Cc}/u;
