import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SyncStatus } from '../../../core/api/sync';
import { api } from '../../api/client';

// One poll of sync.status for the whole window (header indicator, sync page, first-run
// prompt). Every 2 s while the window is visible, every 0.5 s while a cycle runs or the first
// download is due (a small street downloads in a second or two, which a 2 s poll would show
// only as "waiting", then "done"); a failed poll keeps the last status and marks it
// unavailable, it never throws at a page.

const SYNC_POLL_MS = 2_000;
const SYNC_BUSY_POLL_MS = 500;

const busy = (s: SyncStatus | null): boolean => s !== null && (s.progress.phase !== 'idle' || (s.enrolled && !s.bootstrapped));

interface SyncState {
  status: SyncStatus | null;
  /** The last poll failed (host not answering). */
  unavailable: boolean;
  refresh: () => Promise<void>;
  /** A status from an action (sync.now, sync.enroll) that is fresher than the last poll. */
  accept: (status: SyncStatus) => void;
}

const SyncContext = createContext<SyncState | null>(null);

export function SyncStatusProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const inFlight = useRef(false);
  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      setStatus(await api.sync.status({}));
      setUnavailable(false);
    } catch {
      setUnavailable(true);
    } finally {
      inFlight.current = false;
    }
  }, []);
  const fast = busy(status);
  useEffect(() => {
    void refresh();
    const timer = setInterval(
      () => {
        if (document.visibilityState === 'visible') void refresh();
      },
      fast ? SYNC_BUSY_POLL_MS : SYNC_POLL_MS,
    );
    return () => clearInterval(timer);
  }, [refresh, fast]);
  const value = useMemo<SyncState>(() => ({ status, unavailable, refresh, accept: setStatus }), [status, unavailable, refresh]);
  return <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
}

export function useSyncStatus(): SyncState {
  const value = useContext(SyncContext);
  if (!value) throw new Error('useSyncStatus outside SyncStatusProvider');
  return value;
}

/**
 * Changes from the server (bootstrap, pull) advance the cursor: pages put this in their load
 * dependencies so what other stations did shows up without a reload. 0 when not syncing.
 */
export function useRemoteDataVersion(): number {
  const { status } = useSyncStatus();
  return status ? status.cursor + (status.bootstrapped ? 1 : 0) : 0;
}

export const openIssueCount = (s: SyncStatus): number => s.issues.rejection + s.issues.conflict + s.issues.quarantine;
