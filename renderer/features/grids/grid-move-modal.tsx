import { DatePicker, Form, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import type { GridNode } from '../../../core/api/areas';
import { allowedParentLevels, type GridUnit } from '../../../core/domain/grid';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { DATE_FORMAT, toIsoDate, todayDayjs } from '../../components/dates';
import { gridLevelLabel, withCode } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';
import { subtreeIds } from './grid-tree-data';

const NONE = '__none__';

export function GridMoveModal(props: { grid: GridUnit | null; grids: readonly GridNode[]; onClose: () => void; onMoved: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<{ parentId: string; date: Dayjs }>();
  const { saving, run } = useSaving();
  const { grid } = props;
  useEffect(() => {
    if (!grid) return;
    // a parent that can no longer take it (retired by another station meanwhile) is not offered: the clerk picks one
    const parentId = grid.parentId === null ? NONE : props.grids.some((g) => g.id === grid.parentId) ? grid.parentId : undefined;
    form.setFieldsValue({ parentId, date: todayDayjs() });
  }, [grid, props.grids, form]);
  // Same community, an allowed parent level, and never inside its own subtree.
  const options = useMemo(() => {
    if (!grid) return [];
    const allowed = allowedParentLevels(grid.level);
    const own = subtreeIds(props.grids, grid.id);
    const list = props.grids
      .filter((g) => g.orgUnitId === grid.orgUnitId && !own.has(g.id) && allowed.includes(g.level))
      .map((g) => ({ value: g.id, label: `${gridLevelLabel(t, g.level)} · ${withCode(t, g.name, g.code)}` }));
    return allowed.includes(null) ? [{ value: NONE, label: t('grid.parentNone') }, ...list] : list;
  }, [grid, props.grids, t]);
  const submit = async () => {
    if (!grid) return;
    const values = await form.validateFields();
    await run(async () => {
      await api.grid.move({ id: grid.id, parentId: values.parentId === NONE ? null : values.parentId, date: toIsoDate(values.date) });
      notify.ok(t('grid.movedMsg'));
      props.onMoved();
    });
  };
  return (
    <Modal open={grid !== null} title={t('grid.moveTitle')} onCancel={props.onClose} onOk={() => void submit()} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="grid-move-form">
        <Form.Item name="parentId" label={t('grid.newParent')} rules={[{ required: true }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={options} data-testid="grid-move-parent" />
        </Form.Item>
        <Form.Item name="date" label={t('grid.moveDate')} rules={[{ required: true }]}>
          <DatePicker format={DATE_FORMAT} allowClear={false} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
