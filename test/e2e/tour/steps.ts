import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import ExcelJS from 'exceljs';

// The clerk's tour: each step leaves the screen in the state worth a picture.

interface Unit {
  id: string;
  code: string;
  name: string;
}

export interface TourContext {
  page: Page;
  locale: 'zh-CN' | 'en-US';
  street: Unit;
  community: Unit;
  /** A micro grid the tour retired beforehand. */
  retiredName: string;
  call<T>(method: string, request?: unknown): Promise<T>;
}

export interface TourStep {
  name: string;
  /** The file name under docs/screenshots/ when the step illustrates the user guide. */
  docs?: string;
  run(ctx: TourContext): Promise<void>;
}

const MENU = {
  grids: /网格管理|Grids/,
  roster: /人员名册|Roster/,
  coverage: /覆盖情况|Coverage/,
  transfer: /数据交换|Import \/ Export/,
  backup: /备份恢复|Backup & Restore/,
  sync: /(^|\s)(同步|Sync)$/,
} as const;

async function go(page: Page, screen: keyof typeof MENU): Promise<void> {
  await page.getByTestId('main-menu').getByRole('menuitem', { name: MENU[screen] }).click();
  await page.getByTestId(`${screen}-page`).waitFor();
}

/** Closes the topmost modal or drawer, if any, and waits until it is gone. */
async function closeOverlay(page: Page): Promise<void> {
  const open = page.locator('.ant-modal-wrap:visible, .ant-drawer-content-wrapper:visible');
  const before = await open.count();
  if (before === 0) return;
  await page.keyboard.press('Escape');
  await page.waitForFunction(
    (n) => document.querySelectorAll('.ant-modal-wrap, .ant-drawer-content-wrapper').length === 0 ||
      [...document.querySelectorAll<HTMLElement>('.ant-modal-wrap, .ant-drawer-content-wrapper')].filter((e) => e.offsetParent !== null || getComputedStyle(e).display !== 'none').length < n,
    before,
  );
  await page.waitForTimeout(300);
}

async function rosterWorkbook(ctx: TourContext): Promise<string> {
  const template = await ctx.call<{ base64: string }>('transfer.template', { kind: 'roster' });
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(template.base64, 'base64') as unknown as ExcelJS.Buffer);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('template has no sheet');
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, string>[] = [
    { 姓名: '刘晓燕', 性别: '女', 手机号: '13709871234', 是否党员: '否', 状态: '在岗' },
    { 姓名: '孙志强', 性别: '男', 手机号: '2380000', 是否党员: '否', 状态: '在岗' },
    { 姓名: '周敏', 性别: '女', 手机号: '13609876543', 是否党员: '是', 状态: '休假' },
    { 姓名: '', 性别: '男', 手机号: '13509871111', 是否党员: '否', 状态: '在岗' },
  ];
  const out = new ExcelJS.Workbook();
  const target = out.addWorksheet(sheet.name);
  target.addRow(headers);
  for (const row of rows) target.addRow(headers.map((h) => ({ ...row, 所属单位代码: ctx.community.code })[h] ?? ''));
  const file = join(tmpdir(), `tour-roster-${Date.now()}.xlsx`);
  writeFileSync(file, Buffer.from(await out.xlsx.writeBuffer()));
  return file;
}

export const TOUR_STEPS: TourStep[] = [
  {
    name: 'grids-street',
    docs: 'grids-street',
    async run({ page, street }) {
      await go(page, 'grids');
      await page.getByTestId(`org-node-${street.code}`).click();
      await page.getByTestId('grid-tree').waitFor();
    },
  },
  {
    name: 'grid-details',
    docs: 'grid-details',
    async run({ page, call, community }) {
      // The first-run sync prompt was seen on the first screen; the clerk puts it away.
      await page.getByTestId('sync-prompt-dismiss').click();
      const hits = await call<{ code: string; level: string; validTo: string | null }[]>('grid.search', { q: community.code, limit: 100 });
      const micro = hits.find((h) => h.level === 'micro' && h.validTo === null) ?? hits[0];
      if (!micro) throw new Error('no grid to show');
      await page.getByTestId('grid-search').locator('input').fill(micro.code);
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
      await page.getByTestId('grid-details-code').filter({ hasText: micro.code }).waitFor();
    },
  },
  {
    name: 'grid-search-retired',
    async run({ page, retiredName }) {
      await page.getByTestId('grid-search').locator('input').fill(retiredName);
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().waitFor();
    },
  },
  {
    name: 'grid-create',
    docs: 'grid-create',
    async run({ page, community }) {
      await page.keyboard.press('Escape');
      await page.getByTestId(`org-node-${community.code}`).click();
      await page.getByTestId('grid-create').click();
      await page.getByTestId('grid-form').waitFor();
      await page.waitForFunction(() => (document.querySelector('[data-testid="grid-code"]') as HTMLInputElement | null)?.value !== '');
    },
  },
  {
    name: 'org-edit',
    docs: 'org-edit',
    async run({ page }) {
      await closeOverlay(page);
      await page.getByTestId('org-edit').click();
      await page.getByTestId('org-edit-form').waitFor();
    },
  },
  {
    name: 'roster',
    docs: 'roster',
    async run({ page }) {
      await closeOverlay(page);
      await go(page, 'roster');
      await page.getByTestId('roster-table').locator('tr.ant-table-row').first().waitFor();
    },
  },
  {
    name: 'person-drawer',
    docs: 'person-drawer',
    async run({ page }) {
      await page.getByTestId('roster-table').locator('tr.ant-table-row').first().click();
      await page.getByTestId('person-assignments').waitFor();
    },
  },
  {
    name: 'assign-role',
    async run({ page }) {
      await page.getByTestId('assign-open').click();
      await page.getByTestId('assign-form').waitFor();
    },
  },
  {
    name: 'coverage',
    docs: 'coverage',
    async run({ page, street }) {
      await closeOverlay(page);
      await closeOverlay(page);
      await go(page, 'coverage');
      await page.getByTestId(`org-node-${street.code}`).click();
      await page.getByTestId('coverage-table').locator('tr.ant-table-row').first().click();
      await page.getByTestId('coverage-gaps').waitFor();
    },
  },
  {
    name: 'transfer',
    async run({ page }) {
      await go(page, 'transfer');
    },
  },
  {
    name: 'import-report',
    docs: 'import-report',
    async run(ctx) {
      const { page } = ctx;
      await page.getByTestId('transfer-tabs').getByRole('tab', { name: /人员名册|Roster/ }).click();
      await page.getByTestId('import-roster').locator('input[type=file]').setInputFiles(await rosterWorkbook(ctx));
      await page.getByTestId('import-start-roster').click();
      await page.getByTestId('import-summary-roster').waitFor();
    },
  },
  {
    name: 'backup',
    docs: 'backup',
    async run({ page }) {
      await page.getByTestId('import-cancel-roster').click();
      await go(page, 'backup');
      const rows = page.getByTestId('backup-list').locator('tr.ant-table-row');
      const before = await rows.count();
      await page.getByTestId('backup-create').click();
      await rows.nth(before).waitFor();
    },
  },
  {
    name: 'sync-enroll',
    docs: 'sync-enroll',
    async run({ page }) {
      await go(page, 'sync');
      await page.getByTestId('sync-enroll').waitFor();
    },
  },
];
