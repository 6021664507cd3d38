import { Empty, Spin, Tag, Tree, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type ComponentRef, type Key, type ReactNode } from 'react';
import type { GridNode } from '../../../core/api/areas';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { gridLevelLabel, LEVEL_COLORS, withCode } from '../../components/labels';
import { buildGridTree, defaultExpandedKeys, type GridTreeEntry } from './grid-tree-data';

interface Item {
  key: string;
  title: ReactNode;
  selectable: boolean;
  children: Item[];
}

/**
 * A street holds ~700 grids: the tree is virtual (fixed `height`), opens down to the small
 * grids only, and opens the way to a grid picked elsewhere (search) and scrolls to it.
 */
export function GridTreePanel(props: { grids: readonly GridNode[]; loading: boolean; selectedId: string | null; onSelect: (id: string) => void; height: number }) {
  const { t } = useI18n();
  const { units } = useOrg();
  const tree = useRef<ComponentRef<typeof Tree>>(null);
  const entries = useMemo(() => buildGridTree(props.grids, units), [props.grids, units]);
  const [expanded, setExpanded] = useState<Key[]>([]);
  // Fold back to the default only when another street or community is shown, not when the
  // same tree is reloaded after an edit or a sync: the clerk keeps what they opened.
  const shown = entries.map((e) => e.key).join();
  const shownRef = useRef<string | null>(null);
  useEffect(() => {
    if (shownRef.current === shown) return;
    shownRef.current = shown;
    setExpanded(defaultExpandedKeys(entries));
  }, [shown, entries]);

  const { selectedId } = props;
  useEffect(() => {
    if (!selectedId) return;
    const byId = new Map(props.grids.map((g) => [g.id, g]));
    const grid = byId.get(selectedId);
    if (!grid) return;
    const ancestors: string[] = [`org:${grid.orgUnitId}`];
    for (let p = grid.parentId; p; p = byId.get(p)?.parentId ?? null) ancestors.push(p);
    setExpanded((keys) => {
      const missing = ancestors.filter((k) => !keys.includes(k));
      return missing.length ? [...keys, ...missing] : keys;
    });
    // After the expansion renders.
    const timer = setTimeout(() => tree.current?.scrollTo({ key: selectedId, align: 'auto' }), 50);
    return () => clearTimeout(timer);
  }, [selectedId, props.grids]);

  const items = useMemo(() => {
    const toItem = (e: GridTreeEntry): Item => {
      const g = e.grid;
      const title = g ? (
        <span data-testid={`grid-node-${g.code}`} style={{ whiteSpace: 'nowrap' }}>
          <Tag color={LEVEL_COLORS[g.level]} style={{ marginInlineEnd: 4 }}>{gridLevelLabel(t, g.level)}</Tag>
          {g.name}
          {e.parentRetired && (
            <Tag color="warning" style={{ marginInlineStart: 6 }} data-testid={`grid-parent-retired-${g.code}`}>
              {t('grid.parentRetiredTag')}
            </Tag>
          )}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.code} · {t('grid.members', { count: g.activeMembers })}
          </Typography.Text>
        </span>
      ) : (
        <Typography.Text strong data-testid={`grid-heading-${e.community?.code ?? ''}`}>
          {e.community ? withCode(t, e.community.name, e.community.code) : '—'}
          <Typography.Text type="secondary" style={{ fontWeight: 'normal', marginInlineStart: 6 }}>
            {t('grid.count', { count: e.size })}
          </Typography.Text>
        </Typography.Text>
      );
      return { key: e.key, title, selectable: g !== null, children: e.children.map(toItem) };
    };
    return entries.map(toItem);
  }, [entries, t]);

  return (
    <Spin spinning={props.loading}>
      {items.length === 0 ? (
        <Empty description={t('grid.noGrids')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Tree<Item>
          ref={tree}
          data-testid="grid-tree"
          blockNode
          height={props.height}
          itemHeight={50}
          treeData={items}
          expandedKeys={expanded}
          onExpand={(keys) => setExpanded(keys)}
          selectedKeys={selectedId ? [selectedId] : []}
          onSelect={(keys) => {
            const first = keys[0];
            if (first !== undefined) props.onSelect(String(first));
          }}
        />
      )}
    </Spin>
  );
}
