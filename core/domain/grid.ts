import { z } from 'zod';
import { isoDate, patchOf } from './common';

// Grid tree: large > medium > small (basic) > micro. Every grid belongs to exactly one
// village or community (DB6101/T 3185-2024); grid codes are built on that community's
// 12-digit code — see docs/grid-codes.md.

export const GRID_LEVELS = ['large', 'medium', 'small', 'micro'] as const;
export type GridLevel = (typeof GRID_LEVELS)[number];

export const GRID_CATEGORIES = ['village', 'urban_community', 'general_rural', 'mountain'] as const;
export type GridCategory = (typeof GRID_CATEGORIES)[number];

/** Basic grids cover territory; dedicated grids (专属网格) cover one unit such as a school. */
export const GRID_KINDS = ['basic', 'dedicated'] as const;
export type GridKind = (typeof GRID_KINDS)[number];

export const DEDICATED_TYPES = ['school', 'hospital', 'market', 'enterprise', 'agency', 'other'] as const;
export type DedicatedType = (typeof DEDICATED_TYPES)[number];

const LEVEL_RANK: Record<GridLevel, number> = { large: 0, medium: 1, small: 2, micro: 3 };

/** Which parent levels a grid of `level` may hang under (null = directly under its community). */
export function allowedParentLevels(level: GridLevel): readonly (GridLevel | null)[] {
  switch (level) {
    case 'large':
      return [null];
    case 'medium':
      return ['large'];
    case 'small':
      return [null, 'large', 'medium'];
    case 'micro':
      return ['small'];
  }
}

export function isAbove(a: GridLevel, b: GridLevel): boolean {
  return LEVEL_RANK[a] < LEVEL_RANK[b];
}

/** The one-digit type marker inside a grid code. */
const TYPE_DIGIT: Record<Exclude<GridLevel, 'micro'>, string> = { large: '1', medium: '2', small: '3' };
const DEDICATED_DIGIT = '4';

export type GridCodeProblem = 'format' | 'wrong_community' | 'wrong_type' | 'not_under_parent';

/**
 * Grid codes:
 *   large / medium / small / dedicated: <12-digit community code><type digit><3-digit sequence>  (16 digits)
 *   micro:                              <16-digit small-grid code><3-digit sequence>               (19 digits)
 * Sequences number grids within their community (or small grid) west to east, north to south.
 */
export function gridCodeProblem(
  code: string,
  grid: { level: GridLevel; kind: GridKind },
  communityCode: string,
  parentCode: string | null,
): GridCodeProblem | null {
  if (grid.level === 'micro') {
    if (!/^\d{19}$/.test(code)) return 'format';
    if (!code.startsWith(communityCode)) return 'wrong_community';
    if (parentCode === null || !code.startsWith(parentCode)) return 'not_under_parent';
    if (code.endsWith('000')) return 'format';
    return null;
  }
  if (!/^\d{16}$/.test(code)) return 'format';
  if (!code.startsWith(communityCode)) return 'wrong_community';
  const expected = grid.kind === 'dedicated' ? DEDICATED_DIGIT : TYPE_DIGIT[grid.level];
  if (code[12] !== expected) return 'wrong_type';
  if (code.endsWith('000')) return 'format';
  return null;
}

export function makeGridCode(
  grid: { level: GridLevel; kind: GridKind },
  communityCode: string,
  parentCode: string | null,
  sequence: number,
): string {
  const seq = String(sequence).padStart(3, '0');
  if (grid.level === 'micro') return `${parentCode}${seq}`;
  const type = grid.kind === 'dedicated' ? DEDICATED_DIGIT : TYPE_DIGIT[grid.level];
  return `${communityCode}${type}${seq}`;
}

export const gridUnit = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  level: z.enum(GRID_LEVELS),
  kind: z.enum(GRID_KINDS),
  dedicatedType: z.enum(DEDICATED_TYPES).nullable(),
  category: z.enum(GRID_CATEGORIES),
  parentId: z.string().nullable(),
  orgUnitId: z.string(),
  householdCount: z.number().int(),
  validFrom: isoDate,
  validTo: isoDate.nullable(),
  predecessorId: z.string().nullable(),
  version: z.number().int(),
});
export type GridUnit = z.infer<typeof gridUnit>;

export const gridUnitInput = z.object({
  code: z.string().trim().regex(/^\d{16}(\d{3})?$/, 'grid_code_format'),
  name: z.string().trim().min(1).max(60),
  level: z.enum(GRID_LEVELS),
  kind: z.enum(GRID_KINDS).default('basic'),
  dedicatedType: z.enum(DEDICATED_TYPES).nullable().default(null),
  category: z.enum(GRID_CATEGORIES),
  parentId: z.string().nullable(),
  orgUnitId: z.string(),
  householdCount: z.number().int().min(0).max(100000).default(0),
  validFrom: isoDate,
  predecessorId: z.string().nullable().default(null),
});
export type GridUnitInput = z.infer<typeof gridUnitInput>;

/** Descriptive fields that may change without re-drawing the grid. */
export const gridUnitPatch = patchOf(
  gridUnitInput.pick({ name: true, category: true, householdCount: true, dedicatedType: true }).shape,
);
export type GridUnitPatch = z.infer<typeof gridUnitPatch>;

export const GRID_HISTORY_ACTIONS = ['created', 'updated', 'moved', 'retired'] as const;
export const gridHistoryEntry = z.object({
  action: z.enum(GRID_HISTORY_ACTIONS),
  detail: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type GridHistoryEntry = z.infer<typeof gridHistoryEntry>;

/**
 * Whether something that runs until `end` (null: open-ended) outlives a grid that ends on
 * `gridValidTo` (its first day out of service; null: open-ended). A child grid and a duty on a
 * grid must not: a retirement ends both (retireGrid), and nothing new may start otherwise.
 */
export function outlivesGrid(end: string | null, gridValidTo: string | null): boolean {
  return gridValidTo !== null && (end === null || end > gridValidTo);
}
