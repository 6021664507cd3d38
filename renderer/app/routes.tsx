import { Navigate, Route, Routes } from 'react-router-dom';
import { BackupPage } from '../features/backup/backup-page';
import { CoveragePage } from '../features/coverage/coverage-page';
import { GridsPage } from '../features/grids/grids-page';
import { RosterPage } from '../features/roster/roster-page';
import { SyncPage } from '../features/sync/sync-page';
import { TransferPage } from '../features/transfer/transfer-page';

export const NAV_PATHS = ['/grids', '/roster', '/coverage', '/transfer', '/backup', '/sync'] as const;

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/grids" element={<GridsPage />} />
      <Route path="/roster" element={<RosterPage />} />
      <Route path="/coverage" element={<CoveragePage />} />
      <Route path="/transfer" element={<TransferPage />} />
      <Route path="/backup" element={<BackupPage />} />
      <Route path="/sync" element={<SyncPage />} />
      <Route path="*" element={<Navigate to="/grids" replace />} />
    </Routes>
  );
}
