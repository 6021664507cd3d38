import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncStatus } from '../../core/api/sync';
import { arrangeDistrict, serverAdmin, startDistrictServer } from './district-server';
import { expect, openApp, test } from './fixtures';
import { GridsPage } from './pages/grids-page';
import { SyncPage } from './pages/sync-page';

test('a new station works offline, enrolls with a one-time code, downloads its street and sends a change', async ({ page, station }) => {
  test.slow(); // a real district server (PGlite) starts inside the test
  const serverDir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-server-'));
  const code = arrangeDistrict(serverDir);
  let server = await startDistrictServer(serverDir);
  try {
    await openApp(page, station);
    const sync = new SyncPage(page);
    // Not enrolled: a quiet prompt, the app stays usable, the header says so.
    await expect(page.getByTestId('sync-prompt')).toBeVisible();
    await expect(sync.indicator()).toHaveAttribute('data-state', 'not-enrolled');
    await expect(page.getByTestId('org-add')).toBeEnabled();
    await page.getByTestId('sync-prompt-go').click();
    await expect(page.getByTestId('sync-page')).toBeVisible();
    await sync.shell.screenshot('sync-enroll');

    // A mistyped code is refused in plain words, on the form.
    await sync.enroll(server.url, 'AAAA-BBBB-CCCC', '韦曲街道综治中心 1 号机');
    await expect(sync.enrollError()).toContainText('加入码不正确');
    // correcting a field takes the old failure off the form
    await page.getByTestId('sync-enroll-code').fill(code);
    await expect(sync.enrollError()).toHaveCount(0);

    await sync.enroll(server.url, code, '韦曲街道综治中心 1 号机');
    await expect(sync.overview()).toBeVisible();
    await expect(page.getByTestId('sync-street')).toContainText('韦曲街道');
    await expect(page.getByTestId('sync-last')).not.toHaveText('从未', { timeout: 20_000 });
    await expect(sync.indicator()).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('sync-prompt')).toHaveCount(0);

    // The street came down with the snapshot; a community added here goes up.
    const grids = new GridsPage(page);
    await grids.shell.go('grids');
    await grids.selectOrg('610116001000');
    await grids.addOrgUnit('610116001001', '南街社区');
    await sync.shell.go('sync');
    await sync.syncNow();
    await expect(page.getByTestId('sync-issues')).toContainText('没有需要处理的问题');
    // between cycles the rows say where things stand, not "waiting"
    await expect(page.getByTestId('sync-progress-push')).toHaveText('没有待上传的修改');
    await expect(page.getByTestId('sync-progress-pull')).toHaveText('已是最新');
    await sync.shell.screenshot('sync-overview');

    // An administrator revokes the station (PGlite: with the server stopped). A change made
    // since cannot go up any more: the header and the sync page say so, and the change stays.
    const { deviceId } = await station.call<SyncStatus>('sync.status');
    await server.stop();
    serverAdmin(serverDir, 'revoke', '--device', deviceId!);
    server = await startDistrictServer(serverDir, Number(new URL(server.url).port));
    await grids.shell.go('grids');
    await grids.selectOrg('610116001000');
    await grids.addOrgUnit('610116001002', '北街社区');
    await sync.shell.go('sync');
    await page.getByTestId('sync-now').click();
    await expect(sync.indicator()).toHaveAttribute('data-state', 'refused');
    await expect(sync.indicator()).toContainText('已停用');
    await expect(page.getByTestId('sync-refused')).toContainText('1 项修改未上传');
    await sync.shell.screenshot('sync-refused');
  } finally {
    await server.stop();
    rmSync(serverDir, { recursive: true, force: true });
  }
});
