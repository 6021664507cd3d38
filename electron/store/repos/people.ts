import type { RosterQuery } from '../../../core/api/areas';
import type { Person } from '../../../core/domain/people';
import type { Db } from '../db';
import { decode, selectList } from '../entities';
import { cachedStatement } from '../statements';
import { containsPattern } from './text-search';

const SELECT = `SELECT ${selectList('person', 'p')} FROM person p`;

export function getPerson(db: Db, id: string): Person | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE p.id = ?`).get(id) as Record<string, unknown> | undefined;
  return row && decode<Person>('person', row);
}

export function personIdByResidentId(db: Db, residentId: string): string | undefined {
  return (cachedStatement(db, 'SELECT id FROM person WHERE resident_id = ?').get(residentId) as { id: string } | undefined)?.id;
}

const SORT_COLUMNS: Record<RosterQuery['sort'], string> = {
  name: 'p.name',
  updatedAt: 'p.updated_at',
  status: 'p.status',
  orgUnitName: 'o.name',
};

export type RosterScope = { kind: 'all' } | { kind: 'street'; id: string } | { kind: 'community'; id: string };

export interface RosterRow extends Omit<Person, 'note'> {
  orgUnitName: string;
}

/**
 * One page of the roster. Filtering, sorting and paging all happen in SQL so a page costs
 * the same with fifty people or fifty thousand.
 */
export function listPeople(db: Db, query: RosterQuery, scope: RosterScope, today: string): { rows: RosterRow[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = { today };
  if (scope.kind === 'street') {
    where.push('p.street_id = @scopeId');
    params.scopeId = scope.id;
  } else if (scope.kind === 'community') {
    where.push('p.org_unit_id = @scopeId');
    params.scopeId = scope.id;
  }
  if (query.status) {
    where.push('p.status = @status');
    params.status = query.status;
  }
  if (query.partyMember !== undefined) {
    where.push('p.party_member = @partyMember');
    params.partyMember = query.partyMember ? 1 : 0;
  }
  if (query.role || query.gridId) {
    const conditions = ['a.person_id = p.id', 'a.start_date <= @today', '(a.end_date IS NULL OR a.end_date >= @today)'];
    if (query.role) conditions.push('a.role = @role');
    if (query.gridId) conditions.push('a.grid_id = @gridId');
    where.push(`EXISTS (SELECT 1 FROM assignment a WHERE ${conditions.join(' AND ')})`);
    params.role = query.role;
    params.gridId = query.gridId;
  }
  const q = query.q?.trim();
  if (q) {
    params.q = q;
    if (/^\d{11}$/.test(q)) where.push('p.phone = @q');
    else if (/^\d{17}[\dXx]$/.test(q)) {
      where.push('p.resident_id = @q');
      params.q = q.toUpperCase();
    } else {
      where.push("p.name LIKE @q ESCAPE '\\'");
      params.q = containsPattern(q);
    }
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const needsOrgJoin = query.sort === 'orgUnitName';
  const total = (
    cachedStatement(db, `SELECT count(*) AS n FROM person p ${whereSql}`).get(params) as { n: number }
  ).n;
  const order = `${SORT_COLUMNS[query.sort]} ${query.order === 'desc' ? 'DESC' : 'ASC'}, p.id`;
  // Page first on the narrow person rows, then join the unit names for just that page.
  const pageSql = `
    SELECT ${selectList('person', 'p')}, o.name AS orgUnitName
    FROM (SELECT p.id FROM person p ${needsOrgJoin ? 'JOIN org_unit o ON o.id = p.org_unit_id' : ''} ${whereSql}
          ORDER BY ${order} LIMIT @limit OFFSET @offset) page
    JOIN person p ON p.id = page.id
    JOIN org_unit o ON o.id = p.org_unit_id
    ORDER BY ${order}`;
  params.limit = query.pageSize;
  params.offset = (query.page - 1) * query.pageSize;
  const rows = cachedStatement(db, pageSql)
    .all(params)
    .map((r) => decode<RosterRow>('person', r as Record<string, unknown>));
  return { rows, total };
}
