import { z } from 'zod';
import { entityId, isoDate } from '../domain/common';
import { gridHistoryEntry, gridUnit, gridUnitInput, gridUnitPatch, GRID_LEVELS } from '../domain/grid';
import { orgUnit, orgUnitInput } from '../domain/org';
import {
  assignment,
  assignmentInput,
  person,
  personInput,
  personListRow,
  personPatch,
  PERSON_STATUSES,
  ROLES,
} from '../domain/people';
import { method } from './define';

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });
export const LOCALES = ['zh-CN', 'en-US'] as const;
export type Locale = (typeof LOCALES)[number];

export const app = {
  'app.info': method(
    none,
    z.object({
      version: z.string(),
      schemaVersion: z.number().int(),
      dataDir: z.string(),
      transport: z.enum(['ipc', 'http']),
    }),
  ),
  'app.settings': method(none, z.object({ locale: z.enum(LOCALES) })),
  'app.setLocale': method(z.object({ locale: z.enum(LOCALES) }).strict(), ok),
};

export const org = {
  'org.tree': method(none, z.array(orgUnit)),
  'org.create': method(orgUnitInput.strict(), orgUnit),
  'org.update': method(
    z.object({ id: entityId, name: z.string().trim().min(1).max(60).optional(), hostsCenter: z.boolean().optional() }).strict(),
    orgUnit,
  ),
};

export const gridNode = gridUnit.extend({ childCount: z.number().int(), activeMembers: z.number().int() });
export type GridNode = z.infer<typeof gridNode>;

export const grid = {
  /** The current grids under one street or community, flat; the renderer builds the tree. */
  'grid.tree': method(z.object({ orgUnitId: entityId, includeRetired: z.boolean().default(false) }).strict(), z.array(gridNode)),
  'grid.get': method(
    z.object({ id: entityId }).strict(),
    z.object({
      grid: gridUnit,
      path: z.array(z.object({ id: z.string(), name: z.string(), code: z.string() })),
      orgUnitName: z.string(),
      history: z.array(gridHistoryEntry),
      assignments: z.array(assignment),
      /**
       * What another station's change left inconsistent, which no local action allows (synced
       * after it; the server refuses such records only when they are new): a current grid under
       * a retired parent, or people whose duty runs past the grid's retirement.
       */
      warnings: z.array(z.enum(['parent_retired', 'members_after_retirement'])),
    }),
  ),
  'grid.create': method(gridUnitInput.strict(), gridUnit),
  'grid.update': method(z.object({ id: entityId, baseVersion: z.number().int().optional(), patch: gridUnitPatch.strict() }).strict(), gridUnit),
  'grid.move': method(z.object({ id: entityId, parentId: entityId.nullable(), date: isoDate }).strict(), gridUnit),
  'grid.retire': method(
    z.object({ id: entityId, validTo: isoDate, reason: z.string().trim().min(1).max(200) }).strict(),
    gridUnit,
  ),
  /** Suggests the next free code for a new grid under a community / parent grid. */
  'grid.nextCode': method(
    z.object({ orgUnitId: entityId, parentId: entityId.nullable(), level: z.enum(GRID_LEVELS), dedicated: z.boolean().default(false) }).strict(),
    z.object({ code: z.string() }),
  ),
  'grid.search': method(
    z.object({ q: z.string().trim().min(1).max(40), limit: z.number().int().min(1).max(100).default(20) }).strict(),
    z.array(gridUnit.pick({ id: true, code: true, name: true, level: true, orgUnitId: true, validTo: true })),
  ),
};

export const ROSTER_SORT_FIELDS = ['name', 'updatedAt', 'status', 'orgUnitName'] as const;

export const rosterQuery = z
  .object({
    q: z.string().trim().max(40).optional(),
    orgUnitId: entityId.optional(),
    gridId: entityId.optional(),
    role: z.enum(ROLES).optional(),
    status: z.enum(PERSON_STATUSES).optional(),
    partyMember: z.boolean().optional(),
    sort: z.enum(ROSTER_SORT_FIELDS).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(200).default(50),
  })
  .strict();
export type RosterQuery = z.infer<typeof rosterQuery>;

export const people = {
  'people.list': method(rosterQuery, z.object({ rows: z.array(personListRow), total: z.number().int() })),
  /** The full record, identifiers unmasked, for the detail form. */
  'people.get': method(z.object({ id: entityId }).strict(), z.object({ person, assignments: z.array(assignment) })),
  'people.create': method(personInput.strict(), person),
  'people.update': method(
    z.object({ id: entityId, baseVersion: z.number().int().optional(), patch: personPatch.strict() }).strict(),
    person,
  ),
  'people.assign': method(assignmentInput, assignment),
  'people.endAssignment': method(z.object({ id: entityId, endDate: isoDate }).strict(), assignment),
};

export const coverageRow = z.object({
  orgUnitId: z.string(),
  orgUnitName: z.string(),
  orgUnitCode: z.string(),
  microGrids: z.number().int(),
  withoutMember: z.number().int(),
  withoutPolice: z.number().int(),
  withoutParty: z.number().int(),
});
export const coverageGap = z.object({
  gridId: z.string(),
  code: z.string(),
  name: z.string(),
  hasMember: z.boolean(),
  hasPolice: z.boolean(),
  hasParty: z.boolean(),
});

export const coverage = {
  /** Per community of a street (or one community): micro grids missing each kind of staff. */
  'coverage.byCommunity': method(z.object({ orgUnitId: entityId }).strict(), z.array(coverageRow)),
  'coverage.gaps': method(z.object({ orgUnitId: entityId }).strict(), z.array(coverageGap)),
};

export const TRANSFER_KINDS = ['grids', 'roster'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export const file = z.object({ fileName: z.string(), base64: z.string() });

export const importRowProblem = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  reason: z.string(),
  value: z.string().nullable(),
});
export type ImportRowProblem = z.infer<typeof importRowProblem>;

export const importJob = z.object({
  id: z.string(),
  kind: z.enum(TRANSFER_KINDS),
  fileName: z.string(),
  state: z.enum(['reading', 'validated', 'importing', 'done', 'failed', 'cancelled']),
  processed: z.number().int(),
  total: z.number().int(),
  validRows: z.number().int(),
  problems: z.array(importRowProblem),
  imported: z.number().int(),
  error: z.string().nullable(),
});
export type ImportJob = z.infer<typeof importJob>;

export const transfer = {
  'transfer.template': method(z.object({ kind: z.enum(TRANSFER_KINDS) }).strict(), file),
  'transfer.export': method(z.object({ kind: z.enum(TRANSFER_KINDS), orgUnitId: entityId }).strict(), file),
  /** Reads and validates a workbook; nothing is written until `transfer.commitImport`. */
  'transfer.startImport': method(
    z
      .object({
        kind: z.enum(TRANSFER_KINDS),
        fileName: z.string().max(200),
        base64: z.string().max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, 'file_too_large'),
      })
      .strict(),
    importJob,
  ),
  'transfer.job': method(z.object({ id: entityId }).strict(), importJob),
  /** Writes every valid row of a validated job in one transaction, or nothing. */
  'transfer.commitImport': method(z.object({ id: entityId }).strict(), importJob),
  'transfer.cancelImport': method(z.object({ id: entityId }).strict(), importJob),
};

export const backupEntry = z.object({ path: z.string(), fileName: z.string(), bytes: z.number().int(), createdAt: z.string() });

export const backup = {
  'backup.list': method(none, z.array(backupEntry)),
  /** Online backup; without a path it goes to the data folder's backups/. */
  'backup.create': method(z.object({ path: z.string().trim().min(1).max(500).optional() }).strict(), backupEntry),
  /** Checks the file's integrity first, saves the current data aside, then swaps. */
  'backup.restore': method(z.object({ path: z.string().trim().min(1).max(500) }).strict(), z.object({ safetyCopy: backupEntry })),
};
