import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { arrangeStreet, residentId } from './arrange';
import { expect, openApp, test } from './fixtures';
import { RosterPage } from './pages/roster-page';
import { TransferPage } from './pages/transfer-page';

/** Builds a roster workbook on the template's own header row, so the test follows the template. */
async function rosterWorkbook(templateBase64: string, rows: Record<string, string>[], file: string): Promise<void> {
  const template = new ExcelJS.Workbook();
  // exceljs types its Buffer against an older @types/node; the bytes are what it expects.
  await template.xlsx.load(Buffer.from(templateBase64, 'base64') as unknown as ExcelJS.Buffer);
  const source = template.worksheets[0];
  if (!source) throw new Error('template has no sheet');
  const headers = (source.getRow(1).values as unknown[]).slice(1).map(String);
  const out = new ExcelJS.Workbook();
  const sheet = out.addWorksheet(source.name);
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(headers.map((h) => row[h] ?? ''));
  await out.xlsx.writeFile(file);
}

test('a clerk imports an Excel roster, reads the report on the bad row, and imports the valid rows', async ({ page, station }) => {
  const street = await arrangeStreet(station);
  const template = await station.call<{ fileName: string; base64: string }>('transfer.template', { kind: 'roster' });
  const file = join(station.dataDir, '花名册.xlsx');
  const base = { 所属单位代码: street.community.code, 网格代码: street.micro.code, 开始日期: '2024-03-01', 状态: '在岗' };
  await rosterWorkbook(
    template.base64,
    [
      { ...base, 姓名: '李建国', 性别: '男', 手机号: '13700001111', 身份证号: residentId('61011619700101001'), 是否党员: '是', 党支部: '南街社区党支部', 角色: '党员' },
      { ...base, 姓名: '赵丽', 性别: '女', 手机号: '13800002222', 身份证号: residentId('61011619880202002'), 是否党员: '否', 角色: '兼职网格员' },
      { ...base, 姓名: '错号码', 性别: '女', 手机号: '2380000', 身份证号: residentId('61011619900303003'), 是否党员: '否', 角色: '志愿者' },
    ],
    file,
  );

  await openApp(page, station);
  const transfer = new TransferPage(page);
  await transfer.shell.go('transfer');
  await transfer.checkFile('roster', file);

  // Nothing is written yet: the report lists the bad row with the column and the reason.
  await expect(transfer.summary('roster')).toHaveText('2 行有效，1 行有误');
  await expect(transfer.reportRows('roster')).toHaveCount(1);
  const problem = transfer.reportRows('roster').first();
  await expect(problem).toContainText('4');
  await expect(problem).toContainText('手机号');
  await expect(problem).toContainText('手机号格式不正确');
  expect((await station.call<{ total: number }>('people.list', {})).total).toBe(0);
  await transfer.shell.screenshot('transfer-report');

  await transfer.commit('roster');
  await expect(transfer.done('roster')).toContainText('共导入 2 行');
  await transfer.shell.screenshot('transfer-done');

  const roster = new RosterPage(page);
  await roster.shell.go('roster');
  await expect(roster.row('李建国')).toContainText('党员');
  await expect(roster.row('赵丽')).toContainText('兼职网格员');
  await expect(roster.row('错号码')).toHaveCount(0);
});
