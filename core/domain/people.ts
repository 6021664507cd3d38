import { z } from 'zod';
import { outlivesGrid } from './grid';
import { isoDate, patchOf } from './common';
import { isMobile, residentIdProblem } from './identity';

export const PERSON_STATUSES = ['active', 'inactive', 'left'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

export const GENDERS = ['male', 'female'] as const;

export const phone = z.string().trim().refine(isMobile, 'phone_format');
export const residentId = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((v, ctx) => {
    const problem = residentIdProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `resident_id_${problem}` });
  });

export const personInput = z.object({
  name: z.string().trim().min(1).max(40),
  gender: z.enum(GENDERS).nullable().default(null),
  phone: phone.nullable().default(null),
  residentId: residentId.nullable().default(null),
  partyMember: z.boolean().default(false),
  partyBranch: z.string().trim().max(60).nullable().default(null),
  status: z.enum(PERSON_STATUSES).default('active'),
  orgUnitId: z.string(),
  note: z.string().max(500).nullable().default(null),
});
export type PersonInput = z.infer<typeof personInput>;

export const personPatch = patchOf(personInput.shape);
export type PersonPatch = z.infer<typeof personPatch>;

export const person = z.object({
  id: z.string(),
  name: z.string(),
  gender: z.enum(GENDERS).nullable(),
  phone: z.string().nullable(),
  residentId: z.string().nullable(),
  partyMember: z.boolean(),
  partyBranch: z.string().nullable(),
  status: z.enum(PERSON_STATUSES),
  orgUnitId: z.string(),
  note: z.string().nullable(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type Person = z.infer<typeof person>;

/** A roster row: identifiers masked, never the raw values. */
export const personListRow = person
  .omit({ note: true })
  .extend({ orgUnitName: z.string(), roles: z.array(z.string()) });
export type PersonListRow = z.infer<typeof personListRow>;

// Roles from DOMAIN.md. Where a role may be held: on a grid, on an org unit, or both.
export const ROLES = [
  'grid_chief',
  'grid_member_full',
  'grid_member_part',
  'household_head',
  'community_police',
  'traffic_police',
  'party_member',
  'eco_patroller',
  'river_patroller',
  'forest_ranger',
  'volunteer',
  'bao_lian_cadre',
  'center_operator',
  'department_handler',
  'leader',
] as const;
export type Role = (typeof ROLES)[number];

export type AssignmentTargetKind = 'grid' | 'org';

const GRID_ONLY: readonly Role[] = ['grid_chief', 'grid_member_full', 'grid_member_part', 'household_head'];
const ORG_ONLY: readonly Role[] = ['bao_lian_cadre', 'center_operator', 'department_handler', 'leader'];

export function roleAllowedOn(role: Role, target: AssignmentTargetKind): boolean {
  if (target === 'grid') return !ORG_ONLY.includes(role);
  return !GRID_ONLY.includes(role);
}

/** Household heads run micro grids ("one household one head, ten households one network"). */
export function roleNeedsMicroGrid(role: Role): boolean {
  return role === 'household_head';
}

export const assignmentTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('grid'), gridId: z.string() }),
  z.object({ kind: z.literal('org'), orgUnitId: z.string() }),
]);

export const assignmentInput = z
  .object({
    personId: z.string(),
    target: assignmentTarget,
    role: z.enum(ROLES),
    startDate: isoDate,
    endDate: isoDate.nullable().default(null),
  })
  .refine((a) => a.endDate === null || a.endDate >= a.startDate, { message: 'end_before_start', path: ['endDate'] });
export type AssignmentInput = z.infer<typeof assignmentInput>;

export const assignment = z.object({
  id: z.string(),
  personId: z.string(),
  personName: z.string(),
  gridId: z.string().nullable(),
  orgUnitId: z.string().nullable(),
  targetName: z.string(),
  targetCode: z.string(),
  /** The grid's retirement date (null: current, or the target is an org unit). */
  targetRetiredOn: isoDate.nullable(),
  role: z.enum(ROLES),
  startDate: isoDate,
  endDate: isoDate.nullable(),
  active: z.boolean(),
});
export type Assignment = z.infer<typeof assignment>;

/**
 * A duty that runs on past its grid's retirement, which the station's own rules never allow:
 * what a retirement leaves when another station added the duty meanwhile. (A retirement ends a
 * duty that was due to start later on its first day: that one does not count.)
 */
export function outlivesItsGrid(a: Pick<Assignment, 'startDate' | 'endDate' | 'targetRetiredOn'>): boolean {
  return outlivesGrid(a.endDate, a.targetRetiredOn) && a.endDate !== a.startDate;
}
