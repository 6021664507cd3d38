import { ApartmentOutlined, CloudServerOutlined, CloudSyncOutlined, PieChartOutlined, SwapOutlined, TeamOutlined } from '@ant-design/icons';
import { Layout, Menu, Segmented, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import type { Locale } from '../../core/api/areas';
import { CONTENT_AREA } from '../components/layout';
import { useNotify } from '../components/use-notify';
import { SyncIndicator } from '../features/sync/sync-indicator';
import { SyncPrompt } from '../features/sync/sync-prompt';
import { useI18n } from './i18n/i18n-context';

const { Header, Sider, Content } = Layout;

export function Shell({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const notify = useNotify();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const items = [
    { key: '/grids', icon: <ApartmentOutlined />, label: t('nav.grids') },
    { key: '/roster', icon: <TeamOutlined />, label: t('nav.roster') },
    { key: '/coverage', icon: <PieChartOutlined />, label: t('nav.coverage') },
    { key: '/transfer', icon: <SwapOutlined />, label: t('nav.transfer') },
    { key: '/backup', icon: <CloudServerOutlined />, label: t('nav.backup') },
    { key: '/sync', icon: <CloudSyncOutlined />, label: t('nav.sync') },
  ];
  const selected = items.find((i) => pathname.startsWith(i.key))?.key ?? '/grids';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', paddingInline: 20 }}>
        <Typography.Title level={4} style={{ color: '#fff', margin: 0, whiteSpace: 'nowrap' }} data-testid="app-title">
          {t('app.name')}
        </Typography.Title>
        <Space size="middle">
          <SyncIndicator />
          <span style={{ color: 'rgba(255,255,255,0.85)', whiteSpace: 'nowrap' }}>{t('app.language')}</span>
          <Segmented<Locale>
            data-testid="language-switch"
            value={locale}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'English', value: 'en-US' },
            ]}
            onChange={(value) => setLocale(value).catch(notify.fail)}
          />
        </Space>
      </Header>
      <Layout>
        <Sider width={200} theme="light" breakpoint="lg" collapsedWidth={56} style={{ borderRight: '1px solid #e8e8e8' }}>
          <Menu
            mode="inline"
            data-testid="main-menu"
            selectedKeys={[selected]}
            items={items}
            onClick={({ key }) => void navigate(key)}
            style={{ borderInlineEnd: 'none', paddingTop: 8 }}
          />
        </Sider>
        <Content style={CONTENT_AREA}>
          <SyncPrompt />
          {children}
        </Content>
      </Layout>
    </Layout>
  );
}
