import type { GridNode } from '../../../core/api/areas';
import type { OrgUnit } from '../../../core/domain/org';

export interface GridTreeEntry {
  key: string;
  /** null for the community heading that holds the community's top grids. */
  grid: GridNode | null;
  community: OrgUnit | null;
  children: GridTreeEntry[];
  /** Grids in this subtree, the entry itself included (for headings: all the community's grids). */
  size: number;
  /**
   * A current grid whose parent is not current: retired by another station while this one
   * drew the grid under it (see `grid.get`'s warnings). It hangs under its community heading.
   */
  parentRetired: boolean;
}

/**
 * Builds the grid tree from the flat list of `grid.tree` (current grids only). Top grids
 * (parentId null, or a parent not in the list: retired) hang under a heading for their
 * community, because a street's list mixes several communities.
 */
export function buildGridTree(grids: readonly GridNode[], units: readonly OrgUnit[]): GridTreeEntry[] {
  const byId = new Map<string, GridTreeEntry>();
  const sorted = [...grids].sort((a, b) => a.code.localeCompare(b.code));
  for (const g of sorted) byId.set(g.id, { key: g.id, grid: g, community: null, children: [], size: 0, parentRetired: false });
  const communities = new Map<string, GridTreeEntry>();
  const unitById = new Map(units.map((u) => [u.id, u]));
  for (const g of sorted) {
    const entry = byId.get(g.id);
    if (!entry) continue;
    const parent = g.parentId ? byId.get(g.parentId) : undefined;
    if (parent) {
      parent.children.push(entry);
      continue;
    }
    entry.parentRetired = g.parentId !== null;
    let heading = communities.get(g.orgUnitId);
    if (!heading) {
      heading = { key: `org:${g.orgUnitId}`, grid: null, community: unitById.get(g.orgUnitId) ?? null, children: [], size: 0, parentRetired: false };
      communities.set(g.orgUnitId, heading);
    }
    heading.children.push(entry);
  }
  const roots = [...communities.values()].sort((a, b) => (a.community?.code ?? '').localeCompare(b.community?.code ?? ''));
  const count = (e: GridTreeEntry): number => (e.size = (e.grid ? 1 : 0) + e.children.reduce((n, c) => n + count(c), 0));
  roots.forEach(count);
  return roots;
}

/** Small trees open fully; a street's opens down to its small grids, micro grids stay folded. */
export const EXPAND_ALL_UP_TO = 150;

export function defaultExpandedKeys(roots: readonly GridTreeEntry[]): string[] {
  const total = roots.reduce((n, r) => n + r.size, 0);
  const keys: string[] = [];
  const visit = (e: GridTreeEntry) => {
    if (e.children.length === 0) return;
    if (total <= EXPAND_ALL_UP_TO || e.grid === null || e.grid.level === 'large' || e.grid.level === 'medium') keys.push(e.key);
    e.children.forEach(visit);
  };
  roots.forEach(visit);
  return keys;
}

/** Ids of a grid and everything below it: a grid cannot move under its own subtree. */
export function subtreeIds(grids: readonly GridNode[], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const g of grids) {
      if (g.parentId && ids.has(g.parentId) && !ids.has(g.id)) {
        ids.add(g.id);
        grew = true;
      }
    }
  }
  return ids;
}
