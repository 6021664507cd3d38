import { LOCALES, type Locale } from '../../core/api/areas';
import type { Db } from '../store/db';
import { cachedStatement } from '../store/statements';

// Station-local preferences. They are not synced: they belong to this workstation.

export function getLocale(db: Db): Locale {
  const row = cachedStatement(db, "SELECT value FROM setting WHERE key = 'locale'").get() as { value: string } | undefined;
  return LOCALES.find((l) => l === row?.value) ?? 'zh-CN';
}

export function setLocale(db: Db, locale: Locale): void {
  cachedStatement(db, "INSERT INTO setting (key, value) VALUES ('locale', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(locale);
}
