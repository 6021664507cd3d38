import { AppError } from '../../../core/api/errors';
import { gridUnitInput, type GridUnitPatch } from '../../../core/domain/grid';
import { gridByCode } from '../../store/repos/grid-units';
import { orgUnitByCode } from '../../store/repos/org-units';
import type { AppContext } from '../context';
import { createGrid, updateGrid } from '../grid';
import { DEDICATED_TYPE_LABELS, GRID_CATEGORY_LABELS, GRID_KIND_LABELS, GRID_LEVEL_LABELS, valueOfLabel, type LabelMap } from './labels';
import { issueAt, missingRequired, normalizeDate, RowRejected, zodIssues, type RowIssue } from './row-problems';
import type { SheetRow } from './workbook';

// One grid row: resolve codes to ids, parse with the contract's gridUnitInput, then create
// through the grid service (or update the descriptive fields of a grid already there).

const REQUIRED = ['code', 'name', 'level', 'category', 'orgUnitCode', 'validFrom'];
const KEY_OF_FIELD: Record<string, string> = { parentId: 'parentCode', orgUnitId: 'orgUnitCode' };

export function gridColumnOfReason(reason: string): string | null {
  if (reason.startsWith('grid.code_')) return 'code';
  if (reason.startsWith('grid.parent_')) return 'parentCode';
  if (reason === 'grid.org_not_community' || reason.startsWith('org_unit.')) return 'orgUnitCode';
  if (reason === 'grid.dedicated_rules') return 'kind';
  return null;
}

function label<V extends string>(labels: LabelMap<V>, key: string, cells: SheetRow, issues: RowIssue[]): V | undefined {
  const text = cells[key];
  if (!text) return undefined;
  const value = valueOfLabel(labels, text);
  if (value === undefined) issues.push(issueAt('grids', key, 'row.invalid_value', cells));
  return value;
}

const asNumber = (text: string | undefined): number | string | undefined =>
  !text ? undefined : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;

export function applyGridRow(ctx: AppContext, cells: SheetRow): void {
  const issues = missingRequired('grids', REQUIRED, cells);
  const level = label(GRID_LEVEL_LABELS, 'level', cells, issues);
  const kind = label(GRID_KIND_LABELS, 'kind', cells, issues);
  const dedicatedType = label(DEDICATED_TYPE_LABELS, 'dedicatedType', cells, issues);
  const category = label(GRID_CATEGORY_LABELS, 'category', cells, issues);
  const community = cells.orgUnitCode ? orgUnitByCode(ctx.db, cells.orgUnitCode) : undefined;
  if (cells.orgUnitCode && !community) issues.push(issueAt('grids', 'orgUnitCode', 'org_unit.not_found', cells));
  // A parent defined higher up in the same file is already in the (uncommitted) database.
  const parent = cells.parentCode ? gridByCode(ctx.db, cells.parentCode) : null;
  if (cells.parentCode && !parent) issues.push(issueAt('grids', 'parentCode', 'grid.parent_not_found', cells));
  if (issues.length) throw new RowRejected(issues);

  const parsed = gridUnitInput.strict().safeParse({
    code: cells.code,
    name: cells.name,
    level,
    kind,
    dedicatedType: dedicatedType ?? null,
    category,
    parentId: parent?.id ?? null,
    orgUnitId: community!.id,
    householdCount: asNumber(cells.householdCount),
    validFrom: normalizeDate(cells.validFrom ?? ''),
  });
  if (!parsed.success) throw new RowRejected(zodIssues('grids', parsed.error, KEY_OF_FIELD, cells));
  const input = parsed.data;

  const existing = gridByCode(ctx.db, input.code);
  if (!existing) {
    createGrid(ctx, input);
    return;
  }
  // The same grid again (a re-imported export): refresh what may change without re-drawing.
  const sameGrid =
    existing.orgUnitId === input.orgUnitId && existing.level === input.level && existing.kind === input.kind && existing.parentId === input.parentId;
  if (!sameGrid) throw new AppError('conflict', 'grid.code_taken', { code: input.code });
  const patch: GridUnitPatch = {};
  if (existing.name !== input.name) patch.name = input.name;
  if (existing.category !== input.category) patch.category = input.category;
  if (cells.householdCount && existing.householdCount !== input.householdCount) patch.householdCount = input.householdCount;
  if (existing.kind === 'dedicated' && existing.dedicatedType !== input.dedicatedType) patch.dedicatedType = input.dedicatedType;
  if (Object.keys(patch).length) updateGrid(ctx, { id: existing.id, patch });
}
