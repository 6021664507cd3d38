import { Empty, Spin, Tag, Tree, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import type { GridNode } from '../../../core/api/areas';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { gridLevelLabel, LEVEL_COLORS } from '../../components/labels';
import { buildGridTree, type GridTreeEntry } from './grid-tree-data';

interface Item {
  key: string;
  title: ReactNode;
  selectable: boolean;
  children: Item[];
}

export function GridTreePanel(props: { grids: readonly GridNode[]; loading: boolean; selectedId: string | null; onSelect: (id: string) => void }) {
  const { t } = useI18n();
  const { units } = useOrg();
  const items = useMemo(() => {
    const toItem = (e: GridTreeEntry): Item => {
      const g = e.grid;
      const title = g ? (
        <span data-testid={`grid-node-${g.code}`}>
          <Tag color={LEVEL_COLORS[g.level]} style={{ marginInlineEnd: 4 }}>{gridLevelLabel(t, g.level)}</Tag>
          {g.name}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.code} · {t('grid.members', { count: g.activeMembers })}
          </Typography.Text>
        </span>
      ) : (
        <Typography.Text strong>{e.community ? `${e.community.name}（${e.community.code}）` : '—'}</Typography.Text>
      );
      return { key: e.key, title, selectable: g !== null, children: e.children.map(toItem) };
    };
    return buildGridTree(props.grids, units).map(toItem);
  }, [props.grids, units, t]);
  return (
    <Spin spinning={props.loading}>
      {items.length === 0 ? (
        <Empty description={t('grid.noGrids')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Tree<Item>
          data-testid="grid-tree"
          blockNode
          defaultExpandAll
          key={props.grids.map((g) => g.id).join()}
          treeData={items}
          selectedKeys={props.selectedId ? [props.selectedId] : []}
          onSelect={(keys) => {
            const first = keys[0];
            if (first !== undefined) props.onSelect(String(first));
          }}
        />
      )}
    </Spin>
  );
}
