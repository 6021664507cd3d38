import type { Assignment, Role } from '../../../core/domain/people';
import type { Db } from '../db';
import { cachedStatement } from '../statements';

// An assignment is active on `today` when it has started and not yet ended.
const ACTIVE = '(a.start_date <= @today AND (a.end_date IS NULL OR a.end_date >= @today))';

const SELECT = `
  SELECT a.id AS id, a.person_id AS personId, p.name AS personName, a.grid_id AS gridId, a.org_unit_id AS orgUnitId,
         coalesce(g.name, o.name) AS targetName, coalesce(g.code, o.code) AS targetCode, g.valid_to AS targetRetiredOn, a.role AS role,
         a.start_date AS startDate, a.end_date AS endDate, ${ACTIVE} AS active
  FROM assignment a
  JOIN person p ON p.id = a.person_id
  LEFT JOIN grid_unit g ON g.id = a.grid_id
  LEFT JOIN org_unit o ON o.id = a.org_unit_id`;

function toAssignment(row: Record<string, unknown>): Assignment {
  return { ...(row as Assignment), active: row.active === 1 };
}

export function getAssignment(db: Db, id: string, today: string): Assignment | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE a.id = @id`).get({ id, today }) as Record<string, unknown> | undefined;
  return row && toAssignment(row);
}

export function assignmentsOfPerson(db: Db, personId: string, today: string): Assignment[] {
  return (cachedStatement(db, `${SELECT} WHERE a.person_id = @personId ORDER BY active DESC, a.start_date DESC`).all({ personId, today }) as Record<
    string,
    unknown
  >[]).map(toAssignment);
}

export function assignmentsOfGrid(db: Db, gridId: string, today: string): Assignment[] {
  return (cachedStatement(db, `${SELECT} WHERE a.grid_id = @gridId ORDER BY active DESC, a.role, p.name`).all({ gridId, today }) as Record<
    string,
    unknown
  >[]).map(toAssignment);
}

/** Active assignments of a person in the same place and role overlapping [start, end]. */
export function overlappingAssignment(
  db: Db,
  a: { personId: string; gridId: string | null; orgUnitId: string | null; role: Role; startDate: string; endDate: string | null },
): string | undefined {
  const row = cachedStatement(
    db,
    `SELECT id FROM assignment
     WHERE person_id = @personId AND role = @role
       AND grid_id IS @gridId AND org_unit_id IS @orgUnitId
       AND (end_date IS NULL OR end_date >= @startDate)
       AND (@endDate IS NULL OR start_date <= @endDate)
     LIMIT 1`,
  ).get(a) as { id: string } | undefined;
  return row?.id;
}

/** grid id -> active roles on it, for the grids of one street. */
export function activeRolesOnStreetGrids(db: Db, streetId: string, today: string): Map<string, Role[]> {
  const rows = cachedStatement(
    db,
    `SELECT a.grid_id AS gridId, a.role AS role
     FROM grid_unit g
     JOIN assignment a ON a.grid_id = g.id
     JOIN person p ON p.id = a.person_id AND p.status = 'active'
     WHERE g.street_id = @streetId AND ${ACTIVE}`,
  ).all({ streetId, today }) as { gridId: string; role: Role }[];
  const byGrid = new Map<string, Role[]>();
  for (const r of rows) {
    const list = byGrid.get(r.gridId);
    if (list) list.push(r.role);
    else byGrid.set(r.gridId, [r.role]);
  }
  return byGrid;
}

/** Assignments on a grid still running after `on`. */
export function assignmentsRunningAfter(db: Db, gridId: string, on: string): { id: string; startDate: string }[] {
  return cachedStatement(db, 'SELECT id, start_date AS startDate FROM assignment WHERE grid_id = ? AND (end_date IS NULL OR end_date > ?)').all(
    gridId,
    on,
  ) as { id: string; startDate: string }[];
}

/** Active roles of each of the given people, for a roster page. */
export function activeRolesOf(db: Db, personIds: string[], today: string): Map<string, string[]> {
  const result = new Map<string, string[]>(personIds.map((id) => [id, []]));
  if (personIds.length === 0) return result;
  const rows = cachedStatement(
    db,
    `SELECT DISTINCT a.person_id AS personId, a.role AS role FROM assignment a
     WHERE a.person_id IN (SELECT value FROM json_each(@ids)) AND ${ACTIVE}`,
  ).all({ ids: JSON.stringify(personIds), today }) as { personId: string; role: string }[];
  for (const r of rows) result.get(r.personId)?.push(r.role);
  return result;
}
