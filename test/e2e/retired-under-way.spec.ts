import { randomUUID } from 'node:crypto';
import { joinWithCommunity, withTwoStationStreet, type TwoStationStreet, type Unit } from './district-server';
import { expect, openApp, syncNow, twoStationTest as test } from './fixtures';
import { GridsPage } from './pages/grids-page';
import { RosterPage } from './pages/roster-page';
import { SyncPage } from './pages/sync-page';

// A grid retired at one station while the other, offline, built on it. The retirement is a
// command (docs/sync-protocol.md "Commands"): the server checks it against what it holds and
// refuses it whole, and the clerk undoes it on the sync page. A station of a build before
// commands sends the same changes one by one, and the server takes them all: what is left to
// fix is then flagged on the grid page and in the roster.

const GRID = { category: 'urban_community', validFrom: '2024-01-01' };

test('a retirement the other station built on meanwhile is refused whole: one card, undone by taking the server values', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const [gateA] = street.gates;
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const small = await a.call<Unit>('grid.create', { ...GRID, orgUnitId: community.id, code: '6101160010013001', name: '南街第一网格', level: 'small', parentId: null });
    await syncNow(a);
    await syncNow(b);

    // 1 号机 is offline and retires the grid; 2 号机 draws a micro grid under it first
    gateA.shut();
    await a.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await b.call('grid.create', { ...GRID, orgUnitId: community.id, code: '6101160010013001001', name: '东楼微网格', level: 'micro', parentId: small.id });
    await syncNow(b);
    gateA.open();

    const sync = await SyncPage.syncedOn(page, a);
    // the retirement and its history entry: one card, named for the action, with no re-send
    await expect(sync.issues()).toHaveCount(1);
    const card = sync.issues('rejection');
    await expect(card).toContainText('撤销网格 · 南街第一网格');
    await expect(card.getByTestId('sync-issue-reason')).toHaveText('该网格下还有下级网格，请先处理下级网格');
    await expect(card.getByTestId('sync-issue-folded')).toHaveText('这项操作的其他 1 项更改随它一起处理。');
    await expect(sync.issueRow(card, '撤销日期').locator('td')).toHaveText(['撤销日期', '2025-06-30', '（空）']);
    await expect(card.getByTestId('sync-reapply')).toHaveCount(0);
    await sync.screenshotIssues('sync-command-refused');

    await sync.acceptServer(card);
    await expect(sync.issues()).toHaveCount(0);
    // the grid is in service again here, with the micro grid the other station drew under it
    const grids = new GridsPage(page);
    await grids.shell.go('grids');
    await grids.selectOrg(community.code);
    await grids.selectGrid('6101160010013001');
    await expect(page.getByTestId('grid-retire')).toBeVisible();
    await expect(page.getByTestId('grid-parent-retired-6101160010013001001')).toHaveCount(0);
  });
});

test('a retirement that ended a duty the server refused points to the duty\'s card; both undone, it is done again', async ({ page, station: a, stationB: b }) => {
  test.slow();
  await withTwoStationStreet(async (street) => {
    const [gateA] = street.gates;
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const small = await a.call<Unit>('grid.create', { ...GRID, orgUnitId: community.id, code: '6101160010013001', name: '南街第一网格', level: 'small', parentId: null });
    const person = await a.call<Unit>('people.create', { name: '杨不悔', orgUnitId: community.id });
    await syncNow(a);
    await syncNow(b);

    // 2 号机 records that she moved away; 1 号机, offline, gives her a duty on the grid and then retires it
    gateA.shut();
    await b.call('people.update', { id: person.id, patch: { status: 'left' } });
    await syncNow(b);
    await a.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await a.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    gateA.open();

    const sync = await SyncPage.syncedOn(page, a);
    // two cards: the duty the server refused, and the retirement that ended it, pointing to it
    await expect(sync.issues()).toHaveCount(2);
    const card = sync.issues('rejection').filter({ hasText: '撤销网格 · 南街第一网格' });
    await expect(card).toContainText('它用到的「任职 · 杨不悔」还没有被服务器接受');
    await expect(card.getByTestId('sync-issue-reason')).toHaveText('服务器上没有这条记录');
    // the duty's card names her and the grid, not their ids
    const dutyCard = sync.issues('rejection').filter({ hasNotText: '撤销网格' });
    await expect(sync.issueRow(dutyCard, '人员').locator('td')).toHaveText(['人员', '杨不悔', '—']);
    await expect(sync.issueRow(dutyCard, '网格').locator('td')).toHaveText(['网格', '南街第一网格', '—']);
    await sync.screenshotIssues('sync-command-blocked');

    await sync.acceptServer(dutyCard);
    await expect(sync.issues()).toHaveCount(1);
    await sync.acceptServer(card);
    await expect(sync.issues()).toHaveCount(0);
    await a.call('grid.retire', { id: small.id, validTo: '2025-06-30', reason: '区划调整' });
    await sync.syncNow();
    await expect(sync.issues()).toHaveCount(0);
    await syncNow(b);
    expect((await b.call<{ grid: { validTo: string | null } }>('grid.get', { id: small.id })).grid.validTo).toBe('2025-06-30');
  });
});

/** What a station of a build before commands sends for a retirement: the same changes, each on its own. */
async function retireAsOlderStation(street: TwoStationStreet, gridId: string, validTo: string): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-griddesk-protocol': '3', 'x-griddesk-schema': '4' };
  const versions = { protocol: 3, schemaVersion: 4 };
  const enrolled = await fetch(`${street.serverUrl}/v1/enroll`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...versions, code: street.spareCodes[0], deviceName: '旧版 3 号机' }),
  });
  const { token } = (await enrolled.json()) as { token: string };
  const at = new Date().toISOString();
  const history = { gridId, action: 'retired', detail: JSON.stringify({ validTo, reason: '区划调整' }) };
  const pushed = await fetch(`${street.serverUrl}/v1/push`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${token}` },
    body: JSON.stringify({
      ...versions,
      mutations: [
        { mid: 1, entity: 'gridUnit', id: gridId, op: 'update', fields: { validTo }, baseVersion: 1, at },
        { mid: 2, entity: 'gridHistory', id: randomUUID(), op: 'insert', fields: history, baseVersion: null, at },
      ],
    }),
  });
  expect(await pushed.json()).toMatchObject({ rejected: [] });
}

test('a retirement from an older station after the other built on the grid: its new micro grid and the duty that outlives it are flagged where the clerk fixes them', async ({ page, station: a, stationB: b }) => {
  test.slow();
  await withTwoStationStreet(async (street) => {
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const small = await a.call<Unit>('grid.create', { ...GRID, orgUnitId: community.id, code: '6101160010013001', name: '南街第一网格', level: 'small', parentId: null });
    const person = await a.call<Unit>('people.create', { name: '王建国', orgUnitId: community.id });
    await syncNow(a);
    await syncNow(b);

    // 2 号机 draws a micro grid under the grid and puts a member on it; then the older station retires it
    await b.call('grid.create', { ...GRID, orgUnitId: community.id, code: '6101160010013001001', name: '东楼微网格', level: 'micro', parentId: small.id });
    await b.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: small.id }, role: 'grid_member_full', startDate: '2024-02-01' });
    await syncNow(b);
    await retireAsOlderStation(street, small.id, '2025-06-30');
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
  }, 1);
});
