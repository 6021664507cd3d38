import { DatePicker, Form, Input, InputNumber, Modal, Radio, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import type { GridNode } from '../../../core/api/areas';
import {
  allowedParentLevels,
  DEDICATED_TYPES,
  GRID_CATEGORIES,
  GRID_LEVELS,
  type DedicatedType,
  type GridCategory,
  type GridKind,
  type GridLevel,
  type GridUnit,
} from '../../../core/domain/grid';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { DATE_FORMAT, toIsoDate, todayDayjs } from '../../components/dates';
import { dedicatedTypeLabel, gridCategoryLabel, gridKindLabel, gridLevelLabel, withCode } from '../../components/labels';
import { OrgSelect } from '../../components/org-select';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';

interface Values {
  orgUnitId?: string;
  level: GridLevel;
  kind: GridKind;
  dedicatedType?: DedicatedType;
  parentId: string | null;
  category: GridCategory;
  name: string;
  householdCount: number;
  validFrom: Dayjs;
  code: string;
}

const NEXT_LEVEL: Record<GridLevel, GridLevel> = { large: 'medium', medium: 'small', small: 'micro', micro: 'micro' };
const NONE = '__none__';

export function GridFormModal(props: {
  open: boolean;
  communityId: string | null;
  parent: GridNode | null;
  grids: readonly GridNode[];
  onClose: () => void;
  onCreated: (grid: GridUnit) => void;
}) {
  const { t, reason } = useI18n();
  const notify = useNotify();
  const { units } = useOrg();
  const [form] = Form.useForm<Values>();
  const { saving, run } = useSaving();
  const orgUnitId = Form.useWatch('orgUnitId', form);
  const level = Form.useWatch('level', form);
  const kind = Form.useWatch('kind', form);
  const parentId = Form.useWatch('parentId', form);

  useEffect(() => {
    if (!props.open) return;
    const community = units.find((u) => u.id === (props.parent?.orgUnitId ?? props.communityId));
    form.resetFields();
    form.setFieldsValue({
      orgUnitId: community?.id,
      level: props.parent ? NEXT_LEVEL[props.parent.level] : 'large',
      kind: 'basic',
      parentId: props.parent?.id ?? null,
      category: props.parent?.category ?? (community?.kind === 'village' ? 'village' : 'urban_community'),
      householdCount: 0,
      validFrom: todayDayjs(),
      name: '',
      code: '',
    });
  }, [props.open, props.parent, props.communityId, units, form]);

  const parentOptions = useMemo(() => {
    if (!level) return [];
    const allowed = allowedParentLevels(level);
    const options = props.grids
      .filter((g) => g.orgUnitId === orgUnitId && allowed.includes(g.level))
      .map((g) => ({ value: g.id, label: `${gridLevelLabel(t, g.level)} · ${withCode(t, g.name, g.code)}` }));
    return allowed.includes(null) ? [{ value: NONE, label: t('grid.parentNone') }, ...options] : options;
  }, [props.grids, orgUnitId, level, t]);

  // The code follows the coding rules; ask the server for the next free one whenever the
  // inputs that shape it change, but leave it editable.
  useEffect(() => {
    if (!props.open || !orgUnitId || !level) return;
    let live = true;
    api.grid
      .nextCode({ orgUnitId, parentId: parentId ?? null, level, dedicated: kind === 'dedicated' })
      .then(({ code }) => live && form.setFieldValue('code', code))
      .catch(() => undefined); // an invalid combination is reported on save, with wording
    return () => {
      live = false;
    };
  }, [props.open, orgUnitId, level, parentId, kind, form]);

  const submit = async () => {
    const values = await form.validateFields();
    const orgUnitId = values.orgUnitId;
    if (!orgUnitId) return;
    await run(async () => {
      const grid = await api.grid.create({
        code: values.code.trim(),
        name: values.name.trim(),
        level: values.level,
        kind: values.kind,
        dedicatedType: values.kind === 'dedicated' ? (values.dedicatedType ?? null) : null,
        category: values.category,
        parentId: values.parentId ?? null,
        orgUnitId,
        householdCount: values.householdCount,
        validFrom: toIsoDate(values.validFrom),
      });
      notify.ok(t('grid.createdMsg', { name: grid.name }));
      props.onCreated(grid);
    });
  };

  return (
    <Modal
      open={props.open}
      title={t('grid.createTitle')}
      onCancel={props.onClose}
      onOk={() => void submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      width={620}
      destroyOnHidden
    >
      <Form form={form} layout="horizontal" labelCol={{ span: 6 }} data-testid="grid-form">
        <Form.Item name="orgUnitId" label={t('grid.community')} rules={[{ required: true, message: t('grid.pickCommunity') }]}>
          <OrgSelect allow={['community']} data-testid="grid-community" />
        </Form.Item>
        <Form.Item name="level" label={t('grid.level')} rules={[{ required: true }]}>
          <Radio.Group
            data-testid="grid-level"
            optionType="button"
            options={GRID_LEVELS.map((l) => ({ value: l, label: gridLevelLabel(t, l) }))}
            onChange={(e) => {
              // Keep the chosen parent when it may still hold the new level.
              const next = e.target.value as GridLevel;
              const parent = props.grids.find((g) => g.id === form.getFieldValue('parentId'));
              if (!allowedParentLevels(next).includes(parent?.level ?? null)) form.setFieldValue('parentId', null);
              // Only small grids may be dedicated (schools, hospitals…): DB6101/T 3185-2024.
              if (next !== 'small') form.setFieldValue('kind', 'basic');
            }}
          />
        </Form.Item>
        <Form.Item name="parentId" label={t('grid.parent')} rules={[{ required: level === 'medium' || level === 'micro' }]}
          getValueProps={(v: string | null) => ({ value: v ?? NONE })}
          normalize={(v: string) => (v === NONE ? null : v)}
        >
          <Select showSearch={{ optionFilterProp: 'label' }} options={parentOptions} data-testid="grid-parent" />
        </Form.Item>
        <Form.Item name="kind" label={t('grid.kind')}>
          <Radio.Group
            options={(['basic', 'dedicated'] as const).map((k) => ({ value: k, label: gridKindLabel(t, k), disabled: k === 'dedicated' && level !== 'small' }))}
          />
        </Form.Item>
        {kind === 'dedicated' && (
          <Form.Item name="dedicatedType" label={t('grid.dedicatedType')} rules={[{ required: true }]}>
            <Select options={DEDICATED_TYPES.map((d) => ({ value: d, label: dedicatedTypeLabel(t, d) }))} />
          </Form.Item>
        )}
        <Form.Item name="category" label={t('grid.category')} rules={[{ required: true }]}>
          <Select options={GRID_CATEGORIES.map((c) => ({ value: c, label: gridCategoryLabel(t, c) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('grid.name')} rules={[{ required: true, whitespace: true, message: t('person.required', { field: t('grid.name') }) }]}>
          <Input maxLength={60} data-testid="grid-name" />
        </Form.Item>
        <Form.Item name="code" label={t('grid.code')} extra={t('grid.codeHint')} rules={[{ required: true, pattern: /^\d{16}(\d{3})?$/, message: reason('grid_code_format') ?? '' }]}>
          <Input maxLength={19} data-testid="grid-code" />
        </Form.Item>
        <Form.Item name="householdCount" label={t('grid.households')}>
          <InputNumber min={0} max={100000} precision={0} />
        </Form.Item>
        <Form.Item name="validFrom" label={t('grid.validFrom')} rules={[{ required: true }]}>
          <DatePicker format={DATE_FORMAT} allowClear={false} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
