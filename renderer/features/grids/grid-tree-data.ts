import type { GridNode } from '../../../core/api/areas';
import type { OrgUnit } from '../../../core/domain/org';

export interface GridTreeEntry {
  key: string;
  /** null for the community heading that holds the community's top grids. */
  grid: GridNode | null;
  community: OrgUnit | null;
  children: GridTreeEntry[];
}

/**
 * Builds the grid tree from the flat list of `grid.tree`. Top grids (parentId null, or a
 * parent not in the list) hang under a heading for their community, because a street's
 * list mixes several communities.
 */
export function buildGridTree(grids: readonly GridNode[], units: readonly OrgUnit[]): GridTreeEntry[] {
  const byId = new Map<string, GridTreeEntry>();
  const sorted = [...grids].sort((a, b) => a.code.localeCompare(b.code));
  for (const g of sorted) byId.set(g.id, { key: g.id, grid: g, community: null, children: [] });
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
    let heading = communities.get(g.orgUnitId);
    if (!heading) {
      heading = { key: `org:${g.orgUnitId}`, grid: null, community: unitById.get(g.orgUnitId) ?? null, children: [] };
      communities.set(g.orgUnitId, heading);
    }
    heading.children.push(entry);
  }
  return [...communities.values()].sort((a, b) => (a.community?.code ?? '').localeCompare(b.community?.code ?? ''));
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
