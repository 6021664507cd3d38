import { SyncOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Descriptions, Typography } from 'antd';
import { useState } from 'react';
import type { SyncStatus } from '../../../core/api/sync';
import { useI18n } from '../../app/i18n/i18n-context';
import { api } from '../../api/client';
import { formatDateTime } from '../../components/dates';
import { withCode } from '../../components/labels';
import { useNotify } from '../../components/use-notify';
import { SyncProgress } from './sync-progress';
import { useSyncStatus } from './sync-status-context';
import { syncReasonText } from './sync-text';

/** Which street this station belongs to, how the last sync went, and a button for one now. */
export function SyncOverview({ status }: { status: SyncStatus }) {
  const i18n = useI18n();
  const { t } = i18n;
  const notify = useNotify();
  const { message } = App.useApp();
  const { accept } = useSyncStatus();
  const [running, setRunning] = useState(false);
  const syncNow = async () => {
    const started = new Date().toISOString();
    setRunning(true);
    try {
      const after = await api.sync.now({});
      accept(after);
      // sync.now reports a failed cycle in the status, not as an error: being offline is normal.
      if (after.lastError && after.lastError.at >= started) {
        void message.warning({ content: t('sync.nowFailed', { reason: syncReasonText(i18n, after.lastError.reason) }), duration: 8 });
      } else notify.ok(t('sync.nowDone'));
    } catch (error) {
      notify.fail(error);
    } finally {
      setRunning(false);
    }
  };
  return (
    <Card
      size="small"
      title={t('sync.enrollment')}
      data-testid="sync-overview"
      extra={
        <Button type="primary" icon={<SyncOutlined spin={running} />} loading={false} disabled={running || status.clientTooOld} onClick={() => void syncNow()} data-testid="sync-now">
          {t('sync.now')}
        </Button>
      }
    >
      {status.clientTooOld && <Alert type="error" showIcon title={t('sync.clientTooOld')} style={{ marginBottom: 12 }} />}
      {status.refused && (
        <Alert type="error" showIcon data-testid="sync-refused" title={t('sync.refused')} description={t('sync.refusedPending', { count: status.pending + status.quarantined })} style={{ marginBottom: 12 }} />
      )}
      {!status.bootstrapped && <Alert type="info" showIcon title={t('sync.bootstrapPending')} style={{ marginBottom: 12 }} />}
      <Descriptions size="small" bordered column={{ xs: 1, xl: 2 }} styles={{ label: { whiteSpace: 'nowrap', width: 140 } }}>
        <Descriptions.Item label={t('sync.street')}>
          <span data-testid="sync-street">{status.street ? withCode(t, status.street.name, status.street.code) : '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('sync.connection')}>
          {status.refused ? (
            <Badge status="error" text={t('sync.indicator.refused')} />
          ) : (
            <Badge status={status.online ? 'success' : 'warning'} text={t(status.online ? 'sync.indicator.online' : 'sync.indicator.offline')} />
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('sync.deviceName')}>{status.deviceName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('sync.lastSync')}>
          <span data-testid="sync-last">{status.lastSyncAt ? formatDateTime(status.lastSyncAt) : t('sync.never')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('sync.deviceId')}>
          <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12 }}>{status.deviceId ?? '—'}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('sync.pending')}>
          <span data-testid="sync-pending-count">{t('sync.pendingCount', { count: status.pending })}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('sync.server')} span={2}>{status.serverUrl ?? '—'}</Descriptions.Item>
        {status.lastError && (
          <Descriptions.Item label={t('sync.lastError')} span={2}>
            <Typography.Text type="warning" data-testid="sync-last-error">
              {formatDateTime(status.lastError.at)} {syncReasonText(i18n, status.lastError.reason)}
            </Typography.Text>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('sync.progress')}</Typography.Title>
      <SyncProgress status={status} />
    </Card>
  );
}
