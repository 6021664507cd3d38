import { App as AntApp, ConfigProvider } from 'antd';
import enUSAntd from 'antd/locale/en_US';
import zhCNAntd from 'antd/locale/zh_CN';
import { HashRouter } from 'react-router-dom';
import type { Locale } from '../../core/api/areas';
import { I18nProvider, useI18n } from './i18n/i18n-context';
import { SyncStatusProvider } from '../features/sync/sync-status-context';
import { OrgProvider } from './org-context';
import { AppRoutes } from './routes';
import { Shell } from './shell';
import { theme } from './theme';

function Localized() {
  const { locale } = useI18n();
  // No auto space between two CJK characters in buttons: screen readers and tests see the real words.
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? zhCNAntd : enUSAntd} theme={theme} button={{ autoInsertSpace: false }}>
      {/* toasts open below the 64 px header, not over its sync indicator */}
      <AntApp message={{ top: 72 }}>
        <SyncStatusProvider>
          <OrgProvider>
            <HashRouter>
              <Shell>
                <AppRoutes />
              </Shell>
            </HashRouter>
          </OrgProvider>
        </SyncStatusProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App({ initialLocale }: { initialLocale: Locale }) {
  return (
    <I18nProvider initial={initialLocale}>
      <Localized />
    </I18nProvider>
  );
}
