import { Button, DatePicker, Divider, Drawer, Form, Popconfirm, Space, Spin, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { outlivesItsGrid, type Assignment, type Person } from '../../../core/domain/people';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { DATE_FORMAT, fromIsoDate, toIsoDate, todayDayjs } from '../../components/dates';
import { roleLabel } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { useSaving } from '../../components/use-saving';
import { AssignModal } from './assign-modal';
import { PersonForm, toInput, valuesOf, type PersonValues } from './person-form';

/** Short cells (a role, a date) stay on one line; the target's name wraps instead. */
const NO_WRAP = () => ({ style: { whiteSpace: 'nowrap' as const } });

/** Today, or for a duty that outlives its grid the grid's retirement date (its own first day if it starts later). */
function suggestedEnd(a: Assignment): Dayjs {
  if (a.targetRetiredOn === null || !outlivesItsGrid(a)) return todayDayjs();
  return fromIsoDate(a.startDate > a.targetRetiredOn ? a.startDate : a.targetRetiredOn);
}

/** personId: undefined = closed, null = new person, string = existing person. */
export function PersonDrawer(props: { personId: string | null | undefined; onClose: () => void; onChanged: (id?: string) => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<PersonValues>();
  const [person, setPerson] = useState<Person | null>(null);
  const [assignments, setAssignments] = useState<Assignment[]>([]);
  const [loading, setLoading] = useState(false);
  const { saving, run } = useSaving();
  const [assigning, setAssigning] = useState(false);
  const [endDate, setEndDate] = useState<Dayjs>(todayDayjs());
  const { personId } = props;

  const load = useCallback(async (id: string) => {
    setLoading(true);
    try {
      const detail = await api.people.get({ id });
      setPerson(detail.person);
      setAssignments(detail.assignments);
      form.setFieldsValue(valuesOf(detail.person));
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [form, notify]);

  useEffect(() => {
    if (personId === undefined) return;
    setPerson(null);
    setAssignments([]);
    form.resetFields();
    if (personId) void load(personId);
  }, [personId, load, form]);

  const save = async () => {
    const values = await form.validateFields();
    const orgUnitId = values.orgUnitId;
    if (!orgUnitId) return;
    await run(async () => {
      const input = toInput(values, orgUnitId);
      if (person) {
        const updated = await api.people.update({ id: person.id, baseVersion: person.version, patch: input });
        setPerson(updated);
        notify.ok(t('common.saved'));
        props.onChanged(updated.id);
      } else {
        const created = await api.people.create(input);
        notify.ok(t('person.created', { name: created.name }));
        props.onChanged(created.id);
      }
    });
  };

  const endAssignment = async (a: Assignment) => {
    try {
      await api.people.endAssignment({ id: a.id, endDate: toIsoDate(endDate) });
      notify.ok(t('assign.endedMsg'));
      if (person) await load(person.id);
      props.onChanged();
    } catch (error) {
      notify.fail(error);
    }
  };

  return (
    <Drawer
      open={personId !== undefined}
      onClose={props.onClose}
      size={560}
      title={person ? `${t('person.editTitle')} — ${person.name}` : t('person.addTitle')}
      destroyOnHidden
      extra={
        <Button type="primary" loading={saving} onClick={() => void save()} data-testid="person-save">
          {t('common.save')}
        </Button>
      }
    >
      <Spin spinning={loading}>
        <PersonForm form={form} />
        {person && (
          <>
            <Divider />
            <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }}>
              <Typography.Title level={5} style={{ margin: 0 }}>{t('person.assignments')}</Typography.Title>
              <Button onClick={() => setAssigning(true)} data-testid="assign-open">{t('assign.add')}</Button>
            </Space>
            <Table<Assignment>
              size="small"
              rowKey="id"
              data-testid="person-assignments"
              pagination={false}
              dataSource={assignments}
              locale={{ emptyText: t('assign.empty') }}
              columns={[
                { title: t('assign.role'), dataIndex: 'role', onCell: NO_WRAP, render: (r: Assignment['role']) => roleLabel(t, r) },
                {
                  title: t('assign.target'),
                  dataIndex: 'targetName',
                  render: (n: string, a) => (
                    <span title={a.targetCode}>
                      {n}
                      {a.targetRetiredOn !== null && outlivesItsGrid(a) && (
                        <Tag color="warning" style={{ marginInlineStart: 6 }} data-testid="assign-grid-retired" title={t('assign.gridRetiredHint')}>
                          {t('assign.gridRetiredOn', { date: a.targetRetiredOn })}
                        </Tag>
                      )}
                    </span>
                  ),
                },
                { title: t('assign.start'), dataIndex: 'startDate', onCell: NO_WRAP },
                {
                  title: t('assign.end'),
                  dataIndex: 'endDate',
                  width: 110,
                  render: (d: string | null, a) => (a.active ? <Tag color="green">{t('assign.active')}</Tag> : (d ?? t('assign.ended'))),
                },
                {
                  title: t('common.actions'),
                  width: 90,
                  render: (_: unknown, a) =>
                    (a.active || outlivesItsGrid(a)) && (
                      <Popconfirm
                        title={t('assign.endTitle')}
                        description={
                          <Space orientation="vertical">
                            {t('assign.endDate')}
                            <DatePicker format={DATE_FORMAT} value={endDate} allowClear={false} onChange={(d) => d && setEndDate(d)} />
                          </Space>
                        }
                        onOpenChange={(open) => open && setEndDate(suggestedEnd(a))}
                        onConfirm={() => endAssignment(a)}
                      >
                        <Button size="small" type="link" danger data-testid="assign-end">{t('assign.endAction')}</Button>
                      </Popconfirm>
                    ),
                },
              ]}
            />
          </>
        )}
      </Spin>
      <AssignModal
        personId={assigning && person ? person.id : null}
        onClose={() => setAssigning(false)}
        onAssigned={() => {
          setAssigning(false);
          if (person) void load(person.id);
          props.onChanged();
        }}
      />
    </Drawer>
  );
}
