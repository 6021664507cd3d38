import ExcelJS from 'exceljs';
import type { TransferKind } from '../../../core/api/areas';
import { COLUMNS, HELP_SHEET, SHEET_NAMES } from './columns';

// Writing and reading the workbook shape shared by template, export and import.

export type SheetRow = Record<string, string>;

/** A workbook with the kind's data sheet (headers + rows) and the 说明 sheet. */
export async function buildWorkbook(kind: TransferKind, rows: readonly SheetRow[]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'GridDesk';
  const columns = COLUMNS[kind];
  const sheet = workbook.addWorksheet(SHEET_NAMES[kind], { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width ?? Math.max(10, c.header.length * 2 + 2),
    // '@' (text): codes, phones and IDs typed into these cells stay text, not 6.1E+17.
    style: c.text ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(row);

  const help = workbook.addWorksheet(HELP_SHEET);
  help.columns = [
    { header: '列名', key: 'header', width: 16 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '说明与可选值', key: 'help', width: 90 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of columns) help.addRow({ header: c.header, required: c.required ? '必填' : '选填', help: c.help });
  help.addRow({});
  help.addRow({ header: '注意', help: `第一行为列名，请勿修改；从第二行起每行一条记录，空行会被跳过。导入前请删除示例行。` });
  help.addRow({ header: '', help: '导入时先整体校验，列出有问题的行；确认后只导入无问题的行，且全部成功或全部不导入。' });
  help.getColumn('help').alignment = { wrapText: true, vertical: 'top' };

  const buffer = await workbook.xlsx.writeBuffer();
  return Buffer.from(buffer).toString('base64');
}

/** A cell as the text a person typed; dates as YYYY-MM-DD. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result ?? null);
    if ('hyperlink' in value) return String(value.text).trim();
    if ('error' in value) return '';
    return '';
  }
  return String(value).trim();
}

export class UnreadableWorkbook extends Error {
  constructor(readonly reason: 'import.unreadable' | 'import.bad_headers' | 'import.no_sheet') {
    super(reason);
  }
}

/** Loads the file and finds the data sheet; headers are matched by their Chinese name. */
export async function openDataSheet(
  kind: TransferKind,
  bytes: Buffer,
): Promise<{ sheet: ExcelJS.Worksheet; columnOf: Map<string, number> }> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs' typings want its own Buffer shape; a Node Buffer is what it reads.
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw new UnreadableWorkbook('import.unreadable');
  }
  const sheet = workbook.getWorksheet(SHEET_NAMES[kind]) ?? workbook.worksheets.find((s) => s.name !== HELP_SHEET);
  if (!sheet) throw new UnreadableWorkbook('import.no_sheet');
  const headerAt = new Map<string, number>();
  sheet.getRow(1).eachCell((cell, col) => {
    const text = cellText(cell.value);
    if (text) headerAt.set(text, col);
  });
  const columnOf = new Map<string, number>();
  for (const c of COLUMNS[kind]) {
    const col = headerAt.get(c.header);
    if (col === undefined) throw new UnreadableWorkbook('import.bad_headers');
    columnOf.set(c.key, col);
  }
  return { sheet, columnOf };
}

/** One data row as key -> text; null when every cell is blank (such rows are skipped). */
export function readRow(row: ExcelJS.Row, columnOf: Map<string, number>): SheetRow | null {
  const cells: SheetRow = {};
  let any = false;
  for (const [key, col] of columnOf) {
    const text = cellText(row.getCell(col).value);
    cells[key] = text;
    if (text) any = true;
  }
  return any ? cells : null;
}
