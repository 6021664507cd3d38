import { useCallback, useState } from 'react';
import { useNotify } from './use-notify';

/**
 * The busy flag and error toast every save button needs: `run(work)` shows the spinner while
 * the work runs, and any failure is reported (describeError), never thrown at the caller.
 */
export function useSaving() {
  const notify = useNotify();
  const [saving, setSaving] = useState(false);
  const run = useCallback(
    async (work: () => Promise<void>) => {
      setSaving(true);
      try {
        await work();
      } catch (error) {
        notify.fail(error);
      } finally {
        setSaving(false);
      }
    },
    [notify],
  );
  return { saving, run };
}
