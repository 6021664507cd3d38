import type { OrgUnit } from '../../core/domain/org';

export interface OrgTreeNode {
  key: string;
  value: string;
  title: string;
  unit: OrgUnit;
  children: OrgTreeNode[];
}

/** Builds district > street > community from the flat list, ordered by code (the official order). */
export function buildOrgTree(units: readonly OrgUnit[]): OrgTreeNode[] {
  const nodes = new Map<string, OrgTreeNode>();
  const sorted = [...units].sort((a, b) => a.code.localeCompare(b.code));
  for (const unit of sorted) nodes.set(unit.id, { key: unit.id, value: unit.id, title: unit.name, unit, children: [] });
  const roots: OrgTreeNode[] = [];
  for (const unit of sorted) {
    const node = nodes.get(unit.id);
    if (!node) continue;
    const parent = unit.parentId ? nodes.get(unit.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
