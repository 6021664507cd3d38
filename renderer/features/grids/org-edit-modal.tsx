import { Checkbox, Descriptions, Form, Input, Modal } from 'antd';
import { useEffect } from 'react';
import type { OrgUnit } from '../../../core/domain/org';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { orgLevelLabel } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

interface Values {
  name: string;
  hostsCenter: boolean;
}

/** Renames a unit and records whether it hosts a governance center; the code never changes here. */
export function OrgEditModal(props: { unit: OrgUnit | null; onClose: () => void; onSaved: (unit: OrgUnit) => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const { saving, run } = useSaving();
  const { unit } = props;
  useEffect(() => {
    if (unit) form.setFieldsValue({ name: unit.name, hostsCenter: unit.hostsCenter });
  }, [unit, form]);
  const submit = async () => {
    if (!unit) return;
    const values = await form.validateFields();
    const name = values.name.trim();
    await run(async () => {
      const saved = await api.org.update({
        id: unit.id,
        ...(name !== unit.name ? { name } : {}),
        ...(values.hostsCenter !== unit.hostsCenter ? { hostsCenter: values.hostsCenter } : {}),
      });
      notify.ok(t('org.updated', { name: saved.name }));
      props.onSaved(saved);
    });
  };
  return (
    <Modal
      open={unit !== null}
      title={unit ? t('org.editTitle', { level: orgLevelLabel(t, unit.level) }) : ''}
      onCancel={props.onClose}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'org-edit-save' }}
      destroyOnHidden
    >
      {unit && (
        <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('org.codeShort')}>{unit.code}</Descriptions.Item>
        </Descriptions>
      )}
      <Form form={form} layout="vertical" data-testid="org-edit-form">
        <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('person.required', { field: t('org.name') }) }]}>
          <Input maxLength={60} data-testid="org-edit-name" />
        </Form.Item>
        <Form.Item name="hostsCenter" valuePropName="checked" extra={t('org.hostsCenterHint')}>
          <Checkbox data-testid="org-edit-center">{t('org.hostsCenter')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
