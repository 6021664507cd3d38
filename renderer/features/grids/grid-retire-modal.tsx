import { Alert, DatePicker, Form, Input, Modal } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect } from 'react';
import type { GridUnit } from '../../../core/domain/grid';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { DATE_FORMAT, toIsoDate, todayDayjs } from '../../components/dates';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

/** Retiring is a re-drawing step the clerk cannot undo from the UI: a danger confirm. */
export function GridRetireModal(props: { grid: GridUnit | null; onClose: () => void; onRetired: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<{ validTo: Dayjs; reason: string }>();
  const { saving, run } = useSaving();
  const { grid } = props;
  useEffect(() => {
    if (grid) form.setFieldsValue({ validTo: todayDayjs(), reason: '' });
  }, [grid, form]);
  const submit = async () => {
    if (!grid) return;
    const values = await form.validateFields();
    await run(async () => {
      await api.grid.retire({ id: grid.id, validTo: toIsoDate(values.validTo), reason: values.reason.trim() });
      notify.ok(t('grid.retiredMsg'));
      props.onRetired();
    });
  };
  return (
    <Modal
      open={grid !== null}
      title={t('grid.retireTitle')}
      onCancel={props.onClose}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('grid.retire')}
      okButtonProps={{ danger: true }}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('grid.retireConfirm', { name: grid?.name ?? '' })} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" data-testid="grid-retire-form">
        <Form.Item name="validTo" label={t('grid.retireDate')} rules={[{ required: true }]}>
          <DatePicker format={DATE_FORMAT} allowClear={false} />
        </Form.Item>
        <Form.Item name="reason" label={t('grid.retireReason')} rules={[{ required: true, whitespace: true, message: t('person.required', { field: t('grid.retireReason') }) }]}>
          <Input.TextArea maxLength={200} rows={2} data-testid="grid-retire-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
