import type { TransferKind } from '../../../core/api/areas';
import type { ResponseOf } from '../../../core/api/contract';
import { COLUMNS } from './columns';
import { buildWorkbook, type SheetRow } from './workbook';

const FILE_NAMES: Record<TransferKind, string> = { grids: '网格导入模板.xlsx', roster: '人员花名册导入模板.xlsx' };

/** Headers, one example row (to be deleted before importing) and the 说明 sheet. */
export async function templateWorkbook(kind: TransferKind): Promise<ResponseOf<'transfer.template'>> {
  const example: SheetRow = Object.fromEntries(COLUMNS[kind].map((c) => [c.key, c.example]));
  return { fileName: FILE_NAMES[kind], base64: await buildWorkbook(kind, [example]) };
}
