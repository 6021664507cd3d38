import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Tooltip } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { GridNode } from '../../../core/api/areas';
import type { GridUnit } from '../../../core/domain/grid';
import { childOrgLevel } from '../../../core/domain/org';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { orgLevelLabel } from '../../components/labels';
import { COLUMN_BODY, COLUMN_CARD, PAGE_FILL, SCROLL_BODY } from '../../components/layout';
import { OrgTreePanel } from '../../components/org-tree-panel';
import { useFillHeight } from '../../components/use-fill-height';
import { useNotify } from '../../components/use-notify';
import { GridDetails } from './grid-details';
import { GridEditModal } from './grid-edit-modal';
import { GridFormModal } from './grid-form-modal';
import { GridMoveModal } from './grid-move-modal';
import { GridRetireModal } from './grid-retire-modal';
import { GridSearch } from '../../components/grid-search';
import { GridTreePanel } from './grid-tree-panel';
import { useRemoteDataVersion } from '../sync/sync-status-context';
import { OrgEditModal } from './org-edit-modal';
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
  const [orgEditing, setOrgEditing] = useState(false);
  const [createParent, setCreateParent] = useState<GridNode | null | undefined>(undefined);
  const [editing, setEditing] = useState<GridUnit | null>(null);
  const [moving, setMoving] = useState<GridUnit | null>(null);
  const [retiring, setRetiring] = useState<GridUnit | null>(null);
  const [params, setParams] = useSearchParams();
  const orgBox = useFillHeight<HTMLDivElement>();
  const treeBox = useFillHeight<HTMLDivElement>();

  const canHoldGrids = unit !== null && unit.level !== 'district';
  const remote = useRemoteDataVersion();
  const unitId = unit?.id ?? null;
  const unitLevel = unit?.level ?? null;
  const shownFor = useRef<string | null>(null);
  const loadGrids = useCallback(async () => {
    if (!unitId || unitLevel === 'district') {
      shownFor.current = null;
      setGrids([]);
      return;
    }
    void remote; // also reload when the server brought changes, quietly: no spinner over the same tree
    const quiet = shownFor.current === unitId;
    if (!quiet) setLoading(true);
    try {
      setGrids(await api.grid.tree({ orgUnitId: unitId }));
      shownFor.current = unitId;
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [unitId, unitLevel, notify, remote]);
  useEffect(() => {
    void loadGrids();
  }, [loadGrids]);

  // Other pages link here (the sync page's "open the record"): #/grids?grid=<id> or ?org=<id>.
  const linkedGrid = params.get('grid');
  const linkedOrg = params.get('org');
  useEffect(() => {
    if (!linkedGrid && !linkedOrg) return;
    setParams({}, { replace: true });
    if (linkedOrg) selectUnit(linkedOrg);
    if (linkedGrid) {
      api.grid
        .get({ id: linkedGrid })
        .then(({ grid }) => {
          selectUnit(grid.orgUnitId);
          setGridId(grid.id);
        })
        .catch(notify.fail);
    }
  }, [linkedGrid, linkedOrg, setParams, selectUnit, notify]);

  const afterChange = (selectId?: string | null) => {
    void loadGrids();
    if (selectId !== undefined) setGridId(selectId);
    setVersion((v) => v + 1);
  };
  const childLevel = unit ? childOrgLevel(unit.level) : 'district';
  const nodeOf = (id: string) => grids.find((g) => g.id === id) ?? null;

  return (
    <div style={PAGE_FILL} data-testid="grids-page">
      <Card
        size="small"
        title={t('org.tree')}
        style={{ ...COLUMN_CARD, width: 250, flex: 'none' }}
        styles={{ body: COLUMN_BODY }}
        extra={
          <Space size={4}>
            <Tooltip title={t('org.edit')}>
              <Button size="small" icon={<EditOutlined />} data-testid="org-edit" aria-label={t('org.edit')} disabled={!unit} onClick={() => setOrgEditing(true)} />
            </Tooltip>
            {childLevel && (
              // The level goes in the tooltip: "Village / community" would squeeze the card title out.
              <Tooltip title={unit ? t('org.createTitle', { level: orgLevelLabel(t, childLevel) }) : t('org.addDistrict')}>
                <Button size="small" icon={<PlusOutlined />} data-testid="org-add" onClick={() => setOrgOpen(true)} disabled={!unit && units.length > 0}>
                  {unit ? t('common.add') : t('org.addDistrict')}
                </Button>
              </Tooltip>
            )}
          </Space>
        }
      >
        <div ref={orgBox.ref} style={{ flex: 1, minHeight: 0 }}>
          <OrgTreePanel height={orgBox.height} />
        </div>
      </Card>
      <Card
        size="small"
        title={t('grid.tree')}
        style={{ ...COLUMN_CARD, width: 380, flex: 'none' }}
        styles={{ body: COLUMN_BODY }}
        extra={
          <Button type="primary" size="small" icon={<PlusOutlined />} data-testid="grid-create" disabled={!canHoldGrids} onClick={() => setCreateParent(null)}>
            {t('grid.create')}
          </Button>
        }
      >
        <GridSearch
          onPick={(hit) => {
            // Stay on the street view when the hit is one of its communities; else jump to the hit's community.
            const community = units.find((u) => u.id === hit.orgUnitId);
            if (!unit || (unit.id !== hit.orgUnitId && unit.id !== community?.parentId)) selectUnit(hit.orgUnitId);
            setGridId(hit.id);
          }}
        />
        <div ref={treeBox.ref} style={{ flex: 1, minHeight: 0 }}>
          {canHoldGrids ? (
            <GridTreePanel grids={grids} loading={loading} selectedId={gridId} onSelect={setGridId} height={treeBox.height} />
          ) : (
            <Alert type="info" showIcon title={t('common.selectUnitFirst')} />
          )}
        </div>
      </Card>
      <Card size="small" style={{ ...COLUMN_CARD, flex: 1, minWidth: 0 }} styles={{ body: SCROLL_BODY }}>
        <GridDetails
          gridId={gridId}
          // local saves and pulled changes both reload it: an edit form opens on what is here now
          version={version + remote}
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
      <OrgEditModal
        unit={orgEditing ? unit : null}
        onClose={() => setOrgEditing(false)}
        onSaved={() => {
          setOrgEditing(false);
          void reloadOrg();
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
