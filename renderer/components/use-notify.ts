import { App } from 'antd';
import { useMemo } from 'react';
import { describeError } from '../app/i18n/describe-error';
import { useI18n } from '../app/i18n/i18n-context';

/** Success and failure toasts; every caught API error goes through describeError. */
export function useNotify() {
  const { message } = App.useApp();
  const i18n = useI18n();
  return useMemo(
    () => ({
      ok: (text: string) => void message.success(text),
      fail: (error: unknown) => void message.error({ content: describeError(i18n, error), duration: 6 }),
    }),
    [message, i18n],
  );
}
