import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { SyncStatus } from '../../core/api/sync';
import { residentId } from './arrange';
import { arrangeDistrict, enrollmentCode, serverAdmin, startDistrictServer, startGate } from './district-server';
import { expect, openApp, test as base, withStation, type Station } from './fixtures';
import { RosterPage } from './pages/roster-page';
import { SyncPage } from './pages/sync-page';

// What issue 3 promises a newcomer: two stations of one street, enrolled in the app, edit the
// roster while offline, come back, watch the indicator, and end with the same data; a station
// of another street sees none of it. A1 and A2 are driven through their screens (each its own
// browser page and host), B through its API; A1 and A2 reach the server through gates the test
// shuts and opens.

const test = base.extend<{ stationA2: Station; stationB: Station }>({
  stationA2: async ({}, use) => withStation('griddesk-e2e-a2-', use),
  stationB: async ({}, use) => withStation('griddesk-e2e-b-', use),
});

interface Person {
  id: string;
  name: string;
  phone: string | null;
}

const STREET_B = { code: '610116002000', name: '郭杜街道' };

async function enrollInApp(page: Page, station: Station, serverUrl: string, code: string, name: string): Promise<SyncPage> {
  await openApp(page, station);
  const sync = new SyncPage(page);
  await sync.shell.go('sync');
  await sync.enroll(serverUrl, code, name);
  await expect(page.getByTestId('sync-street')).toContainText('韦曲街道');
  await expect(page.getByTestId('sync-last')).not.toHaveText('从未', { timeout: 20_000 });
  return sync;
}

/** Opens a person's drawer from the roster and saves a new phone number. */
async function changePhone(page: Page, name: string, phone: string): Promise<void> {
  const roster = new RosterPage(page);
  await roster.shell.go('roster');
  await roster.row(name).click();
  await roster.drawer().getByTestId('person-phone').fill(phone);
  await roster.drawer().getByTestId('person-save').click();
  await roster.shell.expectSuccess('已保存');
  await roster.closeDrawer();
}

/** The station's whole roster, unmasked (the list masks phone numbers). */
async function people(station: Station): Promise<Person[]> {
  const rows = (await station.call<{ rows: { id: string }[] }>('people.list', { pageSize: 100 })).rows;
  const full = await Promise.all(rows.map(async (r) => (await station.call<{ person: Person }>('people.get', { id: r.id })).person));
  return full.map(({ id, name, phone }) => ({ id, name, phone })).sort((x, y) => x.id.localeCompare(y.id));
}

test('two stations of a street edit the roster offline, come back and agree; another street sees none of it', async ({ browser, station: a1, stationA2: a2, stationB: b }) => {
  test.slow(); // a real district server (PGlite) and three hosts start inside the test
  const serverDir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-server-'));
  const codes = [arrangeDistrict(serverDir), enrollmentCode(serverDir)];
  serverAdmin(serverDir, 'create-street', '--code', STREET_B.code, '--name', STREET_B.name);
  const codeB = enrollmentCode(serverDir, STREET_B.code);
  const server = await startDistrictServer(serverDir);
  const gate1 = await startGate(server.url);
  const gate2 = await startGate(server.url);
  const page1 = await browser.newPage();
  const page2 = await browser.newPage();
  try {
    // A1 joins in the app and records the street's first community and two residents.
    await enrollInApp(page1, a1, gate1.url, codes[0]!, '韦曲街道综治中心 1 号机');
    const street = (await a1.call<SyncStatus>('sync.status')).street!;
    const community = await a1.call<{ id: string }>('org.create', { code: '610116001001', name: '南街社区', level: 'community', parentId: street.id, kind: 'urban_community' });
    for (const [name, phone] of [['王建国', '13800001234'], ['李秀兰', '13900005678']]) {
      await a1.call('people.create', { name, phone, orgUnitId: community.id });
    }
    await a1.call('sync.now');

    // A2 joins in its own window and downloads all of it; B joins the other street.
    const sync2 = await enrollInApp(page2, a2, gate2.url, codes[1]!, '韦曲街道综治中心 2 号机');
    await expect(page2.getByTestId('sync-pending-count')).toHaveText('0 条');
    await b.call('sync.enroll', { serverUrl: server.url, code: codeB, deviceName: '郭杜街道综治中心 1 号机' });
    await b.call('sync.now');

    // The network goes. Each station edits a different resident; A2 also registers a new one.
    gate1.shut();
    gate2.shut();
    await changePhone(page1, '王建国', '13811112222');
    await changePhone(page2, '李秀兰', '13933334444');
    const roster2 = new RosterPage(page2);
    await roster2.addPerson({ name: '张伟', phone: '13755556666', residentId: residentId('61011619900101001'), unit: '南街社区' });
    await roster2.closeDrawer();
    // The header says offline and what waits to go, and the roster still works.
    for (const [page, pending] of [[page1, '待上传 1'], [page2, '待上传 2']] as const) {
      const indicator = new SyncPage(page).indicator();
      await expect(indicator).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
      await expect(indicator.getByTestId('sync-pending')).toContainText(pending);
    }
    await roster2.shell.screenshot('street-sync-offline');
    // its sync page says it in words: offline, with the work kept, not "idle"
    await sync2.shell.go('sync');
    await expect(page2.getByTestId('sync-progress')).toContainText('暂时连不上服务器，本机的修改都已保存');
    await expect(page2.getByTestId('sync-progress-push')).toHaveText('还有 2 条待上传');
    await sync2.shell.screenshot('street-sync-offline-page');

    // The network is back: each clerk presses 同步 on the sync page.
    gate1.open();
    gate2.open();
    const sync1 = new SyncPage(page1);
    await sync1.shell.go('sync');
    await sync1.syncNow();
    await sync2.shell.go('sync');
    await sync2.syncNow();
    await sync1.syncNow();
    for (const page of [page1, page2]) {
      await expect(new SyncPage(page).indicator()).toHaveAttribute('data-state', 'online');
      await expect(page.getByTestId('sync-pending')).toHaveCount(0);
      await expect(page.getByTestId('sync-issues')).toContainText('没有需要处理的问题');
    }
    await sync2.shell.screenshot('street-sync-back');

    // Both stations hold the same roster, with both edits and the new resident.
    const roster1 = new RosterPage(page1);
    await roster1.shell.go('roster');
    await expect(roster1.row('张伟')).toContainText('137****6666');
    await expect(roster1.row('李秀兰')).toContainText('139****4444');
    expect(await people(a1)).toEqual(await people(a2));
    expect((await people(a1)).map((p) => [p.name, p.phone]).sort()).toEqual([
      ['张伟', '13755556666'],
      ['李秀兰', '13933334444'],
      ['王建国', '13811112222'],
    ]);

    // The other street's station, synced again, has none of it.
    await b.call('sync.now');
    expect(await people(b)).toEqual([]);
    for (const person of await people(a1)) await expect(b.call('people.get', { id: person.id })).rejects.toThrow();
  } finally {
    await page1.close();
    await page2.close();
    await gate1.close();
    await gate2.close();
    await server.stop();
    rmSync(serverDir, { recursive: true, force: true });
  }
});
