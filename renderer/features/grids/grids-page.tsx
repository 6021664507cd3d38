import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { GridNode } from '../../../core/api/areas';
import type { GridUnit } from '../../../core/domain/grid';
import { childOrgLevel } from '../../../core/domain/org';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { orgLevelLabel } from '../../components/labels';
import { OrgTreePanel } from '../../components/org-tree-panel';
import { useNotify } from '../../components/use-notify';
import { GridDetails } from './grid-details';
import { GridEditModal } from './grid-edit-modal';
import { GridFormModal } from './grid-form-modal';
import { GridMoveModal } from './grid-move-modal';
import { GridRetireModal } from './grid-retire-modal';
import { GridSearch } from '../../components/grid-search';
import { GridTreePanel } from './grid-tree-panel';
import { OrgFormModal } from './org-form-modal';

export function GridsPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const { selected: unit, units, reload: reloadOrg, select: selectUnit } = useOrg();
  const [grids, setGrids] = useState<GridNode[]>([]);
  const [loading, setLoading] = useState(false);
  const [gridId, setGridId] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [orgOpen, setOrgOpen] = useState(false);
  const [createParent, setCreateParent] = useState<GridNode | null | undefined>(undefined);
  const [editing, setEditing] = useState<GridUnit | null>(null);
  const [moving, setMoving] = useState<GridUnit | null>(null);
  const [retiring, setRetiring] = useState<GridUnit | null>(null);

  const canHoldGrids = unit !== null && unit.level !== 'district';
  const loadGrids = useCallback(async () => {
    if (!unit || unit.level === 'district') {
      setGrids([]);
      return;
    }
    setLoading(true);
    try {
      setGrids(await api.grid.tree({ orgUnitId: unit.id }));
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [unit, notify]);
  useEffect(() => {
    void loadGrids();
  }, [loadGrids]);

  const afterChange = (selectId?: string | null) => {
    void loadGrids();
    if (selectId !== undefined) setGridId(selectId);
    setVersion((v) => v + 1);
  };
  const childLevel = unit ? childOrgLevel(unit.level) : 'district';
  const nodeOf = (id: string) => grids.find((g) => g.id === id) ?? null;

  return (
    <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }} data-testid="grids-page">
      <Card
        size="small"
        title={t('org.tree')}
        style={{ width: 240, flex: 'none' }}
        extra={
          childLevel && (
            <Button size="small" icon={<PlusOutlined />} data-testid="org-add" onClick={() => setOrgOpen(true)} disabled={!unit && units.length > 0}>
              {unit ? orgLevelLabel(t, childLevel) : t('org.addDistrict')}
            </Button>
          )
        }
      >
        <OrgTreePanel />
      </Card>
      <Card
        size="small"
        title={t('grid.tree')}
        style={{ width: 370, flex: 'none' }}
        extra={
          <Button type="primary" size="small" icon={<PlusOutlined />} data-testid="grid-create" disabled={!canHoldGrids} onClick={() => setCreateParent(null)}>
            {t('grid.create')}
          </Button>
        }
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <GridSearch
            onPick={(hit) => {
              // Stay on the street view when the hit is one of its communities; else jump to the hit's community.
              const community = units.find((u) => u.id === hit.orgUnitId);
              if (!unit || (unit.id !== hit.orgUnitId && unit.id !== community?.parentId)) selectUnit(hit.orgUnitId);
              setGridId(hit.id);
            }}
          />
          {canHoldGrids ? (
            <GridTreePanel grids={grids} loading={loading} selectedId={gridId} onSelect={setGridId} />
          ) : (
            <Alert type="info" showIcon title={t('common.selectUnitFirst')} />
          )}
        </Space>
      </Card>
      <Card size="small" style={{ flex: 1, minWidth: 0 }}>
        <GridDetails
          gridId={gridId}
          version={version}
          onAddChild={(d) => setCreateParent(nodeOf(d.grid.id))}
          onEdit={(d) => setEditing(d.grid)}
          onMove={(d) => setMoving(d.grid)}
          onRetire={(d) => setRetiring(d.grid)}
        />
      </Card>

      <OrgFormModal
        open={orgOpen}
        parent={unit}
        onClose={() => setOrgOpen(false)}
        onCreated={(created) => {
          setOrgOpen(false);
          void reloadOrg().then(() => selectUnit(created.id));
        }}
      />
      <GridFormModal
        open={createParent !== undefined}
        communityId={unit?.level === 'community' ? unit.id : null}
        parent={createParent ?? null}
        grids={grids}
        onClose={() => setCreateParent(undefined)}
        onCreated={(grid) => {
          setCreateParent(undefined);
          if (unit?.level === 'district') selectUnit(grid.orgUnitId);
          afterChange(grid.id);
        }}
      />
      <GridEditModal grid={editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); afterChange(); }} />
      <GridMoveModal grid={moving} grids={grids} onClose={() => setMoving(null)} onMoved={() => { setMoving(null); afterChange(); }} />
      <GridRetireModal grid={retiring} onClose={() => setRetiring(null)} onRetired={() => { setRetiring(null); afterChange(null); }} />
    </div>
  );
}
