import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Space, Spin } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SyncIssue } from '../../../core/api/sync';
import { useI18n } from '../../app/i18n/i18n-context';
import { api } from '../../api/client';
import { useNotify } from '../../components/use-notify';
import { IssueCard } from './issue-card';
import { foldedIssues, knownName } from './sync-text';

/** The name of the record an issue is about, from this replica, when the issue carries none. */
async function lookUpName(issue: SyncIssue): Promise<string | null> {
  const ref = (field: string): string | null => {
    const value = issue.localFields?.[field];
    return typeof value === 'string' ? value : null;
  };
  const personName = async (id: string | null) => (id ? (await api.people.get({ id })).person.name : null);
  const gridName = async (id: string | null) => (id ? (await api.grid.get({ id })).grid.name : null);
  try {
    switch (issue.entity) {
      case 'person':
        return await personName(issue.entityId);
      case 'assignment':
        return await personName(ref('personId'));
      case 'gridUnit':
        return await gridName(issue.entityId);
      case 'gridHistory':
        return await gridName(ref('gridId'));
      case 'orgUnit':
        return (await api.org.tree({})).find((o) => o.id === issue.entityId)?.name ?? null;
    }
  } catch {
    return null; // gone from this replica: the card keeps the short id
  }
}

/** Open conflicts, rejections and quarantined changes; reloads when the status's counts move. */
export function SyncIssues({ openCount }: { openCount: number }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [issues, setIssues] = useState<SyncIssue[]>([]);
  const [names, setNames] = useState<Record<number, string>>({});
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      const open = await api.sync.issues({ includeResolved: false });
      const found = await Promise.all(open.filter((i) => !knownName(i)).map(async (i) => [i.id, await lookUpName(i)] as const));
      setNames(Object.fromEntries(found.filter((f): f is readonly [number, string] => f[1] !== null)));
      setIssues(open);
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [notify]);
  useEffect(() => {
    void load();
  }, [load, openCount]);
  const folded = useMemo(() => foldedIssues(issues), [issues]);
  const shown = issues.filter((i) => !folded.has(i.id));
  const foldedInto = (id: number) => [...folded.values()].filter((owner) => owner === id).length;
  return (
    <Card
      size="small"
      title={`${t('sync.issues.title')}${shown.length ? ` · ${t('sync.issues.count', { count: shown.length })}` : ''}`}
      data-testid="sync-issues"
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('common.refresh')}</Button>}
    >
      <Spin spinning={loading}>
        {shown.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sync.issues.none')} />
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }} size="middle">
            {shown.map((issue) => (
              <IssueCard key={issue.id} issue={issue} name={names[issue.id]} foldedCount={foldedInto(issue.id)} onResolved={() => void load()} />
            ))}
          </Space>
        )}
      </Spin>
    </Card>
  );
}
