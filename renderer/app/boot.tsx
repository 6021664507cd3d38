import dayjs from 'dayjs';
import type { Root } from 'react-dom/client';
import type { Locale } from '../../core/api/areas';
import { api } from '../api/client';
import { App } from './app';
import { dayjsLocale } from './i18n/i18n-context';

/** Reads the saved language first so the first paint is already in the clerk's language. */
export async function boot(root: Root): Promise<void> {
  let locale: Locale = 'zh-CN';
  try {
    locale = (await api.app.settings({})).locale;
  } catch {
    // Unreachable host or bad token: the pages show the error on their first call.
  }
  dayjs.locale(dayjsLocale(locale));
  document.documentElement.lang = locale;
  root.render(<App initialLocale={locale} />);
}
