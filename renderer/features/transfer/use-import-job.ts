import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImportJob, TransferKind } from '../../../core/api/areas';
import { api } from '../../api/client';
import { fileToBase64 } from '../../components/download';
import { useNotify } from '../../components/use-notify';

const POLL_MS = 300;
const BUSY: readonly ImportJob['state'][] = ['reading', 'importing'];

/** One import at a time per kind: start, poll while the host works, then commit or cancel. */
export function useImportJob(kind: TransferKind) {
  const notify = useNotify();
  const [job, setJob] = useState<ImportJob | null>(null);
  const [sending, setSending] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const stopPolling = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => stopPolling, []);

  const poll = useCallback(
    (id: string) => {
      stopPolling();
      timer.current = setTimeout(() => {
        api.transfer
          .job({ id })
          .then((next) => {
            setJob(next);
            if (BUSY.includes(next.state)) poll(id);
          })
          .catch(notify.fail);
      }, POLL_MS);
    },
    [notify],
  );

  const follow = useCallback(
    (next: ImportJob) => {
      setJob(next);
      if (BUSY.includes(next.state)) poll(next.id);
    },
    [poll],
  );

  const start = async (file: File) => {
    setSending(true);
    try {
      follow(await api.transfer.startImport({ kind, fileName: file.name, base64: await fileToBase64(file) }));
    } catch (error) {
      notify.fail(error);
    } finally {
      setSending(false);
    }
  };
  const commit = async () => {
    if (!job) return;
    setSending(true);
    try {
      follow(await api.transfer.commitImport({ id: job.id }));
    } catch (error) {
      notify.fail(error);
    } finally {
      setSending(false);
    }
  };
  const cancel = async () => {
    if (!job) return;
    try {
      setJob(await api.transfer.cancelImport({ id: job.id }));
    } catch (error) {
      notify.fail(error);
    }
  };
  const reset = () => {
    stopPolling();
    setJob(null);
  };
  return { job, sending, start, commit, cancel, reset };
}
