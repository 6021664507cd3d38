import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { useEffect } from 'react';
import { DEDICATED_TYPES, GRID_CATEGORIES, type DedicatedType, type GridCategory, type GridUnit } from '../../../core/domain/grid';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { dedicatedTypeLabel, gridCategoryLabel } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

interface Values {
  name: string;
  category: GridCategory;
  householdCount: number;
  dedicatedType?: DedicatedType;
}

/** Only descriptive fields: level, parent and code change by moving or re-drawing the grid. */
export function GridEditModal(props: { grid: GridUnit | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const { saving, run } = useSaving();
  const { grid } = props;
  useEffect(() => {
    if (grid)
      form.setFieldsValue({ name: grid.name, category: grid.category, householdCount: grid.householdCount, dedicatedType: grid.dedicatedType ?? undefined });
  }, [grid, form]);
  const submit = async () => {
    if (!grid) return;
    const values = await form.validateFields();
    await run(async () => {
      await api.grid.update({
        id: grid.id,
        // a form opened before a pull brought another station's edit is refused, not saved over it
        baseVersion: grid.version,
        patch: {
          name: values.name.trim(),
          category: values.category,
          householdCount: values.householdCount,
          ...(grid.kind === 'dedicated' ? { dedicatedType: values.dedicatedType ?? null } : {}),
        },
      });
      notify.ok(t('grid.saved'));
      props.onSaved();
    });
  };
  return (
    <Modal open={grid !== null} title={t('grid.editTitle')} onCancel={props.onClose} onOk={() => void submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="grid-edit-form">
        <Form.Item name="name" label={t('grid.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="category" label={t('grid.category')}>
          <Select options={GRID_CATEGORIES.map((c) => ({ value: c, label: gridCategoryLabel(t, c) }))} />
        </Form.Item>
        <Form.Item name="householdCount" label={t('grid.households')}>
          <InputNumber min={0} max={100000} precision={0} />
        </Form.Item>
        {grid?.kind === 'dedicated' && (
          <Form.Item name="dedicatedType" label={t('grid.dedicatedType')}>
            <Select options={DEDICATED_TYPES.map((d) => ({ value: d, label: dedicatedTypeLabel(t, d) }))} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
