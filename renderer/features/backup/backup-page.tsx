import { CloudDownloadOutlined, ReloadOutlined, RollbackOutlined } from '@ant-design/icons';
import { App, Button, Card, Input, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { ResponseOf } from '../../../core/api/contract';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { formatDateTime } from '../../components/dates';
import { useNotify } from '../../components/use-notify';

type Entry = ResponseOf<'backup.list'>[number];

const formatBytes = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export function BackupPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const { modal } = App.useApp();
  const org = useOrg();
  const [list, setList] = useState<Entry[]>([]);
  const [loading, setLoading] = useState(false);
  const [target, setTarget] = useState('');
  const [creating, setCreating] = useState(false);
  const [restorePath, setRestorePath] = useState('');
  const [restoring, setRestoring] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setList(await api.backup.list({}));
    } catch (error) {
      notify.fail(error);
    } finally {
      setLoading(false);
    }
  }, [notify]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async () => {
    setCreating(true);
    try {
      const entry = await api.backup.create(target.trim() ? { path: target.trim() } : {});
      notify.ok(t('backup.created', { path: entry.path }));
      setTarget('');
      await load();
    } catch (error) {
      notify.fail(error);
    } finally {
      setCreating(false);
    }
  };

  // Restoring replaces everything: say so, and say the current data is kept aside first.
  const restore = (path: string, fileName: string) => {
    modal.confirm({
      title: t('backup.restoreTitle'),
      content: t('backup.restoreConfirm', { file: fileName }),
      okText: t('backup.restoreOk'),
      okButtonProps: { danger: true, 'data-testid': 'restore-confirm' },
      cancelText: t('common.cancel'),
      onOk: async () => {
        setRestoring(true);
        try {
          const { safetyCopy } = await api.backup.restore({ path });
          notify.ok(t('backup.restored', { path: safetyCopy.path }));
          setRestorePath('');
          // Every page reads from the restored data now.
          await Promise.all([load(), org.reload()]);
          org.select(null);
        } catch (error) {
          notify.fail(error);
        } finally {
          setRestoring(false);
        }
      },
    });
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="backup-page">
      <Card title={t('backup.create')} size="small">
        <Space.Compact style={{ width: '100%', maxWidth: 760 }}>
          <Input
            data-testid="backup-target"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder={t('backup.targetPlaceholder')}
          />
          <Button type="primary" icon={<CloudDownloadOutlined />} loading={creating} onClick={() => void create()} data-testid="backup-create">
            {t('backup.create')}
          </Button>
        </Space.Compact>
        <div>
          <Typography.Text type="secondary">{t('backup.target')}</Typography.Text>
        </div>
      </Card>
      <Card
        title={t('backup.list')}
        size="small"
        extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('common.refresh')}</Button>}
      >
        <Table<Entry>
          data-testid="backup-list"
          rowKey="path"
          size="small"
          loading={loading || restoring}
          dataSource={list}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 800 }}
          columns={[
            { title: t('backup.createdAt'), dataIndex: 'createdAt', width: 150, render: (d: string) => formatDateTime(d) },
            { title: t('backup.file'), dataIndex: 'fileName', width: 260 },
            { title: t('backup.size'), dataIndex: 'bytes', width: 90, align: 'right', render: formatBytes },
            { title: t('backup.path'), dataIndex: 'path', ellipsis: true },
            {
              title: t('common.actions'),
              width: 150,
              render: (_: unknown, e) => (
                <Button size="small" danger icon={<RollbackOutlined />} onClick={() => restore(e.path, e.fileName)} data-testid="backup-restore">
                  {t('backup.restore')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('backup.restorePath')} size="small">
        <Space.Compact style={{ width: '100%', maxWidth: 760 }}>
          <Input value={restorePath} onChange={(e) => setRestorePath(e.target.value)} placeholder={t('backup.restorePathPlaceholder')} data-testid="restore-path" />
          <Button danger disabled={!restorePath.trim()} loading={restoring} onClick={() => restore(restorePath.trim(), restorePath.trim())} data-testid="restore-path-go">
            {t('backup.restoreOk')}
          </Button>
        </Space.Compact>
      </Card>
    </Space>
  );
}
