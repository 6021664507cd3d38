import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { describeError } from '../../app/i18n/describe-error';
import { useI18n } from '../../app/i18n/i18n-context';
import { useNotify } from '../../components/use-notify';
import { api } from '../../api/client';
import { useSyncStatus } from './sync-status-context';

interface Values {
  serverUrl: string;
  code: string;
  deviceName: string;
}

/** First run: joins this station to its street with a one-time code. Errors stay on the form. */
export function EnrollForm() {
  const i18n = useI18n();
  const { t } = i18n;
  const notify = useNotify();
  const { accept } = useSyncStatus();
  const [form] = Form.useForm<Values>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (values: Values) => {
    setSending(true);
    setError(null);
    try {
      const status = await api.sync.enroll({ serverUrl: values.serverUrl.trim(), code: values.code.trim(), deviceName: values.deviceName.trim() });
      accept(status);
      notify.ok(t('sync.enroll.done', { street: status.street?.name ?? '' }));
    } catch (e) {
      setError(describeError(i18n, e));
    } finally {
      setSending(false);
    }
  };
  return (
    <Card title={t('sync.enroll.title')} size="small" style={{ maxWidth: 720 }} data-testid="sync-enroll">
      <Typography.Paragraph>{t('sync.enroll.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={t('sync.enroll.failed')} description={error} style={{ marginBottom: 16 }} data-testid="sync-enroll-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} onValuesChange={() => setError(null)} requiredMark={false} disabled={sending}>
        <Form.Item
          name="serverUrl"
          label={t('sync.enroll.serverUrl')}
          extra={t('sync.enroll.serverUrlHint')}
          rules={[{ required: true, type: 'url', pattern: /^https?:\/\//, message: t('sync.enroll.urlInvalid') }]}
        >
          <Input placeholder="https://" data-testid="sync-enroll-url" autoComplete="off" />
        </Form.Item>
        <Form.Item name="code" label={t('sync.enroll.code')} extra={t('sync.enroll.codeHint')} rules={[{ required: true, min: 6, whitespace: true, message: t('sync.enroll.codeShort') }]}>
          <Input data-testid="sync-enroll-code" autoComplete="off" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item
          name="deviceName"
          label={t('sync.enroll.deviceName')}
          extra={t('sync.enroll.deviceNameHint')}
          rules={[{ required: true, whitespace: true, message: t('person.required', { field: t('sync.enroll.deviceName') }) }]}
        >
          <Input maxLength={80} data-testid="sync-enroll-name" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={sending} data-testid="sync-enroll-submit">
          {t('sync.enroll.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
        {t('sync.enroll.offline')}
      </Typography.Paragraph>
    </Card>
  );
}
