import { joinWithCommunity, withTwoStationStreet, type Unit } from './district-server';
import { expect, openApp, syncNow, twoStationTest as test } from './fixtures';
import { GridsPage } from './pages/grids-page';
import { RosterPage } from './pages/roster-page';

// A grid retired at one station while the other, offline, built on it: both changes were valid
// where they were made and the server takes both (it refuses only new records on a grid it
// already knows retired). What is left to fix is flagged on the grid page and in the roster.


test('a grid the other station retired meanwhile: its new micro grid and the duty that outlives it are flagged where the clerk fixes them', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const [gateA] = street.gates;
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const grid = { orgUnitId: community.id, category: 'urban_community', validFrom: '2024-01-01' };
    const small = await a.call<Unit>('grid.create', { ...grid, code: '6101160010013001', name: '南街第一网格', level: 'small', parentId: null });
    const person = await a.call<Unit>('people.create', { name: '王建国', orgUnitId: community.id });
    await syncNow(a);
    await syncNow(b);

    // 1 号机 is offline and retires the grid; 2 号机 draws a micro grid under it and puts a member on it
    gateA.shut();
    await a.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await b.call('grid.create', { ...grid, code: '6101160010013001001', name: '东楼微网格', level: 'micro', parentId: small.id });
    await b.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await syncNow(b);
    gateA.open();
    await syncNow(a);
    await syncNow(b);

    await openApp(page, b);
    const grids = new GridsPage(page);
    await grids.shell.go('grids');
    await grids.selectOrg(community.code);
    // the micro grid stays in the tree, under its community, marked
    await expect(page.getByTestId('grid-parent-retired-6101160010013001001')).toHaveText('上级已撤销');
    await grids.selectGrid('6101160010013001001');
    await expect(page.getByTestId('grid-warning-parent_retired')).toContainText('上级网格已撤销，本网格仍在使用');
    await grids.shell.screenshot('grid-parent-retired');

    // the duty that runs past the grid's end is flagged where the clerk ends it
    const roster = new RosterPage(page);
    await roster.shell.go('roster');
    await roster.row('王建国').click();
    await expect(roster.assignments().getByTestId('assign-grid-retired')).toHaveText('网格于 2025-06-30 撤销');
    await roster.drawer().getByTestId('person-assignments').scrollIntoViewIfNeeded();
    await roster.shell.screenshot('person-duty-after-retirement');
    // ending it offers the grid's retirement date, and then nothing is left to flag
    await roster.assignments().getByTestId('assign-end').click();
    const confirm = page.locator('.ant-popconfirm:visible');
    await expect(confirm.locator('input')).toHaveValue('2025-06-30');
    await confirm.getByRole('button', { name: /确\s*定/ }).click();
    await roster.shell.expectSuccess('任职已结束');
    await expect(roster.assignments().getByTestId('assign-grid-retired')).toHaveCount(0);
    await expect(roster.assignments()).toContainText('2025-06-30');
  });
});
