import { Alert, Space, Spin } from 'antd';
import { useI18n } from '../../app/i18n/i18n-context';
import { EnrollForm } from './enroll-form';
import { SyncIssues } from './sync-issues';
import { SyncOverview } from './sync-overview';
import { openIssueCount, useSyncStatus } from './sync-status-context';

export function SyncPage() {
  const { t } = useI18n();
  const { status, unavailable } = useSyncStatus();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="sync-page">
      {unavailable && <Alert type="warning" showIcon title={t('sync.unavailable')} />}
      {!status ? (
        <Spin style={{ width: '100%', marginTop: 48 }} />
      ) : !status.enrolled ? (
        <EnrollForm />
      ) : (
        <>
          <SyncOverview status={status} />
          <SyncIssues openCount={openIssueCount(status)} />
        </>
      )}
    </Space>
  );
}
