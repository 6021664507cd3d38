import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Space, Spin } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SyncIssue } from '../../../core/api/sync';
import { useI18n } from '../../app/i18n/i18n-context';
import { api } from '../../api/client';
import { useNotify } from '../../components/use-notify';
import { IssueCard } from './issue-card';
import { issueNames, type IssueNames } from './issue-names';
import { useSyncStatus } from './sync-status-context';
import { cardTitle, commandBlockers, foldedIssues, knownName } from './sync-text';

/** Open conflicts, rejections and quarantined changes; reloads when the status's counts move. */
export function SyncIssues({ openCount }: { openCount: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const notify = useNotify();
  // the header's count of open issues follows a settled card at once, not at the next poll
  const { refresh: refreshStatus } = useSyncStatus();
  const [issues, setIssues] = useState<SyncIssue[]>([]);
  const [names, setNames] = useState<IssueNames>({ subjects: {}, refs: {} });
  const [loading, setLoading] = useState(false);
  // a reload started while an earlier one looks up names must not be overwritten by it
  const latest = useRef(0);
  const load = useCallback(async () => {
    const run = ++latest.current;
    setLoading(true);
    try {
      const open = await api.sync.issues({ includeResolved: false });
      const found = await issueNames(open, (i) => knownName(i) !== null);
      if (run !== latest.current) return;
      setNames(found);
      setIssues(open);
    } catch (error) {
      if (run === latest.current) notify.fail(error);
    } finally {
      if (run === latest.current) setLoading(false);
    }
  }, [notify]);
  useEffect(() => {
    void load();
  }, [load, openCount]);
  const folded = useMemo(() => foldedIssues(issues), [issues]);
  const blockers = useMemo(() => commandBlockers(issues, folded), [issues, folded]);
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
              <IssueCard
                key={issue.id}
                issue={issue}
                name={names.subjects[issue.id]}
                refNames={names.refs}
                foldedCount={foldedInto(issue.id)}
                blockedBy={blockers.has(issue.id) ? cardTitle(i18n, blockers.get(issue.id)!, names.subjects[blockers.get(issue.id)!.id]) : undefined}
                onResolved={() => {
                  void load();
                  void refreshStatus();
                }}
              />
            ))}
          </Space>
        )}
      </Spin>
    </Card>
  );
}
