import type { GridCategory, GridLevel, GridKind, DedicatedType } from '../../core/domain/grid';
import type { OrgLevel, CommunityKind } from '../../core/domain/org';
import { ROLES, type PersonStatus, type Role } from '../../core/domain/people';
import type { Translate } from '../app/i18n/i18n-context';

// Enum values never reach the screen raw: each has a key in the dictionaries.
export const gridLevelLabel = (t: Translate, v: GridLevel) => t(`enum.gridLevel.${v}`);
export const gridCategoryLabel = (t: Translate, v: GridCategory) => t(`enum.gridCategory.${v}`);
export const gridKindLabel = (t: Translate, v: GridKind) => t(`enum.gridKind.${v}`);
export const dedicatedTypeLabel = (t: Translate, v: DedicatedType) => t(`enum.dedicatedType.${v}`);
export const orgLevelLabel = (t: Translate, v: OrgLevel) => t(`enum.orgLevel.${v}`);
export const communityKindLabel = (t: Translate, v: CommunityKind) => t(`enum.communityKind.${v}`);
export const roleLabel = (t: Translate, v: Role) => t(`enum.role.${v}`);
export const statusLabel = (t: Translate, v: PersonStatus) => t(`enum.status.${v}`);
export const genderLabel = (t: Translate, v: 'male' | 'female') => t(`enum.gender.${v}`);

/** Roles arrive as plain strings in roster rows; unknown ones are shown as they are. */
export function roleText(t: Translate, role: string): string {
  return ROLE_SET.has(role) ? roleLabel(t, role as Role) : role;
}
const ROLE_SET = new Set<string>(ROLES);

export const STATUS_COLORS: Record<PersonStatus, string> = { active: 'green', inactive: 'orange', left: 'default' };
export const LEVEL_COLORS: Record<GridLevel, string> = { large: 'blue', medium: 'cyan', small: 'geekblue', micro: 'purple' };

/** A name with its code after it, in the language's brackets. */
export const withCode = (t: Translate, name: string, code: string) => t('common.withCode', { name, code });
