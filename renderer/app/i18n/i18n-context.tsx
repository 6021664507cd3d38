import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from '../../../core/api/areas';
import { api } from '../../api/client';
import { enUS } from './en-US';
import { errorsEnUS } from './errors/en-US';
import { errorsZhCN, type ErrorKey } from './errors/zh-CN';
import { zhCN, type MessageKey } from './zh-CN';

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, 'en-US': enUS };
const ERRORS: Record<Locale, Record<ErrorKey, string>> = { 'zh-CN': errorsZhCN, 'en-US': errorsEnUS };

function fill(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function dayjsLocale(locale: Locale): string {
  return locale === 'zh-CN' ? 'zh-cn' : 'en';
}

export interface I18n {
  locale: Locale;
  t: Translate;
  /** A reason key from the server or an import report, or null when we have no wording. */
  reason: (key: string) => string | null;
  setLocale: (locale: Locale) => Promise<void>;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ initial, children }: { initial: Locale; children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initial);
  const setLocale = useCallback(async (next: Locale) => {
    dayjs.locale(dayjsLocale(next));
    setLocaleState(next);
    document.documentElement.lang = next;
    await api.app.setLocale({ locale: next });
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = MESSAGES[locale];
    const errors: Record<string, string> = ERRORS[locale];
    return {
      locale,
      t: (key, vars) => fill(messages[key], vars),
      reason: (key) => (Object.prototype.hasOwnProperty.call(errors, key) ? (errors[key] ?? null) : null),
      setLocale,
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
