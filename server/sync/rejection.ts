import type { Rejection as WireRejection } from '../../core/sync/protocol';
import type { Doc } from './entities';

/**
 * A permanent refusal of one mutation: rolled back to its savepoint, recorded, acknowledged.
 * `serverRecord` undefined = "look up the current record"; null = there is none to show.
 * `conflictingRecord`: the other record that holds a unique value (the winner of the race).
 */
export class Rejection extends Error {
  constructor(
    readonly reason: string,
    readonly serverRecord?: Doc | null,
    readonly conflictingRecord?: Doc | null,
  ) {
    super(reason);
    this.name = 'Rejection';
  }
}

/** The other record a refusal names (the winner of a uniqueness race), stored with it for a resend. */
export function winnerIdOf(r: WireRejection): string | null {
  const id = (r.conflictingRecord ?? r.serverRecord)?.['id'];
  return typeof id === 'string' && id !== r.id ? id : null;
}

/** Reason keys (the station translates them). Kept in one place so docs/server.md can list them. */
export const REASONS = {
  invalidFields: 'validation.invalid_fields',
  missingFields: 'validation.missing_fields',
  reservedField: 'validation.reserved_field',
  badId: 'validation.bad_id',
  badValue: 'validation.bad_value',
  notFound: 'record.not_found',
  idTaken: 'record.id_taken',
  otherStreet: 'scope.other_street',
  referenceData: 'scope.reference_data',
  orgLevel: 'scope.org_level',
  refNotFound: 'ref.not_found',
  appendOnly: 'policy.append_only',
  gridCodeTaken: 'grid.code_taken',
  orgCodeTaken: 'org.code_taken',
  residentIdTaken: 'person.resident_id_taken',
  orgCodeNotUnderStreet: 'org.code_not_under_street',
  assignmentTarget: 'assignment.target',
  assignmentEndBeforeStart: 'assignment.end_before_start',
  assignmentRole: 'assignment.role_not_allowed',
  gridRetired: 'grid.retired',
  gridParentRetired: 'grid.parent_retired',
  personLeft: 'assignment.person_left',
  assignmentOutlivesGrid: 'assignment.outlives_grid',
  gridHasChildren: 'grid.has_children',
  gridHasMembers: 'grid.has_members',
  gridRetireBeforeStart: 'grid.retire_before_start',
  gridParentLevel: 'grid.parent_level',
  gridParentOtherCommunity: 'grid.parent_other_community',
  commandMalformed: 'command.malformed',
  commandIncomplete: 'command.incomplete',
} as const;
