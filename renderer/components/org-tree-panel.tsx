import { BankOutlined } from '@ant-design/icons';
import { Empty, Spin, Tag, Tooltip, Tree, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { useI18n } from '../app/i18n/i18n-context';
import { useOrg } from '../app/org-context';
import { orgLevelLabel } from './labels';
import { buildOrgTree, type OrgTreeNode } from './org-tree-data';

interface TreeItem {
  key: string;
  title: ReactNode;
  children: TreeItem[];
}

/**
 * The administrative tree used to pick the street or community a page works on. With a
 * `height` it is virtual: a district holds a few hundred units.
 */
export function OrgTreePanel({ extra, height }: { extra?: ReactNode; height?: number }) {
  const { t } = useI18n();
  const { units, loading, selectedId, select } = useOrg();
  const items = useMemo(() => {
    const toItem = (node: OrgTreeNode): TreeItem => ({
      key: node.key,
      title: (
        <span data-testid={`org-node-${node.unit.code}`} style={{ whiteSpace: 'nowrap' }}>
          {node.unit.name}
          {node.unit.level !== 'community' && (
            <Tag bordered={false} style={{ marginInlineStart: 4 }}>
              {orgLevelLabel(t, node.unit.level)}
            </Tag>
          )}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {node.unit.code}
          </Typography.Text>
          {node.unit.hostsCenter && (
            <Tooltip title={t('org.hostsCenter')}>
              <BankOutlined
                style={{ color: '#d48806', marginInlineStart: 6 }}
                aria-label={t('org.centerTag')}
                data-testid={`org-center-${node.unit.code}`}
              />
            </Tooltip>
          )}
        </span>
      ),
      children: node.children.map(toItem),
    });
    return buildOrgTree(units).map(toItem);
  }, [units, t]);
  return (
    <div data-testid="org-tree">
      {extra}
      <Spin spinning={loading}>
        {items.length === 0 && !loading ? (
          <Empty description={t('org.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Tree<TreeItem>
            blockNode
            defaultExpandAll
            key={units.length /* re-expand when units are added */}
            treeData={items}
            {...(height ? { height, itemHeight: 48 } : {})}
            selectedKeys={selectedId ? [selectedId] : []}
            onSelect={(keys) => {
              const first = keys[0];
              if (first !== undefined) select(String(first));
            }}
          />
        )}
      </Spin>
    </div>
  );
}
