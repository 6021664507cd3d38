import { Form, Input, Radio, Select, Switch, type FormInstance } from 'antd';
import { GENDERS, PERSON_STATUSES, type Person, type PersonStatus } from '../../../core/domain/people';
import { useI18n } from '../../app/i18n/i18n-context';
import { genderLabel, statusLabel } from '../../components/labels';
import { OrgSelect } from '../../components/org-select';
import { phoneRule, residentIdRule } from './validators';

export interface PersonValues {
  name: string;
  gender?: 'male' | 'female' | null;
  phone?: string;
  residentId?: string;
  partyMember: boolean;
  partyBranch?: string;
  status: PersonStatus;
  orgUnitId?: string;
  note?: string;
}

export const valuesOf = (p: Person): PersonValues => ({
  name: p.name,
  gender: p.gender,
  phone: p.phone ?? '',
  residentId: p.residentId ?? '',
  partyMember: p.partyMember,
  partyBranch: p.partyBranch ?? '',
  status: p.status,
  orgUnitId: p.orgUnitId,
  note: p.note ?? '',
});

const blankToNull = (v: string | undefined): string | null => (v && v.trim() ? v.trim() : null);

/** The person fields in the shape people.create / people.update take. */
export function toInput(v: PersonValues, orgUnitId: string) {
  return {
    name: v.name.trim(),
    gender: v.gender ?? null,
    phone: blankToNull(v.phone),
    residentId: blankToNull(v.residentId)?.toUpperCase() ?? null,
    partyMember: v.partyMember,
    partyBranch: v.partyMember ? blankToNull(v.partyBranch) : null,
    status: v.status,
    orgUnitId,
    note: blankToNull(v.note),
  };
}

export function PersonForm({ form }: { form: FormInstance<PersonValues> }) {
  const { t } = useI18n();
  const party = Form.useWatch('partyMember', form);
  const required = (field: string) => ({ required: true, whitespace: true, message: t('person.required', { field }) });
  return (
    <Form form={form} layout="vertical" data-testid="person-form" initialValues={{ partyMember: false, status: 'active' }}>
      <Form.Item name="name" label={t('person.name')} rules={[required(t('person.name'))]}>
        <Input maxLength={40} data-testid="person-name" />
      </Form.Item>
      <Form.Item name="gender" label={t('person.gender')}>
        <Radio.Group options={GENDERS.map((g) => ({ value: g, label: genderLabel(t, g) }))} />
      </Form.Item>
      <Form.Item name="phone" label={t('person.phone')} rules={[phoneRule(t)]} validateTrigger="onBlur">
        <Input maxLength={11} inputMode="numeric" data-testid="person-phone" />
      </Form.Item>
      <Form.Item name="residentId" label={t('person.residentId')} rules={[residentIdRule(t)]} validateTrigger="onBlur">
        <Input maxLength={18} data-testid="person-resident-id" />
      </Form.Item>
      <Form.Item name="orgUnitId" label={t('person.orgUnit')} rules={[{ required: true, message: t('person.required', { field: t('person.orgUnit') }) }]}>
        <OrgSelect allow={['street', 'community']} data-testid="person-org" />
      </Form.Item>
      <Form.Item name="partyMember" label={t('person.partyMember')} valuePropName="checked">
        <Switch data-testid="person-party" checkedChildren={t('common.yes')} unCheckedChildren={t('common.no')} />
      </Form.Item>
      {party && (
        <Form.Item name="partyBranch" label={t('person.partyBranch')}>
          <Input maxLength={60} />
        </Form.Item>
      )}
      <Form.Item name="status" label={t('person.status')}>
        <Select options={PERSON_STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) }))} />
      </Form.Item>
      <Form.Item name="note" label={t('person.note')}>
        <Input.TextArea maxLength={500} rows={2} />
      </Form.Item>
    </Form>
  );
}
