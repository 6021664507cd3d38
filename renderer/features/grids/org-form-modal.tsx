import { Checkbox, Form, Input, Modal, Radio } from 'antd';
import { useEffect } from 'react';
import { childOrgLevel, type CommunityKind, type OrgLevel, type OrgUnit } from '../../../core/domain/org';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { communityKindLabel, orgLevelLabel, withCode } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

interface Values {
  code: string;
  name: string;
  kind?: CommunityKind;
  hostsCenter: boolean;
}

/** The code prefix a child must share with its parent, so the clerk types only the new digits. */
function codePrefix(parent: OrgUnit | null): string {
  if (!parent) return '';
  return parent.level === 'district' ? parent.code.slice(0, 6) : parent.code.slice(0, 9);
}

export function OrgFormModal(props: { open: boolean; parent: OrgUnit | null; onClose: () => void; onCreated: (unit: OrgUnit) => void }) {
  const { t, reason } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const { saving, run } = useSaving();
  const level: OrgLevel | null = props.parent ? childOrgLevel(props.parent.level) : 'district';
  useEffect(() => {
    if (props.open) form.setFieldsValue({ code: codePrefix(props.parent), name: '', kind: 'urban_community', hostsCenter: false });
  }, [props.open, props.parent, form]);
  if (!level) return null;
  const submit = async () => {
    const values = await form.validateFields();
    await run(async () => {
      const unit = await api.org.create({
        code: values.code.trim(),
        name: values.name.trim(),
        level,
        kind: level === 'community' ? (values.kind ?? 'urban_community') : null,
        parentId: props.parent?.id ?? null,
        hostsCenter: values.hostsCenter,
      });
      notify.ok(t('org.created', { name: unit.name }));
      props.onCreated(unit);
    });
  };
  return (
    <Modal
      open={props.open}
      title={t('org.createTitle', { level: orgLevelLabel(t, level) })}
      onCancel={props.onClose}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" data-testid="org-form">
        {props.parent && (
          <Form.Item label={t('org.parent')}>
            {withCode(t, props.parent.name, props.parent.code)}
          </Form.Item>
        )}
        <Form.Item
          name="code"
          label={t('org.code')}
          extra={t('org.codeHint')}
          rules={[{ required: true, pattern: /^\d{12}$/, message: reason('org_code_format') ?? t('org.code') }]}
        >
          <Input maxLength={12} inputMode="numeric" data-testid="org-code" />
        </Form.Item>
        <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('person.required', { field: t('org.name') }) }]}>
          <Input maxLength={60} data-testid="org-name" />
        </Form.Item>
        {level === 'community' && (
          <Form.Item name="kind" label={t('org.kind')}>
            <Radio.Group
              options={(['urban_community', 'village'] as const).map((k) => ({ value: k, label: communityKindLabel(t, k) }))}
            />
          </Form.Item>
        )}
        <Form.Item name="hostsCenter" valuePropName="checked">
          <Checkbox>{t('org.hostsCenter')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
