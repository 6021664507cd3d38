import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Space, Table, Tag, type TableProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ROSTER_SORT_FIELDS, type RosterQuery } from '../../../core/api/areas';
import { PERSON_STATUSES, ROLES, type PersonListRow, type PersonStatus, type Role } from '../../../core/domain/people';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { formatDateTime } from '../../components/dates';
import { genderLabel, roleLabel, roleText, STATUS_COLORS, statusLabel } from '../../components/labels';
import { OrgSelect } from '../../components/org-select';
import { useNotify } from '../../components/use-notify';
import { useRemoteDataVersion } from '../sync/sync-status-context';
import { PersonDrawer } from './person-drawer';

type SortField = (typeof ROSTER_SORT_FIELDS)[number];
type Query = Omit<RosterQuery, 'sort' | 'order' | 'page' | 'pageSize'> & { sort: SortField; order: 'asc' | 'desc'; page: number; pageSize: number };

const isSortField = (v: unknown): v is SortField => (ROSTER_SORT_FIELDS as readonly unknown[]).includes(v);

export function RosterPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const [query, setQuery] = useState<Query>({ sort: 'name', order: 'asc', page: 1, pageSize: 20 });
  const [rows, setRows] = useState<PersonListRow[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(false);
  const [search, setSearch] = useState('');
  // undefined = drawer closed, null = new person, string = that person
  const [personId, setPersonId] = useState<string | null | undefined>(undefined);
  // Other pages link to a person: #/roster?person=<id> opens the drawer.
  const [params, setParams] = useSearchParams();
  const linkedPerson = params.get('person');
  useEffect(() => {
    if (!linkedPerson) return;
    setPersonId(linkedPerson);
    setParams({}, { replace: true });
  }, [linkedPerson, setParams]);

  const remote = useRemoteDataVersion();
  const load = useCallback(async () => {
    void remote; // reload when the server brought changes
    setLoading(true);
    try {
      const page = await api.people.list(query);
      setRows(page.rows);
      setTotal(page.total);
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [query, notify, remote]);
  useEffect(() => {
    void load();
  }, [load]);

  const filter = (patch: Partial<Query>) => setQuery((q) => ({ ...q, ...patch, page: 1 }));
  const sortOrder = (field: SortField) => (query.sort === field ? (query.order === 'asc' ? 'ascend' : 'descend') : null);

  const onChange: TableProps<PersonListRow>['onChange'] = (pagination, _filters, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const field = s?.order && isSortField(s.field) ? s.field : 'name';
    setQuery((q) => ({
      ...q,
      sort: field,
      order: s?.order === 'descend' ? 'desc' : 'asc',
      page: pagination.current ?? 1,
      pageSize: pagination.pageSize ?? q.pageSize,
    }));
  };

  return (
    <Card
      data-testid="roster-page"
      title={t('nav.roster')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} data-testid="person-add" onClick={() => setPersonId(null)}>
          {t('person.add')}
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          data-testid="roster-search"
          allowClear
          style={{ width: 220 }}
          placeholder={t('person.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => filter({ q: v.trim() || undefined })}
        />
        <OrgSelect
          style={{ width: 240 }}
          allowClear
          placeholder={t('person.filterUnit')}
          value={query.orgUnitId ?? null}
          onChange={(id) => filter({ orgUnitId: id })}
        />
        <Select<Role>
          allowClear
          style={{ width: 160 }}
          placeholder={t('person.filterRole')}
          value={query.role}
          onChange={(role) => filter({ role })}
          options={ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))}
        />
        <Select<PersonStatus>
          allowClear
          style={{ width: 120 }}
          placeholder={t('person.filterStatus')}
          value={query.status}
          onChange={(status) => filter({ status })}
          options={PERSON_STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) }))}
        />
        <Select<'yes' | 'no'>
          allowClear
          style={{ width: 150 }}
          placeholder={t('person.filterParty')}
          value={query.partyMember === undefined ? undefined : query.partyMember ? 'yes' : 'no'}
          onChange={(v) => filter({ partyMember: v === undefined ? undefined : v === 'yes' })}
          options={[
            { value: 'yes', label: t('person.filterPartyYes') },
            { value: 'no', label: t('person.filterPartyNo') },
          ]}
        />
      </Space>
      <Table<PersonListRow>
        data-testid="roster-table"
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        onChange={onChange}
        // Header and pager stay in view; only the rows scroll (1366x768 shows ~14 rows). A scroll
        // area always shows its scrollbar, so a page of a few rows gets none.
        scroll={{ x: 1040, y: rows.length > 10 ? 'calc(100vh - 330px)' : undefined }}
        onRow={(row) => ({ onClick: () => setPersonId(row.id), style: { cursor: 'pointer' } })}
        pagination={{
          current: query.page,
          pageSize: query.pageSize,
          total,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (n) => t('person.total', { total: n }),
        }}
        columns={[
          { title: t('person.name'), dataIndex: 'name', key: 'name', sorter: true, sortOrder: sortOrder('name'), fixed: 'left', width: 110 },
          { title: t('person.gender'), dataIndex: 'gender', width: 70, render: (g: PersonListRow['gender']) => (g ? genderLabel(t, g) : '—') },
          { title: t('person.phone'), dataIndex: 'phone', width: 130, render: (p: string | null) => p ?? '—' },
          { title: t('person.residentId'), dataIndex: 'residentId', width: 170, render: (p: string | null) => p ?? '—' },
          { title: t('person.partyMember'), dataIndex: 'partyMember', width: 80, render: (p: boolean) => (p ? <Tag color="red">{t('common.yes')}</Tag> : t('common.no')) },
          { title: t('person.orgUnit'), dataIndex: 'orgUnitName', key: 'orgUnitName', sorter: true, sortOrder: sortOrder('orgUnitName'), width: 130 },
          {
            title: t('person.roles'),
            dataIndex: 'roles',
            render: (roles: string[]) => roles.map((r) => <Tag key={r}>{roleText(t, r)}</Tag>),
          },
          {
            title: t('person.status'),
            dataIndex: 'status',
            key: 'status',
            width: 90,
            sorter: true,
            sortOrder: sortOrder('status'),
            render: (s: PersonStatus) => <Tag color={STATUS_COLORS[s]}>{statusLabel(t, s)}</Tag>,
          },
          {
            title: t('person.updatedAt'),
            dataIndex: 'updatedAt',
            key: 'updatedAt',
            width: 140,
            sorter: true,
            sortOrder: sortOrder('updatedAt'),
            render: (d: string) => formatDateTime(d),
          },
        ]}
      />
      <PersonDrawer
        personId={personId}
        onClose={() => setPersonId(undefined)}
        onChanged={(id) => {
          if (id) setPersonId(id);
          void load();
        }}
      />
    </Card>
  );
}
