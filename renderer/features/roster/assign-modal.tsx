import { DatePicker, Form, Modal, Radio, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { ROLES, roleAllowedOn, type Assignment, type AssignmentTargetKind, type Role } from '../../../core/domain/people';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { DATE_FORMAT, toIsoDate, todayDayjs } from '../../components/dates';
import { GridSearch, type GridHit } from '../../components/grid-search';
import { roleLabel } from '../../components/labels';
import { OrgSelect } from '../../components/org-select';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

interface Values {
  kind: AssignmentTargetKind;
  gridId?: string;
  orgUnitId?: string;
  role?: Role;
  startDate: Dayjs;
  endDate?: Dayjs | null;
}

export function AssignModal(props: { personId: string | null; onClose: () => void; onAssigned: (a: Assignment) => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<Values>();
  const { saving, run } = useSaving();
  const [grid, setGrid] = useState<GridHit | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'grid';
  useEffect(() => {
    if (props.personId) {
      form.resetFields();
      form.setFieldsValue({ kind: 'grid', startDate: todayDayjs() });
      setGrid(null);
    }
  }, [props.personId, form]);
  // Offer only the roles that may be held on this kind of target (DOMAIN.md roles).
  const roleOptions = useMemo(
    () =>
      ROLES.filter((r) => roleAllowedOn(r, kind) && (r !== 'household_head' || grid === null || grid.level === 'micro')).map((r) => ({
        value: r,
        label: roleLabel(t, r),
      })),
    [kind, grid, t],
  );
  const submit = async () => {
    const personId = props.personId;
    if (!personId) return;
    const v = await form.validateFields();
    const role = v.role;
    if (!role) return;
    await run(async () => {
      const target = v.kind === 'grid' ? { kind: 'grid' as const, gridId: v.gridId ?? '' } : { kind: 'org' as const, orgUnitId: v.orgUnitId ?? '' };
      const created = await api.people.assign({
        personId,
        target,
        role,
        startDate: toIsoDate(v.startDate),
        endDate: v.endDate ? toIsoDate(v.endDate) : null,
      });
      notify.ok(t('assign.assigned'));
      props.onAssigned(created);
    });
  };
  const required = (field: string) => ({ required: true, message: t('person.required', { field }) });
  return (
    <Modal open={props.personId !== null} title={t('assign.title')} onCancel={props.onClose} onOk={() => void submit()} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" data-testid="assign-form">
        <Form.Item name="kind" label={t('assign.targetKind')}>
          <Radio.Group
            optionType="button"
            onChange={() => form.setFieldsValue({ role: undefined })}
            options={[
              { value: 'grid', label: t('assign.targetGrid') },
              { value: 'org', label: t('assign.targetOrg') },
            ]}
          />
        </Form.Item>
        {kind === 'grid' ? (
          <Form.Item name="gridId" label={t('assign.targetGrid')} rules={[required(t('assign.targetGrid'))]}>
            <GridSearch
              testId="assign-grid-search"
              disableRetired
              placeholder={t('assign.searchGrid')}
              onPick={(hit) => {
                setGrid(hit);
                form.setFieldsValue({ gridId: hit.id });
              }}
            />
          </Form.Item>
        ) : (
          <Form.Item name="orgUnitId" label={t('assign.targetOrg')} rules={[required(t('assign.targetOrg'))]}>
            <OrgSelect data-testid="assign-org" />
          </Form.Item>
        )}
        <Form.Item name="role" label={t('assign.role')} rules={[required(t('assign.role'))]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={roleOptions} data-testid="assign-role" />
        </Form.Item>
        <Form.Item name="startDate" label={t('assign.start')} rules={[{ required: true }]}>
          <DatePicker format={DATE_FORMAT} allowClear={false} />
        </Form.Item>
        <Form.Item name="endDate" label={t('assign.end')}>
          <DatePicker format={DATE_FORMAT} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
