import { DownloadOutlined, ExportOutlined } from '@ant-design/icons';
import { Button, Card, Divider, Space, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { TRANSFER_KINDS, type TransferKind } from '../../../core/api/areas';
import { api } from '../../api/client';
import { useI18n } from '../../app/i18n/i18n-context';
import { useOrg } from '../../app/org-context';
import { downloadBase64 } from '../../components/download';
import { OrgSelect } from '../../components/org-select';
import { useNotify } from '../../components/use-notify';
import { ImportPanel } from './import-panel';

function TransferCard({ kind }: { kind: TransferKind }) {
  const { t } = useI18n();
  const notify = useNotify();
  const { selectedId } = useOrg();
  const [unitId, setUnitId] = useState<string | undefined>(selectedId ?? undefined);
  const [busy, setBusy] = useState<'template' | 'export' | null>(null);
  const fetchFile = async (what: 'template' | 'export') => {
    setBusy(what);
    try {
      const file = what === 'template' ? await api.transfer.template({ kind }) : await api.transfer.export({ kind, orgUnitId: unitId ?? '' });
      downloadBase64(file.fileName, file.base64);
      notify.ok(t('transfer.downloaded', { file: file.fileName }));
    } catch (error) {
      notify.fail(error);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card data-testid={`transfer-${kind}`}>
      <Space wrap>
        <Button icon={<DownloadOutlined />} loading={busy === 'template'} onClick={() => void fetchFile('template')} data-testid={`template-${kind}`}>
          {t('transfer.template')}
        </Button>
      </Space>
      <Divider titlePlacement="start" plain>{t('transfer.export')}</Divider>
      <Space wrap>
        <Typography.Text>{t('transfer.exportUnit')}</Typography.Text>
        <OrgSelect style={{ width: 260 }} allow={['street', 'community']} value={unitId ?? null} onChange={setUnitId} placeholder={t('transfer.pickUnit')} data-testid={`export-unit-${kind}`} />
        <Button icon={<ExportOutlined />} disabled={!unitId} loading={busy === 'export'} onClick={() => void fetchFile('export')} data-testid={`export-${kind}`}>
          {t('transfer.export')}
        </Button>
      </Space>
      <Divider titlePlacement="start" plain>{t('transfer.import')}</Divider>
      <ImportPanel kind={kind} />
    </Card>
  );
}

export function TransferPage() {
  const { t } = useI18n();
  // One tab per workbook kind; inactive tabs stay mounted so a running import keeps its state.
  return (
    <div data-testid="transfer-page">
      <Tabs
        data-testid="transfer-tabs"
        items={TRANSFER_KINDS.map((kind) => ({
          key: kind,
          label: t(kind === 'grids' ? 'transfer.grids' : 'transfer.roster'),
          children: <TransferCard kind={kind} />,
        }))}
      />
    </div>
  );
}
