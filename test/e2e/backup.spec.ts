import { arrangeStreet } from './arrange';
import { expect, openApp, test } from './fixtures';
import { BackupPage } from './pages/backup-page';
import { GridsPage } from './pages/grids-page';

test('a clerk backs up, changes data, restores, and the change is gone with a safety copy kept', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  await openApp(page, station);
  const backup = new BackupPage(page);
  await backup.shell.go('backup');
  await backup.backupNow();

  // A change made after the backup…
  await station.call('org.create', { code: '610116001002', name: '北街社区', level: 'community', parentId: street.street.id, kind: 'urban_community' });
  const grids = new GridsPage(page);
  await grids.shell.go('grids');
  await page.reload();
  await expect(grids.orgNode('610116001002')).toBeVisible();

  // …is undone by restoring; the message names where the replaced data was kept.
  await backup.shell.go('backup');
  const text = await backup.restoreFirst();
  expect(text).toMatch(/before-restore/);
  await expect(backup.rows()).toHaveCount(2);
  await backup.shell.screenshot('backup');

  await grids.shell.go('grids');
  await expect(grids.orgNode(street.community.code)).toBeVisible();
  await expect(grids.orgNode('610116001002')).toHaveCount(0);
});
