import { assignmentInput, personInput, type PersonPatch } from '../../../core/domain/people';
import type { Db } from '../../store/db';
import { overlappingAssignment } from '../../store/repos/assignments';
import { gridByCode } from '../../store/repos/grid-units';
import { orgUnitByCode } from '../../store/repos/org-units';
import { getPerson, personIdByResidentId } from '../../store/repos/people';
import { cachedStatement } from '../../store/statements';
import type { AppContext } from '../context';
import { assignRole, createPerson, updatePerson } from '../people';
import { GENDER_LABELS, PERSON_STATUS_LABELS, ROLE_LABELS, valueOfLabel, YES_NO_LABELS, type LabelMap } from './labels';
import { issueAt, missingRequired, normalizeDate, RowRejected, zodIssues, type RowIssue } from './row-problems';
import type { SheetRow } from './workbook';

// One roster row: a person (created, or updated when their 身份证号 is already known) and
// optionally one role. Several rows for the same person each add a role, because the rows
// above are already in the (uncommitted) database when this one is applied.

const REQUIRED = ['name', 'orgUnitCode'];
const KEY_OF_FIELD: Record<string, string> = { orgUnitId: 'orgUnitCode', target: 'gridCode' };

export function rosterColumnOfReason(reason: string): string | null {
  if (reason === 'person.duplicate_resident_id') return 'residentId';
  if (reason === 'person.org_not_street_or_community' || reason.startsWith('org_unit.')) return 'orgUnitCode';
  if (reason === 'assignment.person_left') return 'status';
  if (reason === 'assignment.role_not_for_target' || reason === 'assignment.duplicate') return 'role';
  if (reason.startsWith('grid.') || reason === 'assignment.household_head_micro_only') return 'gridCode';
  return null;
}

function label<V extends string>(labels: LabelMap<V>, key: string, cells: SheetRow, issues: RowIssue[]): V | undefined {
  const text = cells[key];
  if (!text) return undefined;
  const value = valueOfLabel(labels, text);
  if (value === undefined) issues.push(issueAt('roster', key, 'row.invalid_value', cells));
  return value;
}

/**
 * Without a 身份证号 a person is recognised by name + phone (people without an ID number
 * are common among volunteers); with neither, every row is a new person.
 */
function personIdByNameAndPhone(db: Db, name: string, phone: string): string | undefined {
  const row = cachedStatement(db, 'SELECT id FROM person WHERE phone = ? AND name = ? AND resident_id IS NULL ORDER BY created_at LIMIT 1').get(
    phone,
    name,
  ) as { id: string } | undefined;
  return row?.id;
}

export function applyRosterRow(ctx: AppContext, cells: SheetRow): void {
  const { db } = ctx;
  const issues = missingRequired('roster', REQUIRED, cells);
  const gender = label(GENDER_LABELS, 'gender', cells, issues);
  const partyMember = label(YES_NO_LABELS, 'partyMember', cells, issues);
  const status = label(PERSON_STATUS_LABELS, 'status', cells, issues);
  const role = label(ROLE_LABELS, 'role', cells, issues);
  const unit = cells.orgUnitCode ? orgUnitByCode(db, cells.orgUnitCode) : undefined;
  if (cells.orgUnitCode && !unit) issues.push(issueAt('roster', 'orgUnitCode', 'org_unit.not_found', cells));
  // 网格代码 normally names a grid; a 12-digit code names a street or community instead
  // (an org-level role held somewhere other than the person's own unit).
  const targetOrg = cells.gridCode && /^\d{12}$/.test(cells.gridCode) ? orgUnitByCode(db, cells.gridCode) : undefined;
  const targetGrid = cells.gridCode && !/^\d{12}$/.test(cells.gridCode) ? gridByCode(db, cells.gridCode) : undefined;
  if (cells.gridCode && !targetOrg && !targetGrid) issues.push(issueAt('roster', 'gridCode', 'grid.not_found', cells));
  if (cells.gridCode && !cells.role) issues.push(issueAt('roster', 'role', 'row.role_required', cells));
  if (cells.role && !cells.startDate) issues.push(issueAt('roster', 'startDate', 'row.required', cells));
  if (issues.length) throw new RowRejected(issues);

  const parsed = personInput.strict().safeParse({
    name: cells.name,
    gender: gender ?? null,
    phone: cells.phone || null,
    residentId: cells.residentId || null,
    partyMember: partyMember === 'yes',
    partyBranch: cells.partyBranch || null,
    status: status ?? 'active',
    orgUnitId: unit!.id,
  });
  if (!parsed.success) issues.push(...zodIssues('roster', parsed.error, KEY_OF_FIELD, cells));
  const target = targetGrid ? { kind: 'grid' as const, gridId: targetGrid.id } : { kind: 'org' as const, orgUnitId: (targetOrg ?? unit)!.id };
  // The person id is not known yet; a placeholder lets the rest of the shape be checked now.
  const assignment = role ? assignmentInput.safeParse({ personId: '?', target, role, startDate: normalizeDate(cells.startDate ?? '') }) : null;
  if (assignment && !assignment.success) issues.push(...zodIssues('roster', assignment.error, KEY_OF_FIELD, cells));
  if (issues.length || !parsed.success) throw new RowRejected(issues);
  const input = parsed.data;

  const existingId = input.residentId
    ? personIdByResidentId(db, input.residentId)
    : input.phone
      ? personIdByNameAndPhone(db, input.name, input.phone)
      : undefined;
  let personId: string;
  if (existingId === undefined) {
    personId = createPerson(ctx, input).id;
  } else {
    personId = existingId;
    // Blank cells leave stored values alone; only what the row states and differs is patched.
    const current = getPerson(db, existingId)!;
    const patch: PersonPatch = {};
    if (current.name !== input.name) patch.name = input.name;
    if (current.orgUnitId !== input.orgUnitId) patch.orgUnitId = input.orgUnitId;
    if (cells.gender && current.gender !== input.gender) patch.gender = input.gender;
    if (cells.phone && current.phone !== input.phone) patch.phone = input.phone;
    if (cells.partyMember && current.partyMember !== input.partyMember) patch.partyMember = input.partyMember;
    if (cells.partyBranch && current.partyBranch !== input.partyBranch) patch.partyBranch = input.partyBranch;
    if (cells.status && current.status !== input.status) patch.status = input.status;
    if (Object.keys(patch).length) updatePerson(ctx, { id: existingId, patch });
  }

  if (assignment?.success) {
    const a = { ...assignment.data, personId };
    const place = { gridId: a.target.kind === 'grid' ? a.target.gridId : null, orgUnitId: a.target.kind === 'org' ? a.target.orgUnitId : null };
    // Already holding this role there (a re-imported roster): nothing to add.
    if (overlappingAssignment(db, { personId, ...place, role: a.role, startDate: a.startDate, endDate: a.endDate })) return;
    assignRole(ctx, a);
  }
}
