import type { OrgUnit } from '../../../core/domain/org';
import type { Db } from '../db';
import { decode, selectList } from '../entities';
import { cachedStatement } from '../statements';

const SELECT = `SELECT ${selectList('orgUnit', 'o')} FROM org_unit o`;

export function listOrgUnits(db: Db): OrgUnit[] {
  return cachedStatement(db, `${SELECT} ORDER BY o.code`)
    .all()
    .map((r) => decode<OrgUnit>('orgUnit', r as Record<string, unknown>));
}

export function getOrgUnit(db: Db, id: string): OrgUnit | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE o.id = ?`).get(id) as Record<string, unknown> | undefined;
  return row && decode<OrgUnit>('orgUnit', row);
}

export function orgUnitByCode(db: Db, code: string): OrgUnit | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE o.code = ?`).get(code) as Record<string, unknown> | undefined;
  return row && decode<OrgUnit>('orgUnit', row);
}

/** The street a unit belongs to: itself for a street, its parent for a community. */
export function streetIdOf(unit: OrgUnit): string | null {
  if (unit.level === 'street') return unit.id;
  if (unit.level === 'community') return unit.parentId;
  return null;
}
