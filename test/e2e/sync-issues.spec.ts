import type { SyncIssue } from '../../core/api/sync';
import { maskResidentId } from '../../core/domain/identity';
import { residentId } from './arrange';
import { joinWithCommunity, withTwoStationStreet, type Unit } from './district-server';
import { expect, openApp, syncNow, twoStationTest as test, type Station } from './fixtures';
import { GridsPage } from './pages/grids-page';
import { SyncPage } from './pages/sync-page';

// Two stations of one street against a real district server. Each reaches the server through
// its own gate (district-server.ts), so "offline" and the order in which the stations come
// back are the test's decisions, not their backoff timers'. Station A is driven through the
// API; station B, whose sync page shows the issues, through the UI.

interface Person {
  id: string;
  name: string;
  phone: string | null;
  version: number;
}

const gridsOf = async (station: Station, orgUnitId: string) =>
  (await station.call<Unit[]>('grid.tree', { orgUnitId })).map(({ id, code, name }) => ({ id, code, name })).sort((x, y) => x.id.localeCompare(y.id));
const personOf = async (station: Station, id: string) => (await station.call<{ person: Person }>('people.get', { id })).person;

test('a grid code taken on the server and a stale edit show as issue cards on the sync page and are resolved there', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const [gateA, gateB] = street.gates;
    // Both stations join the street and download it; A adds a community and a person, B gets them.
    const community = await joinWithCommunity(street, a, b, ['韦曲街道综治中心 1 号机', '韦曲街道综治中心 2 号机']);
    const person = await a.call<Person>('people.create', { name: '王建国', phone: '13800001234', orgUnitId: community.id });
    await syncNow(a);
    await syncNow(b);
    expect((await personOf(b, person.id)).phone).toBe('13800001234');

    // Both offline: each station creates a large grid in the same community. Both get the
    // same suggested code, under different names.
    gateA.shut();
    gateB.shut();
    const newGrid = async (station: Station, name: string) => {
      const { code } = await station.call<{ code: string }>('grid.nextCode', { orgUnitId: community.id, parentId: null, level: 'large' });
      return station.call<Unit>('grid.create', { code, name, level: 'large', parentId: null, orgUnitId: community.id, category: 'urban_community', validFrom: '2024-01-01' });
    };
    const gridA = await newGrid(a, '南街第一大网格');
    const gridB = await newGrid(b, '南街东片大网格');
    expect(gridB.code).toBe(gridA.code);

    // A comes back first: its grid is accepted. Then, B still offline, A changes the person's
    // phone and so does B, to a different number: B's edit rests on a version the server has
    // moved past.
    gateA.open();
    await syncNow(a);
    await a.call('people.update', { id: person.id, patch: { phone: '13911112222' } });
    await syncNow(a);
    await b.call('people.update', { id: person.id, patch: { phone: '13733334444' } });

    // B comes back and syncs from its sync page: one rejection, one conflict, in plain words.
    gateB.open();
    const sync = await SyncPage.syncedOn(page, b);
    await expect(sync.issues()).toHaveCount(2);
    await expect(page.getByTestId('sync-issue-count')).toBeVisible();

    const rejection = sync.issues('rejection');
    await expect(rejection).toContainText('服务器未接受');
    await expect(rejection.getByTestId('sync-issue-reason')).toHaveText('该网格编码已被使用');
    // a code is what the grid is: the card offers no re-submit, only giving the grid up
    await expect(rejection).toContainText('这条记录不能原样重新提交');
    await expect(rejection.getByTestId('sync-reapply')).toHaveCount(0);
    // B's value and the server's value side by side: the code both chose, the names that differ
    await expect(rejection.locator('tbody tr.ant-table-row')).toHaveCount(2);
    await expect(sync.issueRow(rejection, '网格编码').locator('td')).toHaveText(['网格编码', gridA.code, gridA.code]);
    await expect(sync.issueRow(rejection, '名称').locator('td')).toHaveText(['名称', '南街东片大网格', '南街第一大网格']);
    // the grid's creation entry, refused with it, is settled with it rather than on a card of its own
    await expect(rejection.getByTestId('sync-issue-folded')).toHaveText('这个网格的 1 条变更记录随它一起处理。');

    const conflict = sync.issues('conflict');
    await expect(conflict).toContainText('修改冲突');
    await expect(conflict).toContainText('人员 · 王建国');
    await expect(conflict.getByTestId('sync-issue-reason')).toHaveText('别的工作站的修改先送到了服务器');
    await expect(sync.issueRow(conflict, '手机号').locator('td')).toHaveText(['手机号', '137****4444', '139****2222']);
    // the other side is the value this station's edit overwrote, and the button puts it back
    await expect(conflict.locator('thead')).toContainText('被覆盖的值');
    await expect(conflict.getByTestId('sync-accept-server')).toHaveText('恢复被覆盖的值');
    // the clerk may read the overwritten number whole to decide, and hide it again
    await conflict.getByTestId('sync-reveal').click();
    await expect(sync.issueRow(conflict, '手机号').locator('td')).toHaveText(['手机号', '13733334444', '13911112222']);
    await sync.shell.screenshot('sync-issues-revealed');
    await conflict.getByTestId('sync-reveal').click();
    await expect(sync.issueRow(conflict, '手机号').locator('td')).toHaveText(['手机号', '137****4444', '139****2222']);
    await sync.shell.screenshot('sync-issues-page');
    await sync.screenshotIssues('sync-issues');

    // 采用服务器的值 (after a confirmation): B's own grid goes, the server's grid stays.
    await sync.acceptServer(rejection);
    await expect(sync.issues('rejection')).toHaveCount(0);
    await expect(sync.issues()).toHaveCount(1);

    // 知道了: B's number stays, as the server kept it.
    await sync.dismiss(conflict);
    await expect(sync.issues()).toHaveCount(0);
    await expect(page.getByTestId('sync-issues')).toContainText('没有需要处理的问题');
    await expect(page.getByTestId('sync-issue-count')).toHaveCount(0);
    await sync.shell.screenshot('sync-issues-resolved');

    const grids = new GridsPage(page);
    await grids.shell.go('grids');
    await grids.selectOrg(community.code);
    await expect(grids.gridNode(gridA.code)).toContainText('南街第一大网格');
    await expect(page.getByText('南街东片大网格')).toHaveCount(0);

    // The replicas converge: the same grids, the same phone number, nothing left to review.
    await syncNow(b);
    await syncNow(a);
    expect(await gridsOf(b, community.id)).toEqual(await gridsOf(a, community.id));
    expect(await gridsOf(a, community.id)).toEqual([{ id: gridA.id, code: gridA.code, name: '南街第一大网格' }]);
    expect((await personOf(a, person.id)).phone).toBe('13733334444');
    expect((await personOf(b, person.id)).phone).toBe('13733334444');
    for (const station of [a, b]) expect(await station.call<SyncIssue[]>('sync.issues', { includeResolved: false })).toEqual([]);
  });
});

test('a grid move made over the other station\'s move is kept: its conflict card can only be dismissed', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const [, gateB] = street.gates;
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const grid = (code: string, name: string, level: 'small' | 'micro', parentId: string | null) =>
      a.call<Unit>('grid.create', { category: 'urban_community', validFrom: '2024-01-01', orgUnitId: community.id, code, name, level, parentId });
    const first = await grid(`${community.code}3001`, '南街第一网格', 'small', null);
    const second = await grid(`${community.code}3002`, '南街第二网格', 'small', null);
    const third = await grid(`${community.code}3003`, '南街第三网格', 'small', null);
    const micro = await grid(`${first.code}001`, '东楼微网格', 'micro', first.id);
    await syncNow(a);
    await syncNow(b);

    // 2 号机 is offline and moves the micro grid under the second grid (a command: a new code
    // with it); 1 号机 moved the same grid under the third first. (A rename there would be no
    // conflict: it changes neither the parent nor the code.)
    gateB.shut();
    const theirs = await a.call<Unit>('grid.move', { id: micro.id, parentId: third.id, date: '2025-01-01' });
    await syncNow(a);
    const moved = await b.call<Unit>('grid.move', { id: micro.id, parentId: second.id, date: '2025-01-01' });
    gateB.open();

    const sync = await SyncPage.syncedOn(page, b);
    // the server took the move; the stale base shows as a conflict, which only the grid page can change
    await expect(sync.issues()).toHaveCount(1);
    const card = sync.issues('conflict');
    await expect(card).toContainText('网格 · 东楼微网格');
    await expect(card).toContainText('本机办理“调整上级”时，别的工作站已经改过这条记录');
    await expect(sync.issueRow(card, '网格编码').locator('td')).toHaveText(['网格编码', moved.code, theirs.code]);
    await expect(card.getByTestId('sync-accept-server')).toHaveCount(0);
    await sync.screenshotIssues('sync-command-conflict');

    await sync.dismiss(card);
    await expect(sync.issues()).toHaveCount(0);
    await syncNow(a);
    expect(await gridsOf(a, community.id)).toEqual(await gridsOf(b, community.id));
    expect((await gridsOf(b, community.id)).find((g) => g.id === micro.id)).toEqual({ id: micro.id, code: moved.code, name: '东楼微网格' });
  });
});

test('a new person who gave up a resident ID the server\'s record took is named on its card, which can only be acknowledged', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const [, gateB] = street.gates;
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const [idA, idB] = [residentId('61011619800101001'), residentId('61011619800101002')];
    await syncNow(a);
    await syncNow(b);
    // 2 号机 registers 陈静 (ID A) and 王芳; offline, it gives 陈静 ID B, which 1 号机 gave 王芳 first
    const mine = await b.call<Person>('people.create', { name: '陈静', orgUnitId: community.id, residentId: idA });
    const theirs = await b.call<Person>('people.create', { name: '王芳', orgUnitId: community.id });
    await syncNow(b);
    await syncNow(a);
    gateB.shut();
    await a.call('people.update', { id: theirs.id, patch: { residentId: idB } });
    await syncNow(a);
    await b.call('people.update', { id: mine.id, patch: { residentId: idB } });
    // back online: refused, and 陈静 gives B up to the pulled 王芳
    gateB.open();
    await syncNow(b);
    const [refused] = await b.call<SyncIssue[]>('sync.issues', {});
    expect(refused).toMatchObject({ entityId: mine.id, reason: 'person.resident_id_taken' });
    // offline again, ID A free here: a clerk registers 赵磊 with it, then takes the server's 陈静 back (ID A)
    gateB.shut();
    await b.call('people.create', { name: '赵磊', orgUnitId: community.id, residentId: idA });
    await b.call('sync.resolveIssue', { id: refused!.id, action: 'accept_server' });

    await openApp(page, b);
    const sync = new SyncPage(page);
    await sync.shell.go('sync');
    const card = sync.issues('conflict');
    await expect(card).toContainText('人员 · 赵磊');
    await expect(card).toContainText('本机新建的这条记录已把它让出，身份证号已清空');
    await expect(sync.issueRow(card, '名称').locator('td')).toHaveText(['名称', '赵磊', '陈静']);
    await expect(sync.issueRow(card, '身份证号').locator('td')).toHaveText(['身份证号', maskResidentId(idA)!, maskResidentId(idA)!]);
    // 赵磊 already holds what the server left it: nothing to take back, only to acknowledge
    await expect(card.getByTestId('sync-accept-server')).toHaveCount(0);
    await sync.screenshotIssues('sync-displaced');
    await sync.dismiss(card);
    await expect(sync.issues('conflict')).toHaveCount(0);
  });
});

test('a grid form opened after another station\'s rename arrived edits the renamed grid: both changes stay', async ({ page, station: a, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and two hosts start inside the test
  await withTwoStationStreet(async (street) => {
    const community = await joinWithCommunity(street, a, b, ['1 号机', '2 号机']);
    const grid = await a.call<Unit>('grid.create', {
      category: 'urban_community',
      validFrom: '2024-01-01',
      orgUnitId: community.id,
      code: `${community.code}1001`,
      name: '南街第一大网格',
      level: 'large',
      parentId: null,
    });
    await syncNow(a);
    await syncNow(b);

    // 2 号机's clerk has the grid open when 1 号机's rename arrives
    await openApp(page, b);
    const grids = new GridsPage(page);
    await grids.selectOrg(community.code);
    await grids.selectGrid(grid.code);
    await a.call('grid.update', { id: grid.id, patch: { name: '南街东片大网格' } });
    await syncNow(a);
    await syncNow(b);
    await expect(grids.details()).toContainText('南街东片大网格');

    // the form opens on the new name; saving the household count sends only that
    await page.getByTestId('grid-edit').click();
    const edit = grids.shell.dialog();
    await expect(edit.getByRole('textbox').first()).toHaveValue('南街东片大网格');
    await edit.getByRole('spinbutton').fill('300');
    await edit.getByRole('button', { name: '保存' }).click();
    await grids.shell.expectSuccess('网格已保存');
    await syncNow(b);
    await syncNow(a);
    for (const station of [a, b]) {
      expect((await station.call<{ grid: Unit & { householdCount: number } }>('grid.get', { id: grid.id })).grid).toMatchObject({ name: '南街东片大网格', householdCount: 300 });
      expect(await station.call<SyncIssue[]>('sync.issues', { includeResolved: false })).toEqual([]);
    }
  });
});
