import type { DedicatedType, GridCategory, GridKind, GridLevel } from '../../../core/domain/grid';
import type { PersonStatus, Role } from '../../../core/domain/people';

// The one mapping between the Chinese words in a workbook and the enum values in code.
// Template, export and import all read it, so a label can never drift between them.
// (The screen has its own i18n dictionaries; a spreadsheet is always Chinese.)

export const GRID_LEVEL_LABELS: Record<GridLevel, string> = { large: '大网格', medium: '中网格', small: '小网格', micro: '微网格' };
export const GRID_KIND_LABELS: Record<GridKind, string> = { basic: '基础网格', dedicated: '专属网格' };
export const DEDICATED_TYPE_LABELS: Record<DedicatedType, string> = {
  school: '学校',
  hospital: '医院',
  market: '市场',
  enterprise: '企业',
  agency: '机关单位',
  other: '其他',
};
export const GRID_CATEGORY_LABELS: Record<GridCategory, string> = {
  village: '村',
  urban_community: '城市社区',
  general_rural: '一般农村',
  mountain: '山区',
};
export const GENDER_LABELS: Record<'male' | 'female', string> = { male: '男', female: '女' };
export const PERSON_STATUS_LABELS: Record<PersonStatus, string> = { active: '在岗', inactive: '停用', left: '已离岗' };
export const YES_NO_LABELS: Record<'yes' | 'no', string> = { yes: '是', no: '否' };
export const ROLE_LABELS: Record<Role, string> = {
  grid_chief: '网格长',
  grid_member_full: '专职网格员',
  grid_member_part: '兼职网格员',
  household_head: '户长',
  community_police: '社区民警',
  traffic_police: '交警',
  party_member: '党员',
  eco_patroller: '生态巡查员',
  river_patroller: '河道巡查员',
  forest_ranger: '护林员',
  volunteer: '志愿者',
  bao_lian_cadre: '包联干部',
  center_operator: '中心操作员',
  department_handler: '部门处置人员',
  leader: '领导',
};

export type LabelMap<V extends string> = Record<V, string>;

/**
 * The enum value for a cell's text. The code value itself is accepted too, so a sheet
 * filled by another system with 'large' instead of 大网格 still reads.
 */
export function valueOfLabel<V extends string>(labels: LabelMap<V>, text: string): V | undefined {
  for (const [value, label] of Object.entries(labels) as [V, string][]) {
    if (label === text || value === text) return value;
  }
  return undefined;
}

export const allowedLabels = (labels: LabelMap<string>): string => Object.values(labels).join(' / ');
