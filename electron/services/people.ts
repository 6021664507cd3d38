import type { ParsedRequestOf, ResponseOf } from '../../core/api/contract';
import { AppError, notFound, ruleViolation } from '../../core/api/errors';
import { outlivesGrid } from '../../core/domain/grid';
import { maskPhone, maskResidentId } from '../../core/domain/identity';
import { roleAllowedOn, roleNeedsMicroGrid, type Assignment, type Person } from '../../core/domain/people';
import { activeRolesOf, assignmentsOfPerson, getAssignment, overlappingAssignment } from '../store/repos/assignments';
import { getPerson, listPeople, personIdByResidentId, type RosterScope } from '../store/repos/people';
import { streetIdOf } from '../store/repos/org-units';
import { changedFields, insertEntity, updateEntity } from '../store/write';
import { timestamp, today, type AppContext } from './context';
import { requireGrid } from './grid';
import { newId } from './ids';
import { requireOrgUnit } from './org';

export function requirePerson(ctx: AppContext, id: string): Person {
  const person = getPerson(ctx.db, id);
  if (!person) throw notFound('person', id);
  return person;
}

function rosterScope(ctx: AppContext, orgUnitId: string | undefined): RosterScope {
  if (!orgUnitId) return { kind: 'all' };
  const unit = requireOrgUnit(ctx, orgUnitId);
  if (unit.level === 'district') return { kind: 'all' };
  return { kind: unit.level, id: unit.id };
}

/** A roster page. Phone and ID leave this function masked: lists never carry them whole. */
export function rosterPage(ctx: AppContext, query: ParsedRequestOf<'people.list'>): ResponseOf<'people.list'> {
  const on = today(ctx);
  const { rows, total } = listPeople(ctx.db, query, rosterScope(ctx, query.orgUnitId), on);
  const roles = activeRolesOf(
    ctx.db,
    rows.map((r) => r.id),
    on,
  );
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      gender: r.gender,
      phone: maskPhone(r.phone),
      residentId: maskResidentId(r.residentId),
      partyMember: r.partyMember,
      partyBranch: r.partyBranch,
      status: r.status,
      orgUnitId: r.orgUnitId,
      orgUnitName: r.orgUnitName,
      version: r.version,
      updatedAt: r.updatedAt,
      roles: roles.get(r.id) ?? [],
    })),
  };
}

export function personDetails(ctx: AppContext, id: string): ResponseOf<'people.get'> {
  return { person: requirePerson(ctx, id), assignments: assignmentsOfPerson(ctx.db, id, today(ctx)) };
}

function streetOfPersonUnit(ctx: AppContext, orgUnitId: string): string {
  const streetId = streetIdOf(requireOrgUnit(ctx, orgUnitId));
  if (!streetId) throw ruleViolation('person.org_not_street_or_community');
  return streetId;
}

function checkResidentIdFree(ctx: AppContext, residentId: string | null | undefined, self: string | null): void {
  if (!residentId) return;
  const holder = personIdByResidentId(ctx.db, residentId);
  if (holder && holder !== self) throw new AppError('conflict', 'person.duplicate_resident_id', { personId: holder });
}

export function createPerson(ctx: AppContext, input: ParsedRequestOf<'people.create'>): Person {
  return ctx.db.transaction(() => {
    const streetId = streetOfPersonUnit(ctx, input.orgUnitId);
    checkResidentIdFree(ctx, input.residentId, null);
    const id = newId();
    insertEntity(ctx.db, 'person', id, { ...input, partyBranch: input.partyMember ? input.partyBranch : null, streetId }, timestamp(ctx));
    return requirePerson(ctx, id);
  })();
}

export function updatePerson(ctx: AppContext, input: ParsedRequestOf<'people.update'>): Person {
  return ctx.db.transaction(() => {
    const before = requirePerson(ctx, input.id);
    const patch = { ...input.patch } as Record<string, unknown>;
    if (input.patch.orgUnitId) patch.streetId = streetOfPersonUnit(ctx, input.patch.orgUnitId);
    if (input.patch.partyMember === false) patch.partyBranch = null;
    checkResidentIdFree(ctx, input.patch.residentId, input.id);
    const changed = changedFields(ctx.db, 'person', input.id, patch) as Record<string, unknown>;
    // Membership and branch travel together: the server merges field by field, and two stations
    // changing one each would leave a branch on a non-member, a person no form makes.
    if ('partyMember' in changed || 'partyBranch' in changed) {
      changed.partyMember = patch.partyMember ?? before.partyMember;
      changed.partyBranch = patch.partyBranch !== undefined ? patch.partyBranch : before.partyBranch;
    }
    updateEntity(ctx.db, 'person', input.id, changed, timestamp(ctx), input.baseVersion);
    return requirePerson(ctx, input.id);
  })();
}

export function assignRole(ctx: AppContext, input: ParsedRequestOf<'people.assign'>): Assignment {
  return ctx.db.transaction(() => {
    const person = requirePerson(ctx, input.personId);
    if (person.status === 'left') throw ruleViolation('assignment.person_left');
    if (!roleAllowedOn(input.role, input.target.kind)) throw ruleViolation('assignment.role_not_for_target', { role: input.role });
    let gridId: string | null = null;
    let orgUnitId: string | null = null;
    if (input.target.kind === 'grid') {
      const grid = requireGrid(ctx, input.target.gridId);
      if (grid.validTo !== null && grid.validTo <= input.startDate) throw ruleViolation('grid.retired');
      // a duty must end by its grid's retirement (retireGrid ends the ones it finds)
      if (outlivesGrid(input.endDate, grid.validTo)) throw ruleViolation('assignment.outlives_grid', { validTo: grid.validTo });
      if (roleNeedsMicroGrid(input.role) && grid.level !== 'micro') throw ruleViolation('assignment.household_head_micro_only');
      gridId = grid.id;
    } else {
      orgUnitId = requireOrgUnit(ctx, input.target.orgUnitId).id;
    }
    const fields = { personId: person.id, gridId, orgUnitId, role: input.role, startDate: input.startDate, endDate: input.endDate };
    if (overlappingAssignment(ctx.db, fields)) throw new AppError('conflict', 'assignment.duplicate');
    const id = newId();
    insertEntity(ctx.db, 'assignment', id, fields, timestamp(ctx));
    return getAssignment(ctx.db, id, today(ctx))!;
  })();
}

export function endAssignment(ctx: AppContext, input: ParsedRequestOf<'people.endAssignment'>): Assignment {
  return ctx.db.transaction(() => {
    const current = getAssignment(ctx.db, input.id, today(ctx));
    if (!current) throw notFound('assignment', input.id);
    if (input.endDate < current.startDate) throw ruleViolation('assignment.end_before_start');
    if (current.endDate !== null && current.endDate <= input.endDate) throw ruleViolation('assignment.already_ended');
    updateEntity(ctx.db, 'assignment', input.id, { endDate: input.endDate }, timestamp(ctx));
    return getAssignment(ctx.db, input.id, today(ctx))!;
  })();
}
