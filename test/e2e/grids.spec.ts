import { arrangeStreet, CODES } from './arrange';
import { expect, openApp, test } from './fixtures';
import { GridsPage } from './pages/grids-page';

test('a clerk builds the administrative units and a grid tree down to a micro grid', async ({ page, station }) => {
  test.slow(); // a dozen forms filled through the UI: ~50 s on a slow two-core machine, near the default minute
  await openApp(page, station);
  const grids = new GridsPage(page);

  // An empty station: district first, then the street and one community under it.
  await grids.addOrgUnit(CODES.district, '长安区');
  await grids.selectOrg(CODES.district);
  await grids.addOrgUnit(CODES.street, '韦曲街道');
  await grids.selectOrg(CODES.street);
  await grids.addOrgUnit(CODES.community, '南街社区');
  await grids.selectOrg(CODES.community);

  const large = await grids.createTopGrid('南街第一大网格', '大网格');
  expect(large).toBe(`${CODES.community}1001`);
  const small = await grids.createChildGrid(large, '南街一号小网格', '小网格');
  expect(small).toBe(`${CODES.community}3001`);
  await grids.selectGrid(small);
  await page.getByTestId('grid-add-child').click();
  await expect(grids.shell.dialog().getByTestId('grid-code')).toHaveValue(/^\d{19}$/);
  await grids.shell.screenshot('grid-form');
  const micro = await grids.fillGrid('南街一号微网格', '微网格');
  expect(micro).toBe(`${small}001`);

  // The tree nests them and the details show the path down from the community.
  await grids.selectGrid(micro);
  await expect(grids.details().locator('.ant-breadcrumb')).toContainText('南街社区');
  await expect(grids.details().locator('.ant-breadcrumb')).toContainText('南街一号小网格');
  await expect(grids.details()).toContainText('微网格');
  await expect(page.getByTestId('grid-history')).toContainText('新建');

  // A rule the server enforces comes back in the clerk's words.
  await grids.selectGrid(large);
  await page.getByTestId('grid-retire').click();
  await grids.shell.dialog().getByTestId('grid-retire-reason').fill('区划调整');
  await grids.shell.dialog().getByRole('button', { name: '撤销网格' }).click();
  await grids.shell.expectError('该网格下还有下级网格');
  await grids.shell.dialog().getByRole('button', { name: '取消' }).click();
  // the closing dialog's mask would take the next click
  await expect(grids.shell.dialog()).toBeHidden();

  await grids.selectGrid(small);
  await grids.shell.screenshot('grids');
});

test('a clerk edits, moves and retires grids, and the history tells what happened', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  await openApp(page, station);
  const grids = new GridsPage(page);
  await grids.selectOrg(street.community.code);

  // Descriptive fields change in place.
  await grids.selectGrid(street.small.code);
  await page.getByTestId('grid-edit').click();
  const edit = grids.shell.dialog();
  await edit.getByRole('spinbutton').fill('256');
  await edit.getByRole('button', { name: '保存' }).click();
  await grids.shell.expectSuccess('网格已保存');
  await expect(grids.details()).toContainText('256');
  await expect(page.getByTestId('grid-history')).toContainText(/修改：户数 \S+ → 256/);

  // The small grid moves to hang directly under the community.
  await page.getByTestId('grid-move').click();
  // a long list of parents narrows as the clerk types
  await page.getByTestId('grid-move-parent').click();
  await page.keyboard.type('直属');
  await expect(page.locator('.ant-select-dropdown:visible .ant-select-item-option')).toHaveCount(1);
  await grids.shell.pickOption('直属本社区');
  await grids.shell.dialog().getByRole('button', { name: '确定' }).click();
  await grids.shell.expectSuccess('已调整上级网格');
  await expect(grids.details().locator('.ant-breadcrumb')).not.toContainText('南街第一大网格');
  await expect(page.getByTestId('grid-history')).toContainText('调整上级');

  // The large grid has no children left, so it can be retired; it leaves the tree.
  await grids.selectGrid(street.large.code);
  await page.getByTestId('grid-retire').click();
  await grids.shell.dialog().getByTestId('grid-retire-reason').fill('区划调整');
  await grids.shell.dialog().getByRole('button', { name: '撤销网格' }).click();
  await grids.shell.expectSuccess('网格已撤销');
  await expect(grids.gridNode(street.large.code)).toHaveCount(0);
  await expect(grids.gridNode(street.small.code)).toBeVisible();
});

test('a clerk renames a community, marks its governance center, finds a retired grid marked as retired, and one due to retire marked as such', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  await station.call('grid.retire', { id: street.micro.id, validTo: '2024-06-30', reason: '并入相邻微网格' });
  await openApp(page, station);
  const grids = new GridsPage(page);
  await grids.selectOrg(street.community.code);

  await page.getByTestId('org-edit').click();
  const dialog = grids.shell.dialog();
  await expect(dialog.getByText(street.community.code)).toBeVisible();
  await dialog.getByTestId('org-edit-name').fill('南街社区（新）');
  await dialog.getByTestId('org-edit-center').check();
  await dialog.getByRole('button', { name: '保存' }).click();
  await grids.shell.expectSuccess('已保存 南街社区（新）');
  await expect(grids.orgNode(street.community.code)).toContainText('南街社区（新）');
  await expect(page.getByTestId(`org-center-${street.community.code}`)).toBeVisible();

  // The search still finds the retired micro grid, struck through and dated.
  await page.getByTestId('grid-search').locator('input').fill('南街一号');
  const hit = page.getByTestId(`grid-hit-${street.micro.code}`);
  await expect(hit).toHaveAttribute('data-retired', 'true');
  await expect(hit).toContainText('已撤销（2024-06-30）');
  await expect(page.getByTestId(`grid-hit-${street.small.code}`)).toHaveAttribute('data-retired', 'false');

  // A retirement set for a later day is planned: the grid still serves, and is said to be ending.
  await station.call('grid.retire', { id: street.small.id, validTo: '2099-12-31', reason: '规划调整' });
  await page.reload();
  await grids.selectOrg(street.community.code);
  await grids.selectGrid(street.small.code);
  await expect(page.getByTestId('grid-retires-on')).toHaveText('将于 2099-12-31 撤销');
  await expect(page.getByTestId('grid-edit')).toBeVisible();
  await expect(page.getByTestId('grid-move')).toBeVisible();
  await expect(page.getByTestId('grid-retire')).toHaveCount(0);
  await expect(page.getByTestId('grid-add-child')).toHaveCount(0);
});
