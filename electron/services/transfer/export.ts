import type { TransferKind } from '../../../core/api/areas';
import type { ResponseOf } from '../../../core/api/contract';
import { ruleViolation } from '../../../core/api/errors';
import { assignmentsOfPerson } from '../../store/repos/assignments';
import { gridsUnder } from '../../store/repos/grid-units';
import { listOrgUnits, streetIdOf } from '../../store/repos/org-units';
import { listPeople, type RosterScope } from '../../store/repos/people';
import { today, type AppContext } from '../context';
import { requireOrgUnit } from '../org';
import {
  DEDICATED_TYPE_LABELS,
  GENDER_LABELS,
  GRID_CATEGORY_LABELS,
  GRID_KIND_LABELS,
  GRID_LEVEL_LABELS,
  PERSON_STATUS_LABELS,
  ROLE_LABELS,
  YES_NO_LABELS,
} from './labels';
import { buildWorkbook, type SheetRow } from './workbook';

// Export writes the same columns the import reads, so an exported file can be edited and
// imported back. Phones and ID numbers go out whole: this is the operator's own roster
// file. They are never logged (nothing here logs row content).

function gridRows(ctx: AppContext, scope: { streetId: string } | { orgUnitId: string }): SheetRow[] {
  const grids = gridsUnder(ctx.db, scope, today(ctx), false);
  const codeOf = new Map(grids.map((g) => [g.id, g.code]));
  const orgCodeOf = new Map(listOrgUnits(ctx.db).map((u) => [u.id, u.code]));
  // Ordered by code: large (…1nnn) < medium (…2nnn) < small (…3nnn) < its micro grids
  // (…3nnnmmm), so every parent row comes before its children, as the import needs.
  return grids.map((g) => ({
    code: g.code,
    name: g.name,
    level: GRID_LEVEL_LABELS[g.level],
    kind: GRID_KIND_LABELS[g.kind],
    dedicatedType: g.dedicatedType ? DEDICATED_TYPE_LABELS[g.dedicatedType] : '',
    category: GRID_CATEGORY_LABELS[g.category],
    parentCode: g.parentId ? (codeOf.get(g.parentId) ?? '') : '',
    orgUnitCode: orgCodeOf.get(g.orgUnitId) ?? '',
    householdCount: String(g.householdCount),
    validFrom: g.validFrom,
  }));
}

function rosterRows(ctx: AppContext, scope: RosterScope): SheetRow[] {
  const on = today(ctx);
  const orgCodeOf = new Map(listOrgUnits(ctx.db).map((u) => [u.id, u.code]));
  const { rows: people } = listPeople(
    ctx.db,
    { sort: 'name', order: 'asc', page: 1, pageSize: Number.MAX_SAFE_INTEGER },
    scope,
    on,
  );
  const rows: SheetRow[] = [];
  for (const p of people) {
    const base: SheetRow = {
      name: p.name,
      gender: p.gender ? GENDER_LABELS[p.gender] : '',
      phone: p.phone ?? '',
      residentId: p.residentId ?? '',
      partyMember: YES_NO_LABELS[p.partyMember ? 'yes' : 'no'],
      partyBranch: p.partyBranch ?? '',
      status: PERSON_STATUS_LABELS[p.status],
      orgUnitCode: orgCodeOf.get(p.orgUnitId) ?? '',
      gridCode: '',
      role: '',
      startDate: '',
    };
    const active = assignmentsOfPerson(ctx.db, p.id, on).filter((a) => a.active);
    if (active.length === 0) rows.push(base);
    for (const a of active) {
      // An org-level role on the person's own unit needs no code; elsewhere the unit's code.
      const gridCode = a.gridId ? a.targetCode : a.orgUnitId === p.orgUnitId ? '' : a.targetCode;
      rows.push({ ...base, gridCode, role: ROLE_LABELS[a.role], startDate: a.startDate });
    }
  }
  return rows;
}

export async function exportWorkbook(ctx: AppContext, kind: TransferKind, orgUnitId: string): Promise<ResponseOf<'transfer.export'>> {
  const unit = requireOrgUnit(ctx, orgUnitId);
  const streetId = streetIdOf(unit);
  if (!streetId) throw ruleViolation('transfer.export_needs_street_or_community');
  // Rows are gathered synchronously (one consistent read) before any await.
  const rows =
    kind === 'grids'
      ? gridRows(ctx, unit.level === 'street' ? { streetId } : { orgUnitId: unit.id })
      : rosterRows(ctx, unit.level === 'street' ? { kind: 'street', id: unit.id } : { kind: 'community', id: unit.id });
  const what = kind === 'grids' ? '网格' : '人员花名册';
  return { fileName: `${what}-${unit.name}-${today(ctx)}.xlsx`, base64: await buildWorkbook(kind, rows) };
}
