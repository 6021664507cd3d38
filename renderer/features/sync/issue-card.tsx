import { App, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { SyncIssue, SyncResolution } from '../../../core/api/sync';
import { CODE_TAKEN_REASONS } from '../../../core/sync/policies';
import { useI18n } from '../../app/i18n/i18n-context';
import { api } from '../../api/client';
import { formatDateTime } from '../../components/dates';
import { useNotify } from '../../components/use-notify';
import { issueRecordPath } from './issue-routes';
import { cardTitle, compareRows, isMasked, syncReasonText, type FieldRow } from './sync-text';

const KIND_COLORS: Record<SyncIssue['kind'], string> = { rejection: 'red', conflict: 'orange', quarantine: 'purple' };

/** One issue in plain words: what happened, both values side by side, and what can be done. */
export function IssueCard({
  issue,
  name,
  foldedCount = 0,
  blockedBy,
  refNames,
  onResolved,
}: {
  issue: SyncIssue;
  /** The record's name from this replica, when the issue itself carries none. */
  name?: string;
  /** Issues settled with this one (its command's other changes, a new grid's history), whose cards are folded into it. */
  foldedCount?: number;
  /** For a refused command: the title of the card of a change it builds on that the server refused (sync-text.ts commandBlockers). */
  blockedBy?: string;
  /** Names of the records its fields point to, by id (a duty's person and grid). */
  refNames?: Readonly<Record<string, string>>;
  onResolved: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const notify = useNotify();
  const { modal } = App.useApp();
  const navigate = useNavigate();
  const [busy, setBusy] = useState<SyncResolution | null>(null);
  // masked as everywhere else, until the clerk needs the whole numbers to decide
  const [revealed, setRevealed] = useState(false);
  const rows = compareRows(i18n, issue, { refNames, revealed });
  const path = issueRecordPath(issue);
  // a refused command is undone whole and done again on its page, never re-sent as it was
  const command = issue.kind === 'conflict' ? null : issue.command;
  // a record refused for a code another holds is given up, never sent again (CODE_TAKEN_REASONS)
  const codeTaken = issue.kind === 'rejection' && CODE_TAKEN_REASONS.has(issue.reason);
  const canReapply = issue.kind === 'quarantine' || (issue.kind === 'rejection' && !command && !codeTaken);
  // a stale edit that was part of a move or retirement the server applied is changed on the grid page, not undone field by field
  const commandConflict = issue.kind === 'conflict' && issue.command !== null;
  // a row that gave way already holds what the server left it: there is nothing to take back
  const displaced = issue.reason === 'sync.unique_displaced';
  const staleEdit = issue.kind === 'conflict' && !displaced;
  const canAccept = !commandConflict && !displaced;
  const explain = command
    ? issue.kind === 'rejection'
      ? blockedBy
        ? 'sync.issue.explain.commandBlocked'
        : 'sync.issue.explain.command'
      : 'sync.issue.explain.commandQuarantine'
    : issue.kind === 'conflict'
      ? displaced
        ? issue.entity === 'person'
          ? 'sync.issue.explain.displacedId'
          : 'sync.issue.explain.displacedCode'
        : commandConflict
          ? 'sync.issue.explain.commandConflict'
          : 'sync.issue.explain.conflict'
      : issue.kind === 'rejection'
        ? codeTaken
          ? 'sync.issue.explain.codeTaken'
          : issue.reason === 'person.resident_id_taken'
            ? 'sync.issue.explain.residentIdTaken'
            : 'sync.issue.explain.rejection'
        : 'sync.issue.explain.quarantine';

  const resolve = async (action: SyncResolution) => {
    setBusy(action);
    try {
      await api.sync.resolveIssue({ id: issue.id, action });
      notify.ok(t('sync.issue.done'));
      onResolved();
    } catch (error) {
      notify.fail(error);
    } finally {
      setBusy(null);
    }
  };
  // Taking the server's values throws away the clerk's own work: ask first (not for a conflict,
  // where it only restores what the server had).
  const acceptServer = () => {
    if (issue.kind === 'conflict') return void resolve('accept_server');
    modal.confirm({
      title: t('sync.issue.acceptServer'),
      content: t('sync.issue.confirmAccept'),
      okText: t('common.ok'),
      cancelText: t('common.cancel'),
      okButtonProps: { 'data-testid': 'sync-accept-confirm' },
      onOk: () => resolve('accept_server'),
    });
  };

  return (
    <Card
      size="small"
      data-testid="sync-issue"
      data-kind={issue.kind}
      title={
        <Space size={6} wrap>
          <Tag color={KIND_COLORS[issue.kind]}>{t(`sync.issue.kind.${issue.kind}`)}</Tag>
          <span>{cardTitle(i18n, issue, name)}</span>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 12 }}>
            {formatDateTime(issue.createdAt)}
          </Typography.Text>
        </Space>
      }
    >
      <Typography.Paragraph style={{ marginBottom: 8 }}>{t(explain, { card: blockedBy ?? '', command: issue.command ? t(`sync.command.${issue.command.name}`) : '' })}</Typography.Paragraph>
      {foldedCount > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="sync-issue-folded">
          {t(command ? 'sync.issue.withCommand' : 'sync.issue.withHistory', { count: foldedCount })}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">{t('sync.issue.reason')}{t('common.colon')}</Typography.Text>
        <Typography.Text strong data-testid="sync-issue-reason">{syncReasonText(i18n, issue.reason)}</Typography.Text>
      </Typography.Paragraph>
      <Table<FieldRow>
        size="small"
        rowKey="field"
        pagination={false}
        dataSource={rows}
        locale={{ emptyText: t('sync.issue.noFields') }}
        style={{ marginBottom: 12 }}
        columns={[
          { title: t('sync.issue.field'), dataIndex: 'label', width: '24%' },
          { title: t('sync.issue.mine'), dataIndex: 'mine', width: '38%', render: (v: string, r) => <span style={{ color: r.differs ? '#1559b7' : undefined }}>{v}</span> },
          // a stale edit's other side is what the server held before this station's edit replaced it
          { title: t(staleEdit ? 'sync.issue.overwritten' : 'sync.issue.server'), dataIndex: 'server', width: '38%' },
        ]}
      />
      <Space wrap>
        {canAccept && (
          <Button onClick={acceptServer} loading={busy === 'accept_server'} disabled={busy !== null} data-testid="sync-accept-server">
            {t(staleEdit ? 'sync.issue.restoreOverwritten' : 'sync.issue.acceptServer')}
          </Button>
        )}
        {canReapply && (
          <Button type="primary" onClick={() => void resolve('reapply_mine')} loading={busy === 'reapply_mine'} disabled={busy !== null} data-testid="sync-reapply">
            {t('sync.issue.reapplyMine')}
          </Button>
        )}
        {issue.kind === 'conflict' && (
          <Button type="primary" onClick={() => void resolve('dismiss')} loading={busy === 'dismiss'} disabled={busy !== null} data-testid="sync-dismiss">
            {t('sync.issue.dismiss')}
          </Button>
        )}
        {rows.some((r) => isMasked(r.field)) && (
          <Button type="link" onClick={() => setRevealed((v) => !v)} data-testid="sync-reveal">
            {t(revealed ? 'sync.issue.hideNumbers' : 'sync.issue.showNumbers')}
          </Button>
        )}
        {path && (
          <Button type="link" onClick={() => void navigate(path)} data-testid="sync-open-record">
            {t('sync.issue.edit')}
          </Button>
        )}
      </Space>
    </Card>
  );
}
