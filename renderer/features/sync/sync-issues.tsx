import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Space, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { SyncIssue } from '../../../core/api/sync';
import { useI18n } from '../../app/i18n/i18n-context';
import { api } from '../../api/client';
import { useNotify } from '../../components/use-notify';
import { IssueCard } from './issue-card';

/** Open conflicts, rejections and quarantined changes; reloads when the status's counts move. */
export function SyncIssues({ openCount }: { openCount: number }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [issues, setIssues] = useState<SyncIssue[]>([]);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setIssues(await api.sync.issues({ includeResolved: false }));
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [notify]);
  useEffect(() => {
    void load();
  }, [load, openCount]);
  return (
    <Card
      size="small"
      title={`${t('sync.issues.title')}${issues.length ? ` · ${t('sync.issues.count', { count: issues.length })}` : ''}`}
      data-testid="sync-issues"
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('common.refresh')}</Button>}
    >
      <Spin spinning={loading}>
        {issues.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sync.issues.none')} />
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }} size="middle">
            {issues.map((issue) => (
              <IssueCard key={issue.id} issue={issue} onResolved={() => void load()} />
            ))}
          </Space>
        )}
      </Spin>
    </Card>
  );
}
