import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Progress, Result, Space, Table, Typography, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import type { ImportRowProblem, TransferKind } from '../../../core/api/areas';
import { reasonText } from '../../app/i18n/describe-error';
import { useI18n } from '../../app/i18n/i18n-context';
import { useImportJob } from './use-import-job';

export function ImportPanel({ kind }: { kind: TransferKind }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { job, sending, start, commit, cancel, reset } = useImportJob(kind);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const chosen = files[0]?.originFileObj;

  if (!job || job.state === 'cancelled') {
    return (
      <Space orientation="vertical" style={{ width: '100%' }} data-testid={`import-${kind}`}>
        {job?.state === 'cancelled' && <Alert type="info" showIcon title={t('transfer.cancelled')} />}
        <Typography.Text type="secondary">{t('transfer.importHint')}</Typography.Text>
        <Space wrap>
          <Upload
            accept=".xlsx"
            maxCount={1}
            fileList={files}
            beforeUpload={() => false /* read locally and send through the API, never a form upload */}
            onChange={({ fileList }) => setFiles(fileList.slice(-1))}
          >
            <Button icon={<UploadOutlined />} data-testid={`import-choose-${kind}`}>{t('transfer.chooseFile')}</Button>
          </Upload>
          <Button
            type="primary"
            disabled={!chosen}
            loading={sending}
            data-testid={`import-start-${kind}`}
            onClick={() => chosen && void start(chosen).then(() => setFiles([]))}
          >
            {t('transfer.startImport')}
          </Button>
        </Space>
      </Space>
    );
  }

  const percent = job.total > 0 ? Math.floor((job.processed / job.total) * 100) : 0;
  const bad = new Set(job.problems.map((p) => p.row)).size;
  return (
    <div data-testid={`import-${kind}`} data-state={job.state}>
      <Typography.Text strong>{job.fileName}</Typography.Text>
      {(job.state === 'reading' || job.state === 'importing') && (
        <div data-testid={`import-progress-${kind}`}>
          <Progress percent={percent} status="active" />
          {t(job.state === 'reading' ? 'transfer.reading' : 'transfer.importing', { processed: job.processed, total: job.total })}
        </div>
      )}
      {job.state === 'validated' && (
        <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }}>
          <Alert
            type={bad > 0 ? 'warning' : 'success'}
            showIcon
            data-testid={`import-summary-${kind}`}
            title={t('transfer.summary', { valid: job.validRows, bad })}
          />
          {job.problems.length > 0 && (
            <Table<ImportRowProblem>
              size="small"
              data-testid={`import-report-${kind}`}
              rowKey={(p) => `${p.row}:${p.column ?? ''}:${p.reason}`}
              dataSource={job.problems}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              columns={[
                { title: t('transfer.row'), dataIndex: 'row', width: 70 },
                { title: t('transfer.column'), dataIndex: 'column', width: 120, render: (c: string | null) => c ?? '—' },
                { title: t('transfer.reason'), dataIndex: 'reason', render: (r: string) => reasonText(i18n, r) },
                { title: t('transfer.value'), dataIndex: 'value', width: 180, render: (v: string | null) => v ?? '' },
              ]}
            />
          )}
          <Space>
            <Button type="primary" disabled={job.validRows === 0} loading={sending} onClick={() => void commit()} data-testid={`import-commit-${kind}`}>
              {t('transfer.commit', { valid: job.validRows })}
            </Button>
            <Button onClick={() => void cancel()} data-testid={`import-cancel-${kind}`}>{t('common.cancel')}</Button>
          </Space>
        </Space>
      )}
      {job.state === 'done' && (
        <Result
          status="success"
          data-testid={`import-done-${kind}`}
          title={t('transfer.done', { count: job.imported })}
          extra={<Button onClick={reset}>{t('transfer.again')}</Button>}
        />
      )}
      {job.state === 'failed' && (
        <Result
          status="error"
          title={t('transfer.failed', { error: job.error ? reasonText(i18n, job.error) : '' })}
          extra={<Button onClick={reset}>{t('transfer.again')}</Button>}
        />
      )}
    </div>
  );
}
