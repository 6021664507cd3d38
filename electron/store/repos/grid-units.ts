import type { GridHistoryEntry, GridUnit } from '../../../core/domain/grid';
import type { Db } from '../db';
import { decode, selectList } from '../entities';
import { cachedStatement } from '../statements';
import { containsPattern } from './text-search';

const SELECT = `SELECT ${selectList('gridUnit', 'g')} FROM grid_unit g`;

export function getGrid(db: Db, id: string): GridUnit | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE g.id = ?`).get(id) as Record<string, unknown> | undefined;
  return row && decode<GridUnit>('gridUnit', row);
}

export function gridByCode(db: Db, code: string): GridUnit | undefined {
  const row = cachedStatement(db, `${SELECT} WHERE g.code = ?`).get(code) as Record<string, unknown> | undefined;
  return row && decode<GridUnit>('gridUnit', row);
}

/** Grids of one street (street_id index) or one community (org_unit_id index), by code. */
export function gridsUnder(db: Db, scope: { streetId: string } | { orgUnitId: string }, today: string, includeRetired: boolean): GridUnit[] {
  const [column, value] = 'streetId' in scope ? ['street_id', scope.streetId] : ['org_unit_id', scope.orgUnitId];
  const current = includeRetired ? '' : 'AND (g.valid_to IS NULL OR g.valid_to > ?)';
  const params = includeRetired ? [value] : [value, today];
  return cachedStatement(db, `${SELECT} WHERE g.${column} = ? ${current} ORDER BY g.code`)
    .all(...params)
    .map((r) => decode<GridUnit>('gridUnit', r as Record<string, unknown>));
}

export function currentChildCount(db: Db, id: string, today: string): number {
  return (
    cachedStatement(db, 'SELECT count(*) AS n FROM grid_unit WHERE parent_id = ? AND (valid_to IS NULL OR valid_to > ?)').get(id, today) as {
      n: number;
    }
  ).n;
}

/** From the top-level grid down to `id`. */
export function gridPath(db: Db, id: string): { id: string; name: string; code: string }[] {
  return cachedStatement(
    db,
    `WITH RECURSIVE up(id, name, code, parent_id, depth) AS (
       SELECT id, name, code, parent_id, 0 FROM grid_unit WHERE id = ?
       UNION ALL
       SELECT g.id, g.name, g.code, g.parent_id, up.depth + 1 FROM grid_unit g JOIN up ON g.id = up.parent_id
     )
     SELECT id, name, code FROM up ORDER BY depth DESC`,
  ).all(id) as { id: string; name: string; code: string }[];
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 was made: its first 48 bits are the Unix time in ms (RFC 9562). Null for another id. */
function madeAt(id: string): string | null {
  return UUID_V7.test(id) ? new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toISOString() : null;
}

/**
 * A grid's history, oldest first. An entry's time is when the station that recorded it made it,
 * read from its id (services/ids.ts): the row's created_at is when it reached THIS replica, a
 * pull or the download of the street for every other station, so each station showed other
 * times and, beside its own entries, out of order.
 */
export function gridHistory(db: Db, id: string): GridHistoryEntry[] {
  return (cachedStatement(db, 'SELECT id, action, detail, created_at FROM grid_history WHERE grid_id = ? ORDER BY id').all(id) as {
    id: string;
    action: GridHistoryEntry['action'];
    detail: string;
    created_at: string;
  }[]).map((r) => ({ action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown>, at: madeAt(r.id) ?? r.created_at }));
}


/** Highest code in use with this prefix and length, retired grids included (codes are never reused). */
export function highestCode(db: Db, prefix: string, length: number): string | null {
  const row = cachedStatement(
    db,
    'SELECT max(code) AS code FROM grid_unit WHERE code >= ? AND code < ? AND length(code) = ?',
  ).get(prefix, `${prefix}:`, length) as { code: string | null };
  return row.code;
}

export function searchGrids(db: Db, q: string, limit: number): GridUnit[] {
  const byCode = /^\d+$/.test(q);
  const sql = byCode
    ? `${SELECT} WHERE g.code >= ? AND g.code < ? ORDER BY g.code LIMIT ?`
    : `${SELECT} WHERE g.name LIKE ? ESCAPE '\\' ORDER BY g.code LIMIT ?`;
  const params = byCode ? [q, `${q}:`, limit] : [containsPattern(q), limit];
  return cachedStatement(db, sql)
    .all(...params)
    .map((r) => decode<GridUnit>('gridUnit', r as Record<string, unknown>));
}
