import { arrangeStreet } from './arrange';
import { expect, openApp, test } from './fixtures';
import { Shell } from './pages/shell';

test('the language switch turns the whole screen to English, is remembered, and switches back', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  await openApp(page, station);
  const shell = new Shell(page);
  await expect(shell.title()).toHaveText('GridDesk 网格工作台');

  await shell.switchLanguage('English');
  await expect(shell.title()).toHaveText('GridDesk Grid Workstation');
  await expect(page.getByTestId('main-menu')).toContainText('Roster');
  await page.getByTestId(`org-node-${street.community.code}`).click();
  await page.getByTestId(`grid-node-${street.micro.code}`).click();
  await expect(page.getByTestId('grid-details')).toContainText('Micro grid');
  await expect(page.getByTestId('grid-details')).toContainText('Urban community');
  await shell.screenshot('grids-en');

  // Stored by the host: a reload (same tab, same token) comes back in English.
  await page.reload();
  await expect(shell.title()).toHaveText('GridDesk Grid Workstation');
  await shell.go('roster');
  await expect(page.getByTestId('roster-table')).toContainText('Name');
  await shell.screenshot('roster-en');

  await shell.switchLanguage('中文');
  await expect(shell.title()).toHaveText('GridDesk 网格工作台');
  await expect(page.getByTestId('roster-table')).toContainText('姓名');
  expect(await station.call<{ locale: string }>('app.settings')).toEqual({ locale: 'zh-CN' });
});
