import { Progress, Typography } from 'antd';
import type { SyncStatus } from '../../../core/api/sync';
import { useI18n, type Translate } from '../../app/i18n/i18n-context';

const PHASES = ['bootstrap', 'push', 'pull'] as const;

/** Between cycles: what a phase would do next, so an idle row never reads as work in the queue. */
function idleText(p: (typeof PHASES)[number], status: SyncStatus, t: Translate): string {
  if (p === 'push') return status.pending > 0 ? t('sync.phase.pushPending', { count: status.pending }) : t('sync.phase.pushNone');
  if (p === 'pull' && status.bootstrapped && status.online && status.lastSyncAt && !status.lastError) return t('sync.phase.upToDate');
  if (p === 'bootstrap' && firstDownloadDue(status)) return t('sync.phase.bootstrapNext');
  if (p === 'pull' && !status.bootstrapped) return t('sync.phase.pullAfterDownload');
  return t('sync.phase.waiting');
}

/** Enrolled, the street not downloaded yet, and nothing has gone wrong: the download starts at once. */
const firstDownloadDue = (s: SyncStatus): boolean => s.enrolled && !s.bootstrapped && !s.lastError;

/** The last cycle could not reach the server: not before the first contact, nor when the server said to update. */
const unreachable = (s: SyncStatus): boolean => s.enrolled && !s.online && !s.clientTooOld && (s.lastError?.reason.startsWith('network.') ?? false);

/** One bar per phase of a cycle; the status carries the running phase's done/total. */
export function SyncProgress({ status }: { status: SyncStatus }) {
  const { t } = useI18n();
  const { phase, done, total } = status.progress;
  return (
    <div data-testid="sync-progress" data-phase={phase} style={{ display: 'grid', gridTemplateColumns: 'minmax(180px, max-content) 1fr', gap: '4px 16px', alignItems: 'center', maxWidth: 760 }}>
      {PHASES.map((p) => {
        const running = phase === p;
        const finishedBootstrap = p === 'bootstrap' && status.bootstrapped && !running;
        const percent = running ? (total > 0 ? Math.floor((done / total) * 100) : 0) : finishedBootstrap ? 100 : 0;
        return [
          <Typography.Text key={`${p}-label`} type={running ? undefined : 'secondary'}>
            {t(`sync.phase.${p}`)}
          </Typography.Text>,
          <div key={`${p}-bar`} data-testid={`sync-progress-${p}`}>
            {running ? (
              <Progress percent={percent} status="active" format={() => (total > 0 ? t('sync.phase.count', { done, total }) : '…')} />
            ) : finishedBootstrap ? (
              <Progress percent={100} format={() => t('sync.phase.done')} />
            ) : (
              <Typography.Text type="secondary">{idleText(p, status, t)}</Typography.Text>
            )}
          </div>,
        ];
      })}
      {phase === 'idle' && (
        <Typography.Text type="secondary" style={{ gridColumn: '1 / -1' }}>
          {t(unreachable(status) ? 'sync.phase.idleOffline' : firstDownloadDue(status) ? 'sync.phase.idleBeforeDownload' : 'sync.phase.idle')}
        </Typography.Text>
      )}
    </div>
  );
}
