import type { TransferKind } from '../../../core/api/areas';
import {
  allowedLabels,
  DEDICATED_TYPE_LABELS,
  GENDER_LABELS,
  GRID_CATEGORY_LABELS,
  GRID_KIND_LABELS,
  GRID_LEVEL_LABELS,
  PERSON_STATUS_LABELS,
  ROLE_LABELS,
  YES_NO_LABELS,
} from './labels';

// The columns of each workbook kind, in sheet order. `key` is what the row readers use;
// `header` is the Chinese heading the file must carry (the import matches on it).

export interface ColumnSpec {
  key: string;
  header: string;
  required: boolean;
  /** Explanation on the 说明 sheet. */
  help: string;
  example: string;
  /** Digits that Excel would otherwise turn into numbers (and lose precision). */
  text?: boolean;
  /** Personal data: masked whenever a cell value is echoed back in a problem report. */
  personal?: 'phone' | 'residentId';
  width?: number;
}

export const GRID_COLUMNS: readonly ColumnSpec[] = [
  { key: 'code', header: '网格代码', required: true, text: true, width: 22, example: '6101160010013001',
    help: '大/中/小网格及专属网格16位：所属村/社区12位代码 + 类型位(1大 2中 3小 4专属) + 3位序号；微网格19位：所属小网格代码 + 3位序号' },
  { key: 'name', header: '网格名称', required: true, width: 18, example: '东街第一网格', help: '1–60个字' },
  { key: 'level', header: '层级', required: true, example: GRID_LEVEL_LABELS.small, help: `可选：${allowedLabels(GRID_LEVEL_LABELS)}` },
  { key: 'kind', header: '类型', required: false, example: GRID_KIND_LABELS.basic,
    help: `可选：${allowedLabels(GRID_KIND_LABELS)}；留空为基础网格。专属网格只能是小网格` },
  { key: 'dedicatedType', header: '专属类型', required: false, example: '',
    help: `专属网格必填，可选：${allowedLabels(DEDICATED_TYPE_LABELS)}；基础网格留空` },
  { key: 'category', header: '网格类别', required: true, example: GRID_CATEGORY_LABELS.urban_community,
    help: `可选：${allowedLabels(GRID_CATEGORY_LABELS)}` },
  { key: 'parentCode', header: '上级网格代码', required: false, text: true, width: 22, example: '6101160010011001',
    help: '中网格的上级为大网格；小网格的上级为大网格、中网格或留空（直属村/社区）；微网格的上级为小网格。上级须在本表上方或系统中已存在' },
  { key: 'orgUnitCode', header: '所属村/社区代码', required: true, text: true, width: 16, example: '610116001001',
    help: '12位统计用区划代码，须为系统中已有的村或社区' },
  { key: 'householdCount', header: '户数', required: false, example: '320', help: '0–100000的整数，留空为0' },
  { key: 'validFrom', header: '生效日期', required: true, text: true, width: 12, example: '2024-01-01', help: '格式 YYYY-MM-DD' },
];

export const ROSTER_COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', header: '姓名', required: true, example: '张伟', help: '1–40个字' },
  { key: 'gender', header: '性别', required: false, example: GENDER_LABELS.male, help: `可选：${allowedLabels(GENDER_LABELS)}` },
  { key: 'phone', header: '手机号', required: false, text: true, personal: 'phone', width: 14, example: '17000000001', help: '11位手机号码' },
  { key: 'residentId', header: '身份证号', required: false, text: true, personal: 'residentId', width: 22, example: '610116199001010018',
    help: '18位居民身份证号码（末位校验码须正确）。系统中已有此身份证号的人员将被更新而不是重复新增；同一人的多行（多个角色）请填写相同的身份证号' },
  { key: 'partyMember', header: '是否党员', required: false, example: YES_NO_LABELS.no, help: `可选：${allowedLabels(YES_NO_LABELS)}；留空为否` },
  { key: 'partyBranch', header: '党支部', required: false, width: 16, example: '', help: '党员填写所在党支部，最多60个字' },
  { key: 'status', header: '状态', required: false, example: PERSON_STATUS_LABELS.active, help: `可选：${allowedLabels(PERSON_STATUS_LABELS)}；留空为在岗` },
  { key: 'orgUnitCode', header: '所属单位代码', required: true, text: true, width: 16, example: '610116001001',
    help: '12位代码：所在街道或村/社区' },
  { key: 'gridCode', header: '网格代码', required: false, text: true, width: 22, example: '6101160010013001',
    help: '担任网格角色时填写所在网格代码；留空则角色落在所属单位上（如中心操作员、领导）' },
  { key: 'role', header: '角色', required: false, example: ROLE_LABELS.grid_chief, width: 14, help: `可选：${allowedLabels(ROLE_LABELS)}；可留空` },
  { key: 'startDate', header: '开始日期', required: false, text: true, width: 12, example: '2024-01-01', help: '填写角色时必填，格式 YYYY-MM-DD' },
];

export const COLUMNS: Record<TransferKind, readonly ColumnSpec[]> = { grids: GRID_COLUMNS, roster: ROSTER_COLUMNS };
export const SHEET_NAMES: Record<TransferKind, string> = { grids: '网格', roster: '人员花名册' };
export const HELP_SHEET = '说明';

export function columnByKey(kind: TransferKind, key: string): ColumnSpec | undefined {
  return COLUMNS[kind].find((c) => c.key === key);
}
