import { z } from 'zod';

// Administrative tree: district > street > village/community, coded with the national
// statistical division codes (统计用区划代码): 6 digits county, 3 street, 3 village.

export const ORG_LEVELS = ['district', 'street', 'community'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

/** A community-level unit is either a village (村) or an urban community (社区). */
export const COMMUNITY_KINDS = ['village', 'urban_community'] as const;
export type CommunityKind = (typeof COMMUNITY_KINDS)[number];

export const orgCode = z.string().regex(/^\d{12}$/, 'org_code_format');

export type OrgCodeProblem = 'format' | 'level_shape' | 'not_under_parent';

/** Checks a 12-digit code against the level it claims and the parent's code. */
export function orgCodeProblem(code: string, level: OrgLevel, parentCode: string | null): OrgCodeProblem | null {
  if (!/^\d{12}$/.test(code)) return 'format';
  const county = code.slice(0, 6);
  const street = code.slice(6, 9);
  const village = code.slice(9, 12);
  switch (level) {
    case 'district':
      if (street !== '000' || village !== '000') return 'level_shape';
      return null;
    case 'street':
      if (street === '000' || village !== '000') return 'level_shape';
      if (parentCode !== null && parentCode.slice(0, 6) !== county) return 'not_under_parent';
      return null;
    case 'community':
      if (street === '000' || village === '000') return 'level_shape';
      if (parentCode !== null && parentCode.slice(0, 9) !== code.slice(0, 9)) return 'not_under_parent';
      return null;
  }
}

/** The level a child of a unit at `level` must have. */
export function childOrgLevel(level: OrgLevel): OrgLevel | null {
  return level === 'district' ? 'street' : level === 'street' ? 'community' : null;
}

export const orgUnit = z.object({
  id: z.string(),
  code: orgCode,
  name: z.string(),
  level: z.enum(ORG_LEVELS),
  kind: z.enum(COMMUNITY_KINDS).nullable(),
  parentId: z.string().nullable(),
  hostsCenter: z.boolean(),
  version: z.number().int(),
});
export type OrgUnit = z.infer<typeof orgUnit>;

export const orgUnitInput = z.object({
  code: orgCode,
  name: z.string().trim().min(1).max(60),
  level: z.enum(ORG_LEVELS),
  kind: z.enum(COMMUNITY_KINDS).nullable().default(null),
  parentId: z.string().nullable(),
  hostsCenter: z.boolean().default(false),
});
export type OrgUnitInput = z.infer<typeof orgUnitInput>;
