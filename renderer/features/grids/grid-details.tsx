import { Alert, Breadcrumb, Button, Descriptions, Empty, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../core/api/contract';
import type { DedicatedType, GridCategory } from '../../../core/domain/grid';
import type { Assignment } from '../../../core/domain/people';
import { api } from '../../api/client';
import { useI18n, type Translate } from '../../app/i18n/i18n-context';
import type { MessageKey } from '../../app/i18n/zh-CN';
import { formatDateTime } from '../../components/dates';
import { isRetired } from '../../components/grid-search';
import { dedicatedTypeLabel, gridCategoryLabel, gridKindLabel, gridLevelLabel, LEVEL_COLORS, roleLabel } from '../../components/labels';
import { useNotify } from '../../components/use-notify';

export type GridDetailsData = ResponseOf<'grid.get'>;

/** An edit's fields (grid.update's patch) and how each value reads. */
const EDITED: Record<string, { label: MessageKey; value: (t: Translate, v: unknown) => string }> = {
  name: { label: 'grid.name', value: (_t, v) => String(v) },
  householdCount: { label: 'grid.households', value: (_t, v) => String(v) },
  category: { label: 'grid.category', value: (t, v) => gridCategoryLabel(t, v as GridCategory) },
  dedicatedType: { label: 'grid.dedicatedType', value: (t, v) => dedicatedTypeLabel(t, v as DedicatedType) },
};

/** After the action, what is worth showing of a history entry: the retire reason, the code change of a move, what an edit changed. */
function historyNote(t: Translate, detail: Record<string, unknown>): string {
  const note = historyNoteText(t, detail);
  return note ? `${t('common.colon')}${note}` : '';
}

function historyNoteText(t: Translate, detail: Record<string, unknown>): string {
  const text = (key: string) => (typeof detail[key] === 'string' ? (detail[key] as string) : null);
  const reason = text('reason');
  if (reason) return reason;
  const from = text('fromCode');
  const to = text('toCode');
  if (from && to && from !== to) return `${from} → ${to}`;
  // an edit's detail is {field: {from, to}} of the fields it changed (services/grid.ts)
  const edits = Object.entries(detail).flatMap(([field, change]) => {
    const edited = EDITED[field];
    if (!edited || typeof change !== 'object' || change === null) return [];
    const shown = (v: unknown) => (v === null || v === undefined ? '—' : edited.value(t, v));
    const { from: before, to: after } = change as { from?: unknown; to?: unknown };
    return [`${t(edited.label)} ${shown(before)} → ${shown(after)}`];
  });
  return edits.join(t('common.listSeparator'));
}

export function GridDetails(props: {
  gridId: string | null;
  version: number;
  onEdit: (d: GridDetailsData) => void;
  onMove: (d: GridDetailsData) => void;
  onRetire: (d: GridDetailsData) => void;
  onAddChild: (d: GridDetailsData) => void;
}) {
  const { t } = useI18n();
  const notify = useNotify();
  const [data, setData] = useState<GridDetailsData | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!props.gridId) {
      setData(null);
      return;
    }
    let live = true;
    setLoading(true);
    api.grid
      .get({ id: props.gridId })
      .then((d) => live && setData(d))
      .catch((e: unknown) => live && notify.fail(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [props.gridId, props.version, notify]);

  if (!props.gridId) return <Empty description={t('grid.noSelection')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  if (!data) return <Spin spinning={loading} style={{ width: '100%', marginTop: 48 }} />;
  const { grid } = data;
  // a retirement set for a later day is planned: the grid still serves, and can be edited and moved
  const retired = isRetired(grid);
  const plannedOn = retired ? null : grid.validTo;
  const planned = plannedOn !== null;
  return (
    <Spin spinning={loading}>
      <div data-testid="grid-details">
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            <Tag color={LEVEL_COLORS[grid.level]}>{gridLevelLabel(t, grid.level)}</Tag>
            {grid.name}
            {retired && <Tag color="red" style={{ marginInlineStart: 8 }}>{t('grid.retired')}</Tag>}
            {plannedOn !== null && (
              <Tag color="orange" style={{ marginInlineStart: 8 }} data-testid="grid-retires-on">
                {t('grid.retiresOn', { date: plannedOn })}
              </Tag>
            )}
          </Typography.Title>
          {!retired && (
            <Space wrap>
              {grid.level !== 'micro' && !planned && (
                <Button data-testid="grid-add-child" onClick={() => props.onAddChild(data)}>
                  {t('grid.createChild')}
                </Button>
              )}
              <Button data-testid="grid-edit" onClick={() => props.onEdit(data)}>{t('common.edit')}</Button>
              <Button data-testid="grid-move" onClick={() => props.onMove(data)}>{t('grid.move')}</Button>
              {!planned && (
                <Button danger data-testid="grid-retire" onClick={() => props.onRetire(data)}>{t('grid.retire')}</Button>
              )}
            </Space>
          )}
        </Space>
        {data.warnings.map((w) => (
          <Alert key={w} type="warning" showIcon data-testid={`grid-warning-${w}`} style={{ marginBottom: 12 }} title={t(`grid.warning.${w}`)} />
        ))}
        <Breadcrumb style={{ marginBottom: 12 }} items={[{ title: data.orgUnitName }, ...data.path.map((p) => ({ title: p.name }))]} />
        <Descriptions size="small" bordered column={1} styles={{ label: { whiteSpace: 'nowrap' } }}>
          <Descriptions.Item label={t('grid.code')}>
            <Typography.Text copyable data-testid="grid-details-code">{grid.code}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('grid.kind')}>
            {gridKindLabel(t, grid.kind)}
            {grid.dedicatedType ? ` · ${dedicatedTypeLabel(t, grid.dedicatedType)}` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('grid.category')}>{gridCategoryLabel(t, grid.category)}</Descriptions.Item>
          <Descriptions.Item label={t('grid.households')}>{grid.householdCount}</Descriptions.Item>
          <Descriptions.Item label={t('grid.validFrom')}>{grid.validFrom}</Descriptions.Item>
          <Descriptions.Item label={t('grid.validTo')}>{grid.validTo ?? t('grid.stillValid')}</Descriptions.Item>
        </Descriptions>
        <Typography.Title level={5} style={{ marginTop: 20 }}>{t('grid.assignments')}</Typography.Title>
        <Table<Assignment>
          size="small"
          rowKey="id"
          data-testid="grid-assignments"
          pagination={false}
          dataSource={data.assignments}
          locale={{ emptyText: t('assign.empty') }}
          columns={[
            { title: t('assign.person'), dataIndex: 'personName' },
            { title: t('assign.role'), dataIndex: 'role', render: (r: Assignment['role']) => roleLabel(t, r) },
            // a date is never broken over two lines (English role names take more of the width)
            { title: t('assign.start'), dataIndex: 'startDate', width: 110 },
            { title: t('assign.end'), dataIndex: 'endDate', width: 110, render: (d: string | null) => d ?? '—' },
          ]}
        />
        <Typography.Title level={5} style={{ marginTop: 20 }}>{t('grid.history')}</Typography.Title>
        <Timeline
          data-testid="grid-history"
          items={data.history.map((h, i) => ({
            key: i,
            content: (
              <span>
                <Typography.Text type="secondary">{formatDateTime(h.at)}</Typography.Text> {t(`enum.history.${h.action}`)}
                {historyNote(t, h.detail)}
              </span>
            ),
          }))}
        />
      </div>
    </Spin>
  );
}
