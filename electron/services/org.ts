import type { ParsedRequestOf } from '../../core/api/contract';
import { AppError, notFound, ruleViolation } from '../../core/api/errors';
import { childOrgLevel, orgCodeProblem, type OrgUnit } from '../../core/domain/org';
import { getOrgUnit, listOrgUnits, orgUnitByCode } from '../store/repos/org-units';
import { changedFields, insertEntity, updateEntity } from '../store/write';
import { timestamp, type AppContext } from './context';
import { newId } from './ids';

export function orgTree(ctx: AppContext): OrgUnit[] {
  return listOrgUnits(ctx.db);
}

export function requireOrgUnit(ctx: AppContext, id: string): OrgUnit {
  const unit = getOrgUnit(ctx.db, id);
  if (!unit) throw notFound('org_unit', id);
  return unit;
}

export function createOrgUnit(ctx: AppContext, input: ParsedRequestOf<'org.create'>): OrgUnit {
  const { db } = ctx;
  return db.transaction(() => {
    const parent = input.parentId === null ? null : requireOrgUnit(ctx, input.parentId);
    if (input.level === 'district' ? parent !== null : parent === null || childOrgLevel(parent.level) !== input.level) {
      throw ruleViolation('org.parent_level', { level: input.level, parentLevel: parent?.level ?? null });
    }
    const problem = orgCodeProblem(input.code, input.level, parent?.code ?? null);
    if (problem) throw ruleViolation(`org.code_${problem}`, { code: input.code });
    if (orgUnitByCode(db, input.code)) throw new AppError('conflict', 'org.code_taken', { code: input.code });
    if ((input.level === 'community') !== (input.kind !== null)) throw ruleViolation('org.kind_only_for_community');
    const id = newId();
    insertEntity(db, 'orgUnit', id, { ...input }, timestamp(ctx));
    return requireOrgUnit(ctx, id);
  })();
}

export function updateOrgUnit(ctx: AppContext, input: ParsedRequestOf<'org.update'>): OrgUnit {
  return ctx.db.transaction(() => {
    requireOrgUnit(ctx, input.id);
    const patch = changedFields(ctx.db, 'orgUnit', input.id, { name: input.name, hostsCenter: input.hostsCenter });
    updateEntity(ctx.db, 'orgUnit', input.id, patch, timestamp(ctx));
    return requireOrgUnit(ctx, input.id);
  })();
}
