import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { OrgUnit } from '../../core/domain/org';
import { api } from '../api/client';
import { useNotify } from '../components/use-notify';
import { useRemoteDataVersion } from '../features/sync/sync-status-context';

// The administrative tree and the unit the clerk is working on are shared by every page:
// choosing a community on the grid page should still be chosen on the roster page.

interface OrgState {
  units: OrgUnit[];
  loading: boolean;
  selectedId: string | null;
  selected: OrgUnit | null;
  select: (id: string | null) => void;
  reload: () => Promise<OrgUnit[]>;
}

const OrgContext = createContext<OrgState | null>(null);

export function OrgProvider({ children }: { children: ReactNode }) {
  const notify = useNotify();
  const [units, setUnits] = useState<OrgUnit[]>([]);
  const [loading, setLoading] = useState(true);
  const [selectedId, select] = useState<string | null>(null);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const list = await api.org.tree({});
      setUnits(list);
      return list;
    } catch (error) {
      notify.fail(error);
      return [];
    } finally {
      setLoading(false);
    }
  }, [notify]);
  useEffect(() => {
    void reload();
  }, [reload]);
  // Units that arrive from the server (bootstrap, other stations) appear without a reload.
  const remote = useRemoteDataVersion();
  useEffect(() => {
    if (remote === 0) return;
    api.org
      .tree({})
      .then(setUnits)
      .catch(() => undefined);
  }, [remote]);
  const value = useMemo<OrgState>(
    () => ({ units, loading, selectedId, selected: units.find((u) => u.id === selectedId) ?? null, select, reload }),
    [units, loading, selectedId, reload],
  );
  return <OrgContext.Provider value={value}>{children}</OrgContext.Provider>;
}

export function useOrg(): OrgState {
  const value = useContext(OrgContext);
  if (!value) throw new Error('useOrg outside OrgProvider');
  return value;
}
