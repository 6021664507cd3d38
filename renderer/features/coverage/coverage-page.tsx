import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Alert, Card, Progress, Table, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { ResponseOf } from '../../../core/api/contract';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { COLUMN_BODY, COLUMN_CARD, PAGE_FILL } from '../../components/layout';
import { OrgTreePanel } from '../../components/org-tree-panel';
import { useFillHeight } from '../../components/use-fill-height';
import { useNotify } from '../../components/use-notify';

type Row = ResponseOf<'coverage.byCommunity'>[number];
type Gap = ResponseOf<'coverage.gaps'>[number];

/** Share of micro grids that do have the staff, as a whole percent. */
const staffedPercent = (row: Row, missing: number) => (row.microGrids === 0 ? 100 : Math.round(((row.microGrids - missing) / row.microGrids) * 100));

const Mark = ({ ok }: { ok: boolean }) => (ok ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#ff4d4f" />);

export function CoveragePage() {
  const { t } = useI18n();
  const notify = useNotify();
  const { selected: unit } = useOrg();
  const [rows, setRows] = useState<Row[]>([]);
  const [loading, setLoading] = useState(false);
  const [picked, setPicked] = useState<Row | null>(null);
  const [gaps, setGaps] = useState<Gap[]>([]);
  const [gapsLoading, setGapsLoading] = useState(false);
  const usable = unit !== null && unit.level !== 'district';
  const orgBox = useFillHeight<HTMLDivElement>();
  const gapsCard = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setPicked(null);
    if (!unit || unit.level === 'district') return setRows([]);
    let live = true;
    setLoading(true);
    api.coverage
      .byCommunity({ orgUnitId: unit.id })
      .then((r) => live && setRows(r))
      .catch((e: unknown) => live && notify.fail(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [unit, notify]);

  useEffect(() => {
    if (!picked) return setGaps([]);
    let live = true;
    setGapsLoading(true);
    api.coverage
      .gaps({ orgUnitId: picked.orgUnitId })
      .then((g) => {
        if (!live) return;
        setGaps(g);
        // The gaps list sits under the summary: bring it into view, or the click seems to do nothing.
        gapsCard.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      })
      .catch((e: unknown) => live && notify.fail(e))
      .finally(() => live && setGapsLoading(false));
    return () => {
      live = false;
    };
  }, [picked, notify]);

  const percentColumn = (title: string, key: 'withoutMember' | 'withoutPolice' | 'withoutParty') => ({
    title,
    key: `${key}-pct`,
    width: 130,
    render: (_: unknown, r: Row) => <Progress percent={staffedPercent(r, r[key])} size="small" status={r[key] === 0 ? 'success' : 'normal'} />,
  });

  return (
    <div style={PAGE_FILL} data-testid="coverage-page">
      <Card size="small" title={t('org.tree')} style={{ ...COLUMN_CARD, width: 250, flex: 'none' }} styles={{ body: COLUMN_BODY }}>
        <div ref={orgBox.ref} style={{ flex: 1, minHeight: 0 }}>
          <OrgTreePanel height={orgBox.height} />
        </div>
      </Card>
      <div style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 12, overflow: 'auto' }}>
        <Card size="small" title={t('coverage.title')} style={{ flex: 'none' }}>
          {!usable ? (
            <Alert type="info" showIcon title={t('common.selectUnitFirst')} />
          ) : (
            <Table<Row>
              data-testid="coverage-table"
              rowKey="orgUnitId"
              size="small"
              loading={loading}
              dataSource={rows}
              pagination={false}
              rowClassName={(r) => (r.orgUnitId === picked?.orgUnitId ? 'ant-table-row-selected' : '')}
              onRow={(r) => ({ onClick: () => setPicked(r), style: { cursor: 'pointer' } })}
              columns={[
                { title: t('coverage.community'), dataIndex: 'orgUnitName', render: (n: string, r) => <span>{n}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.orgUnitCode}</Typography.Text></span> },
                { title: t('coverage.micro'), dataIndex: 'microGrids', width: 80, align: 'right' },
                { title: t('coverage.withoutMember'), dataIndex: 'withoutMember', width: 80, align: 'right' },
                { title: t('coverage.withoutPolice'), dataIndex: 'withoutPolice', width: 80, align: 'right' },
                { title: t('coverage.withoutParty'), dataIndex: 'withoutParty', width: 80, align: 'right' },
                percentColumn(t('coverage.staffed'), 'withoutMember'),
                percentColumn(t('coverage.police'), 'withoutPolice'),
                percentColumn(t('coverage.party'), 'withoutParty'),
              ]}
            />
          )}
        </Card>
        {usable && (
          <Card ref={gapsCard} size="small" title={picked ? t('coverage.gaps', { name: picked.orgUnitName }) : t('coverage.gapsHint')} style={{ flex: 'none' }}>
            {picked && (
              <Table<Gap>
                data-testid="coverage-gaps"
                rowKey="gridId"
                size="small"
                loading={gapsLoading}
                dataSource={gaps}
                locale={{ emptyText: t('coverage.noGaps') }}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  { title: t('grid.code'), dataIndex: 'code', width: 200 },
                  { title: t('grid.name'), dataIndex: 'name' },
                  { title: t('coverage.hasMember'), dataIndex: 'hasMember', width: 100, align: 'center', render: (v: boolean) => <Mark ok={v} /> },
                  { title: t('coverage.hasPolice'), dataIndex: 'hasPolice', width: 100, align: 'center', render: (v: boolean) => <Mark ok={v} /> },
                  { title: t('coverage.hasParty'), dataIndex: 'hasParty', width: 100, align: 'center', render: (v: boolean) => <Mark ok={v} /> },
                ]}
              />
            )}
          </Card>
        )}
      </div>
    </div>
  );
}
