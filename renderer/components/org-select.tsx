import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import type { OrgLevel } from '../../core/domain/org';
import { useOrg } from '../app/org-context';
import { useI18n } from '../app/i18n/i18n-context';
import { withCode } from './labels';
import { buildOrgTree, type OrgTreeNode } from './org-tree-data';

interface Option {
  value: string;
  title: string;
  disabled: boolean;
  children: Option[];
}

/** Picks an org unit; `allow` limits which levels can be chosen (the rest stay visible for context). */
export function OrgSelect(props: {
  value?: string | null;
  onChange?: (id: string | undefined) => void;
  allow?: readonly OrgLevel[];
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  'data-testid'?: string;
}) {
  const { units } = useOrg();
  const { t } = useI18n();
  const { allow } = props;
  const treeData = useMemo(() => {
    const toOption = (n: OrgTreeNode): Option => ({
      value: n.unit.id,
      title: withCode(t, n.unit.name, n.unit.code),
      disabled: allow ? !allow.includes(n.unit.level) : false,
      children: n.children.map(toOption),
    });
    return buildOrgTree(units).map(toOption);
  }, [units, allow, t]);
  return (
    <TreeSelect<string>
      data-testid={props['data-testid']}
      style={props.style ?? { width: '100%' }}
      value={props.value ?? undefined}
      onChange={(v) => props.onChange?.(v)}
      treeData={treeData}
      treeDefaultExpandAll
      allowClear={props.allowClear}
      placeholder={props.placeholder}
      showSearch={{ treeNodeFilterProp: 'title' }}
    />
  );
}
