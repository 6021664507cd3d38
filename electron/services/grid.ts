import type { GridNode } from '../../core/api/areas';
import type { ParsedRequestOf, ResponseOf } from '../../core/api/contract';
import { AppError, notFound, ruleViolation } from '../../core/api/errors';
import { allowedParentLevels, gridCodeProblem, makeGridCode, type GridHistoryEntry, type GridUnit } from '../../core/domain/grid';
import type { OrgUnit } from '../../core/domain/org';
import { outlivesItsGrid, type Assignment } from '../../core/domain/people';
import { activeRolesOnStreetGrids, assignmentsRunningAfter, assignmentsOfGrid } from '../store/repos/assignments';
import {
  currentChildCount,
  getGrid,
  gridByCode,
  gridHistory,
  gridPath,
  gridsUnder,
  highestCode,
  searchGrids,
} from '../store/repos/grid-units';
import { streetIdOf } from '../store/repos/org-units';
import { changedFields, insertEntity, updateEntity, writeCommand } from '../store/write';
import { timestamp, today, type AppContext } from './context';
import { newId } from './ids';
import { requireOrgUnit } from './org';

/** History is an append-only synced entity: it goes through the one write path too. */
function addGridHistory(ctx: AppContext, gridId: string, action: GridHistoryEntry['action'], detail: Record<string, unknown>, at: string): void {
  insertEntity(ctx.db, 'gridHistory', newId(), { gridId, action, detail: JSON.stringify(detail) }, at);
}

export function requireGrid(ctx: AppContext, id: string): GridUnit {
  const grid = getGrid(ctx.db, id);
  if (!grid) throw notFound('grid', id);
  return grid;
}

const isCurrent = (grid: GridUnit, on: string): boolean => grid.validTo === null || grid.validTo > on;

function requireCommunity(ctx: AppContext, id: string): OrgUnit {
  const unit = requireOrgUnit(ctx, id);
  if (unit.level !== 'community') throw ruleViolation('grid.org_not_community', { orgUnitId: id });
  return unit;
}

/**
 * The parent rules shared by create and move: level nesting, same community, and no retirement
 * set, past or due (a grid must not outlive its parent; the server re-checks a new grid so).
 */
function checkParent(ctx: AppContext, level: GridUnit['level'], orgUnitId: string, parentId: string | null): GridUnit | null {
  const parent = parentId === null ? null : requireGrid(ctx, parentId);
  if (!allowedParentLevels(level).includes(parent?.level ?? null)) {
    throw ruleViolation('grid.parent_level', { level, parentLevel: parent?.level ?? null });
  }
  if (parent && parent.orgUnitId !== orgUnitId) throw ruleViolation('grid.parent_other_community');
  if (parent && parent.validTo !== null) throw ruleViolation('grid.parent_retired');
  return parent;
}

export function gridTree(ctx: AppContext, input: ParsedRequestOf<'grid.tree'>): GridNode[] {
  const unit = requireOrgUnit(ctx, input.orgUnitId);
  const streetId = streetIdOf(unit);
  if (!streetId) throw ruleViolation('grid.tree_needs_street_or_community');
  const on = today(ctx);
  const grids = gridsUnder(ctx.db, unit.level === 'street' ? { streetId } : { orgUnitId: unit.id }, on, input.includeRetired);
  const roles = activeRolesOnStreetGrids(ctx.db, streetId, on);
  const children = new Map<string, number>();
  for (const g of grids) if (g.parentId) children.set(g.parentId, (children.get(g.parentId) ?? 0) + 1);
  // Completed in place (each row is a fresh object): a spread copy of ~760 rows of 16 fields
  // cost ~2 ms and its garbage another few at p95 (bench street_subtree_p95: 23.7 → 16.4 ms).
  return grids.map((g) => Object.assign(g, { childCount: children.get(g.id) ?? 0, activeMembers: roles.get(g.id)?.length ?? 0 }));
}

/** See `grid.get`'s warnings: states a sync can bring in that the local rules never allow. */
function gridWarnings(ctx: AppContext, grid: GridUnit, assignments: readonly Assignment[], on: string): ResponseOf<'grid.get'>['warnings'] {
  const warnings: ResponseOf<'grid.get'>['warnings'] = [];
  const parent = grid.parentId === null ? null : getGrid(ctx.db, grid.parentId);
  if (parent && isCurrent(grid, on) && !isCurrent(parent, on)) warnings.push('parent_retired');
  if (assignments.some(outlivesItsGrid)) warnings.push('members_after_retirement');
  return warnings;
}

export function gridDetails(ctx: AppContext, id: string): ResponseOf<'grid.get'> {
  const grid = requireGrid(ctx, id);
  const on = today(ctx);
  const assignments = assignmentsOfGrid(ctx.db, id, on);
  return {
    grid,
    path: gridPath(ctx.db, id),
    orgUnitName: requireOrgUnit(ctx, grid.orgUnitId).name,
    history: gridHistory(ctx.db, id),
    assignments,
    warnings: gridWarnings(ctx, grid, assignments, on),
  };
}

export function createGrid(ctx: AppContext, input: ParsedRequestOf<'grid.create'>): GridUnit {
  const { db } = ctx;
  return db.transaction(() => {
    const community = requireCommunity(ctx, input.orgUnitId);
    const parent = checkParent(ctx, input.level, community.id, input.parentId);
    if (input.kind === 'dedicated' && (input.level !== 'small' || input.dedicatedType === null)) {
      throw ruleViolation('grid.dedicated_rules');
    }
    const problem = gridCodeProblem(input.code, input, community.code, parent?.code ?? null);
    if (problem) throw ruleViolation(`grid.code_${problem}`, { code: input.code });
    if (gridByCode(db, input.code)) throw new AppError('conflict', 'grid.code_taken', { code: input.code });
    if (input.predecessorId) requireGrid(ctx, input.predecessorId);
    const id = newId();
    const at = timestamp(ctx);
    insertEntity(db, 'gridUnit', id, { ...input, streetId: community.parentId }, at);
    addGridHistory(ctx, id, 'created', { code: input.code, parentId: input.parentId, predecessorId: input.predecessorId }, at);
    return requireGrid(ctx, id);
  })();
}

export function updateGrid(ctx: AppContext, input: ParsedRequestOf<'grid.update'>): GridUnit {
  return ctx.db.transaction(() => {
    const before = requireGrid(ctx, input.id);
    if (input.patch.dedicatedType !== undefined && before.kind !== 'dedicated') throw ruleViolation('grid.dedicated_rules');
    const patch = changedFields(ctx.db, 'gridUnit', input.id, input.patch);
    if (Object.keys(patch).length === 0) return before;
    const at = timestamp(ctx);
    updateEntity(ctx.db, 'gridUnit', input.id, patch, at, input.baseVersion);
    const changed = Object.fromEntries(
      Object.entries(patch).map(([field, value]) => [field, { from: before[field as keyof GridUnit], to: value }]),
    );
    addGridHistory(ctx, input.id, 'updated', changed, at);
    return requireGrid(ctx, input.id);
  })();
}

/** The next free code under a community (or, for micro grids, under their small grid). */
export function nextGridCode(ctx: AppContext, input: ParsedRequestOf<'grid.nextCode'>): string {
  const community = requireCommunity(ctx, input.orgUnitId);
  const parent = input.parentId === null ? null : requireGrid(ctx, input.parentId);
  const shape = { level: input.level, kind: input.dedicated ? ('dedicated' as const) : ('basic' as const) };
  const prefix = makeGridCode(shape, community.code, parent?.code ?? null, 0).slice(0, -3);
  const highest = highestCode(ctx.db, prefix, prefix.length + 3);
  const next = highest === null ? 1 : Number(highest.slice(-3)) + 1;
  if (next > 999) throw ruleViolation('grid.codes_exhausted', { prefix });
  return makeGridCode(shape, community.code, parent?.code ?? null, next);
}

/**
 * Re-parents a grid within its community. A micro grid's code embeds its small grid's code,
 * so it gets the next free code under the new parent; the history keeps both. One command:
 * the server takes the grid's change and its history together, or neither.
 */
export function moveGrid(ctx: AppContext, input: ParsedRequestOf<'grid.move'>): GridUnit {
  return writeCommand(ctx.db, 'grid.move', { gridId: input.id, parentId: input.parentId, date: input.date }, () => {
    const grid = requireGrid(ctx, input.id);
    // the server refuses a move on or after the grid's end the same way (server/sync/commands.ts)
    if (!isCurrent(grid, today(ctx)) || !isCurrent(grid, input.date)) throw ruleViolation('grid.retired');
    if (input.parentId === grid.id) throw ruleViolation('grid.parent_level');
    checkParent(ctx, grid.level, grid.orgUnitId, input.parentId);
    const code =
      grid.level === 'micro' && input.parentId !== grid.parentId
        ? nextGridCode(ctx, { orgUnitId: grid.orgUnitId, parentId: input.parentId, level: 'micro', dedicated: false })
        : grid.code;
    const at = timestamp(ctx);
    updateEntity(ctx.db, 'gridUnit', grid.id, { parentId: input.parentId, code }, at);
    addGridHistory(
      ctx,
      grid.id,
      'moved',
      { date: input.date, fromParentId: grid.parentId, toParentId: input.parentId, fromCode: grid.code, toCode: code },
      at,
    );
    return requireGrid(ctx, grid.id);
  });
}

/**
 * Ends a grid's life (re-drawn or dissolved). Its assignments end with it; children must move
 * first. One command: the server refuses it whole if another station has meanwhile put a grid
 * under it or given someone a duty on it.
 */
export function retireGrid(ctx: AppContext, input: ParsedRequestOf<'grid.retire'>): GridUnit {
  return writeCommand(ctx.db, 'grid.retire', { gridId: input.id, validTo: input.validTo }, () => {
    const grid = requireGrid(ctx, input.id);
    if (grid.validTo !== null) throw ruleViolation('grid.retired');
    if (input.validTo < grid.validFrom) throw ruleViolation('grid.retire_before_start');
    if (currentChildCount(ctx.db, grid.id, input.validTo) > 0) throw ruleViolation('grid.has_children');
    const at = timestamp(ctx);
    for (const a of assignmentsRunningAfter(ctx.db, grid.id, input.validTo)) {
      // One that was due to start later never starts: it ends on its first day.
      const endDate = a.startDate > input.validTo ? a.startDate : input.validTo;
      updateEntity(ctx.db, 'assignment', a.id, { endDate }, at);
    }
    updateEntity(ctx.db, 'gridUnit', grid.id, { validTo: input.validTo }, at);
    addGridHistory(ctx, grid.id, 'retired', { validTo: input.validTo, reason: input.reason }, at);
    return requireGrid(ctx, grid.id);
  });
}

export function findGrids(ctx: AppContext, input: ParsedRequestOf<'grid.search'>): ResponseOf<'grid.search'> {
  return searchGrids(ctx.db, input.q, input.limit).map(({ id, code, name, level, orgUnitId, validTo }) => ({ id, code, name, level, orgUnitId, validTo }));
}
