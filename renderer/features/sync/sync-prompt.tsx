import { Alert, Button, Space } from 'antd';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useI18n } from '../../app/i18n/i18n-context';
import { useSyncStatus } from './sync-status-context';

const DISMISSED_KEY = 'griddesk.syncPromptDismissed';

/** First run, not enrolled: a quiet, dismissible hint. Working offline is never blocked. */
export function SyncPrompt() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const { status } = useSyncStatus();
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(DISMISSED_KEY) === '1');
  if (dismissed || !status || status.enrolled || pathname.startsWith('/sync')) return null;
  const dismiss = () => {
    localStorage.setItem(DISMISSED_KEY, '1');
    setDismissed(true);
  };
  return (
    <Alert
      type="info"
      showIcon
      data-testid="sync-prompt"
      style={{ marginBottom: 12 }}
      title={t('sync.prompt.title')}
      action={
        <Space size={8}>
          <Button size="small" type="primary" onClick={() => void navigate('/sync')} data-testid="sync-prompt-go">
            {t('sync.prompt.go')}
          </Button>
          <Button size="small" onClick={dismiss} data-testid="sync-prompt-dismiss">
            {t('sync.prompt.later')}
          </Button>
        </Space>
      }
    />
  );
}
