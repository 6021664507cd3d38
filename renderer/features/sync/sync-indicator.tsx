import { CloudOutlined, CloudSyncOutlined, DisconnectOutlined, ExclamationCircleOutlined, StopOutlined } from '@ant-design/icons';
import { Badge, Button, Tooltip } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import type { SyncStatus } from '../../../core/api/sync';
import { useI18n, type Translate } from '../../app/i18n/i18n-context';
import { openIssueCount, useSyncStatus } from './sync-status-context';

interface Look {
  icon: ReactNode;
  color: string;
  text: string;
}

function lastSyncText(t: Translate, at: string | null): string {
  if (!at) return t('sync.indicator.never');
  const when = dayjs(at);
  return t('sync.indicator.lastSync', { time: when.isSame(dayjs(), 'day') ? when.format('HH:mm') : when.format('MM-DD HH:mm') });
}

function lookOf(t: Translate, s: SyncStatus | null, unavailable: boolean): Look {
  if (!s || unavailable) return { icon: <ExclamationCircleOutlined />, color: '#ffd666', text: t('sync.indicator.unknown') };
  if (!s.enrolled) return { icon: <DisconnectOutlined />, color: 'rgba(255,255,255,0.65)', text: t('sync.indicator.notEnrolled') };
  if (s.refused) return { icon: <StopOutlined />, color: '#ff7875', text: t('sync.indicator.refused') };
  if (s.progress.phase !== 'idle') return { icon: <CloudSyncOutlined spin />, color: '#91caff', text: t('sync.indicator.syncing') };
  if (!s.online) return { icon: <DisconnectOutlined />, color: '#ffd666', text: `${t('sync.indicator.offline')} · ${lastSyncText(t, s.lastSyncAt)}` };
  return { icon: <CloudOutlined />, color: '#95de64', text: `${t('sync.indicator.online')} · ${lastSyncText(t, s.lastSyncAt)}` };
}

/** Always in the header: online or not, the last good sync, what waits to be sent. Click: the sync page. */
export function SyncIndicator() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { status, unavailable } = useSyncStatus();
  const look = lookOf(t, status, unavailable);
  const issues = status ? openIssueCount(status) : 0;
  return (
    <Tooltip title={t('sync.indicator.tooltip')}>
      <Button
        type="text"
        data-testid="sync-indicator"
        data-state={!status ? 'unknown' : !status.enrolled ? 'not-enrolled' : status.refused ? 'refused' : status.online ? 'online' : 'offline'}
        onClick={() => void navigate('/sync')}
        style={{ color: '#fff', display: 'flex', alignItems: 'center', gap: 6, paddingInline: 8 }}
      >
        <span style={{ color: look.color, fontSize: 16 }}>{look.icon}</span>
        <span style={{ whiteSpace: 'nowrap' }}>{look.text}</span>
        {status?.enrolled && status.pending > 0 && (
          <Badge count={t('sync.indicator.pending', { count: status.pending })} color="#1677ff" data-testid="sync-pending" />
        )}
        {issues > 0 && <Badge count={t('sync.indicator.issues', { count: issues })} color="#fa541c" data-testid="sync-issue-count" />}
      </Button>
    </Tooltip>
  );
}
