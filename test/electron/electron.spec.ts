import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../../scripts/start';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const electronBinary = findElectronBinary();
const skipReason = electronBinary
  ? null
  : 'Electron binary not available on this machine: node_modules/electron has no downloaded runtime ' +
    '(its download is blocked here). Where downloads work, `npx install-electron` fetches it.';
if (skipReason) console.warn(`[electron e2e] SKIPPED — ${skipReason}`);

/** What the preload exposes, as the page sees it. */
type Bridge = { invoke(method: string, request: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> };

let sqliteBinding = '';

test.describe('GridDesk desktop app', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  test.beforeAll(async () => {
    // Build once for the suite: renderer + bundles, and the Electron-ABI sqlite addon
    // (kept out of node_modules, which stays on the Node ABI for the other tests).
    test.setTimeout(15 * 60_000);
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (build.status !== 0) throw new Error('npm run build failed');
    const { buildNativeSqlite } = await import('../../scripts/build-electron');
    sqliteBinding = buildNativeSqlite();
  });

  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  test.beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'griddesk-electron-'));
    app = await _electron.launch({
      executablePath: electronBinary ?? undefined,
      // The project root: Electron reads package.json "main" like a real start.
      // As root (CI containers) Chromium refuses to start its sandbox helper.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      env: { ...process.env, GRIDDESK_DATA_DIR: dataDir, GRIDDESK_SQLITE_BINDING: sqliteBinding, GRIDDESK_LOG_LEVEL: 'warn' },
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterEach(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('opens one window with the app title, on a fresh data directory', async () => {
    await expect(page).toHaveTitle(/GridDesk/);
    expect(app.windows()).toHaveLength(1);
    const info = await page.evaluate(() => (window as unknown as { griddesk: Bridge }).griddesk.invoke('app.info', {}));
    expect(info).toMatchObject({ ok: true, result: { transport: 'ipc', dataDir } });
    expect(existsSync(join(dataDir, 'griddesk.sqlite'))).toBe(true);
  });

  test('the renderer has no Node and only the one bridge method', async () => {
    const surface = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { griddesk: Bridge }).griddesk),
    }));
    expect(surface).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke'] });
  });

  test('navigating away to a web page is refused', async () => {
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
  });

  test('roster: add a person and see them listed', async () => {
    // The roster needs an org unit; create the district and street through the real bridge.
    await page.evaluate(async () => {
      const { griddesk } = window as unknown as { griddesk: Bridge };
      const district = await griddesk.invoke('org.create', { code: '440106000000', name: '天河区', level: 'district', parentId: null });
      const districtId = (district.result as { id: string }).id;
      await griddesk.invoke('org.create', { code: '440106001000', name: '石牌街道', level: 'street', parentId: districtId });
    });
    await page.reload();

    await page.getByTestId('main-menu').getByText('人员名册').click();
    await page.getByRole('button', { name: /新增人员/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名').fill('张建国');
    // antd puts a space between the two characters of a Chinese button label.
    await dialog.getByRole('button', { name: /确\s*定|保\s*存/ }).click();
    await expect(page.getByRole('row').filter({ hasText: '张建国' })).toBeVisible();
  });
});
