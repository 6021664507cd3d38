import type { ResponseOf } from '../../core/api/contract';
import { ruleViolation } from '../../core/api/errors';
import type { Role } from '../../core/domain/people';
import { activeRolesOnStreetGrids } from '../store/repos/assignments';
import { gridsUnder } from '../store/repos/grid-units';
import { listOrgUnits, streetIdOf } from '../store/repos/org-units';
import { today, type AppContext } from './context';
import { requireOrgUnit } from './org';

// Coverage rules (docs/architecture.md): a micro grid is staffed when someone holds the
// role on it or on a grid above it — except household heads, who run their own micro grid.
const MEMBER_ROLES: readonly Role[] = ['grid_member_full', 'grid_member_part'];

type Gap = ResponseOf<'coverage.gaps'>[number] & { orgUnitId: string };

function microGridCoverage(ctx: AppContext, orgUnitId: string): Gap[] {
  const unit = requireOrgUnit(ctx, orgUnitId);
  const streetId = streetIdOf(unit);
  if (!streetId) throw ruleViolation('coverage.needs_street_or_community');
  const on = today(ctx);
  const grids = gridsUnder(ctx.db, { streetId }, on, false);
  const parentOf = new Map(grids.map((g) => [g.id, g.parentId]));
  const roles = activeRolesOnStreetGrids(ctx.db, streetId, on);
  const micro = grids.filter((g) => g.level === 'micro' && (unit.level === 'street' || g.orgUnitId === unit.id));
  return micro.map((g) => {
    const above: Role[] = [];
    for (let id = parentOf.get(g.id) ?? null; id; id = parentOf.get(id) ?? null) above.push(...(roles.get(id) ?? []));
    const own = roles.get(g.id) ?? [];
    const inherited = [...own, ...above];
    return {
      gridId: g.id,
      code: g.code,
      name: g.name,
      orgUnitId: g.orgUnitId,
      hasMember: own.includes('household_head') || inherited.some((r) => MEMBER_ROLES.includes(r)),
      hasPolice: inherited.includes('community_police'),
      hasParty: inherited.includes('party_member'),
    };
  });
}

export function coverageGaps(ctx: AppContext, orgUnitId: string): ResponseOf<'coverage.gaps'> {
  return microGridCoverage(ctx, orgUnitId)
    .filter((g) => !(g.hasMember && g.hasPolice && g.hasParty))
    .map(({ orgUnitId: _unit, ...gap }) => gap);
}

export function coverageByCommunity(ctx: AppContext, orgUnitId: string): ResponseOf<'coverage.byCommunity'> {
  const coverage = microGridCoverage(ctx, orgUnitId);
  const units = new Map(listOrgUnits(ctx.db).map((u) => [u.id, u]));
  const rows = new Map<string, ResponseOf<'coverage.byCommunity'>[number]>();
  for (const g of coverage) {
    let row = rows.get(g.orgUnitId);
    if (!row) {
      const unit = units.get(g.orgUnitId);
      row = { orgUnitId: g.orgUnitId, orgUnitName: unit?.name ?? '', orgUnitCode: unit?.code ?? '', microGrids: 0, withoutMember: 0, withoutPolice: 0, withoutParty: 0 };
      rows.set(g.orgUnitId, row);
    }
    row.microGrids++;
    if (!g.hasMember) row.withoutMember++;
    if (!g.hasPolice) row.withoutPolice++;
    if (!g.hasParty) row.withoutParty++;
  }
  return [...rows.values()].sort((a, b) => a.orgUnitCode.localeCompare(b.orgUnitCode));
}
