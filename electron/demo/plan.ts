import demoDistrict from '../../resources/demo-district.json' with { type: 'json' };
import { makeGridCode, type DedicatedType, type GridCategory, type GridKind, type GridLevel } from '../../core/domain/grid';
import type { CommunityKind } from '../../core/domain/org';
import { cnNumber, communityName, shortName, STREETS } from './names';
import { spread, type Rng } from './prng';

// The shape of the demo data as plain values: org units and grids with their codes,
// parents and household counts. Pure, so the same seed always gives the same plan.

export const DISTRICT = demoDistrict.district;

export interface CommunityPlan {
  code: string;
  name: string;
  kind: CommunityKind;
  category: GridCategory;
}

export interface GridPlan {
  code: string;
  name: string;
  level: GridLevel;
  kind: GridKind;
  dedicatedType: DedicatedType | null;
  category: GridCategory;
  parentCode: string | null;
  communityCode: string;
  householdCount: number;
  /** A basic small grid left without a full-time member (and its micro grids without heads). */
  vacant: boolean;
}

export interface StreetPlan {
  code: string;
  name: string;
  mountain: boolean;
  communities: CommunityPlan[];
  /** Parents before children. */
  grids: GridPlan[];
}

export interface GridCounts {
  large: number;
  medium: number;
  small: number;
  micro: number;
}

/** District totals from the 2022 report; one street is about 1/25 of them. */
export const DISTRICT_GRIDS: GridCounts = { large: 270, medium: 355, small: 1367, micro: 17_031 };
export const STREET_GRIDS: GridCounts = { large: 11, medium: 14, small: 55, micro: 680 };

const DEDICATED: readonly { type: DedicatedType; name: (c: string) => string }[] = [
  { type: 'school', name: (c) => `${c}小学` },
  { type: 'hospital', name: (c) => `${c}社区卫生服务中心` },
  { type: 'market', name: (c) => `${c}农贸市场` },
  { type: 'enterprise', name: (c) => `${c}工业园` },
];
/** Share of micro grids left without a household head (so the coverage view shows gaps). */
const VACANT_SHARE = 0.05;

export function planStreet(rng: Rng, index: number, counts: GridCounts, communityCount = rng.int(10, 14)): StreetPlan {
  const street = STREETS[index]!;
  const code = street.code;
  const taken = new Set<string>();
  let urbanSeq = 0;
  let villageSeq = 0;
  const communities: CommunityPlan[] = [];
  for (let i = 0; i < communityCount; i++) {
    // At least one of each kind per street; statistical codes: 0xx residents' committees, 2xx villages.
    const kind: CommunityKind = i === 0 ? 'urban_community' : i === 1 ? 'village' : rng.chance(street.urbanShare) ? 'urban_community' : 'village';
    const seq = kind === 'urban_community' ? ++urbanSeq : 200 + ++villageSeq;
    const category: GridCategory =
      kind === 'urban_community' ? 'urban_community' : street.mountain && rng.chance(0.7) ? 'mountain' : rng.chance(0.6) ? 'village' : 'general_rural';
    communities.push({ code: `${code.slice(0, 9)}${String(seq).padStart(3, '0')}`, name: communityName(rng, kind, taken), kind, category });
  }
  communities.sort((a, b) => a.code.localeCompare(b.code));

  // Dedicated grids (small level) sit in urban communities: a school, a clinic, a market.
  const dedicatedCount = Math.min(3, Math.max(1, Math.round(counts.small / 18)));
  const basicSmall = spread(rng, counts.small - dedicatedCount, communities.length);
  const large = spread(rng, counts.large, communities.length);
  const withLarge = communities.map((_, i) => i).filter((i) => large[i]! > 0);
  const mediumSplit = spread(rng, counts.medium, withLarge.length);
  const medium = communities.map((_, i) => (withLarge.includes(i) ? mediumSplit[withLarge.indexOf(i)]! : 0));
  const urban = communities.map((c, i) => (c.kind === 'urban_community' ? i : -1)).filter((i) => i >= 0);

  const grids: GridPlan[] = [];
  const basicSmallGrids: GridPlan[] = [];
  communities.forEach((community, ci) => {
    const short = shortName(community.name);
    const base = { category: community.category, communityCode: community.code, dedicatedType: null, householdCount: 0, vacant: false };
    const larges: GridPlan[] = [];
    for (let s = 1; s <= large[ci]!; s++) {
      larges.push({ ...base, code: makeGridCode({ level: 'large', kind: 'basic' }, community.code, null, s), name: `${short}第${cnNumber(s)}片区`, level: 'large', kind: 'basic', parentCode: null });
    }
    const mediums: GridPlan[] = [];
    for (let s = 1; s <= medium[ci]!; s++) {
      const parent = larges[(s - 1) % larges.length]!;
      mediums.push({ ...base, code: makeGridCode({ level: 'medium', kind: 'basic' }, community.code, null, s), name: `${short}第${cnNumber(s)}中网格`, level: 'medium', kind: 'basic', parentCode: parent.code });
    }
    const uppers = mediums.length ? mediums : larges;
    const smalls: GridPlan[] = [];
    for (let s = 1; s <= basicSmall[ci]!; s++) {
      const parent = uppers.length ? uppers[(s - 1) % uppers.length]! : null;
      smalls.push({ ...base, code: makeGridCode({ level: 'small', kind: 'basic' }, community.code, null, s), name: `${short}第${cnNumber(s)}网格`, level: 'small', kind: 'basic', parentCode: parent?.code ?? null });
    }
    grids.push(...larges, ...mediums, ...smalls);
    basicSmallGrids.push(...smalls);
  });
  for (let d = 0; d < dedicatedCount; d++) {
    const community = communities[urban[d % urban.length]!]!;
    const kindOf = DEDICATED[d % DEDICATED.length]!;
    const seq = grids.filter((g) => g.communityCode === community.code && g.kind === 'dedicated').length + 1;
    grids.push({
      code: makeGridCode({ level: 'small', kind: 'dedicated' }, community.code, null, seq),
      name: kindOf.name(shortName(community.name)),
      level: 'small',
      kind: 'dedicated',
      dedicatedType: kindOf.type,
      category: community.category,
      parentCode: null,
      communityCode: community.code,
      householdCount: 0,
      vacant: false,
    });
  }

  // Micro grids: "ten households one network", 10–30 households each, under basic small grids.
  const micro = spread(rng, counts.micro, basicSmallGrids.length);
  const byCode = new Map(grids.map((g) => [g.code, g]));
  let vacantMicro = 0;
  basicSmallGrids.forEach((small, si) => {
    if (vacantMicro < counts.micro * VACANT_SHARE && rng.chance(0.1)) {
      small.vacant = true;
      vacantMicro += micro[si]!;
    }
    const urbanGrid = small.category === 'urban_community';
    for (let s = 1; s <= micro[si]!; s++) {
      const households = rng.int(10, 30);
      grids.push({
        ...small,
        code: makeGridCode({ level: 'micro', kind: 'basic' }, small.communityCode, small.code, s),
        name: urbanGrid ? `${small.name}${s}号楼` : `${small.name}${cnNumber(s)}组`,
        level: 'micro',
        parentCode: small.code,
        householdCount: households,
        vacant: small.vacant,
      });
      // Households add up the tree: small, medium, large.
      for (let up: GridPlan | undefined = small; up; up = up.parentCode ? byCode.get(up.parentCode) : undefined) up.householdCount += households;
    }
  });
  return { code, name: street.name, mountain: street.mountain, communities, grids };
}

/**
 * Street scale is one street (韦曲街道 unless another index is given) at the typical size;
 * district scale splits the totals.
 */
export function planStreets(rng: Rng, scale: 'street' | 'district', streetIndex = 0): StreetPlan[] {
  if (scale === 'street') return [planStreet(rng, streetIndex, STREET_GRIDS, 12)];
  const parts = (n: number) => spread(rng, n, STREETS.length);
  const [large, medium, small, micro] = [parts(DISTRICT_GRIDS.large), parts(DISTRICT_GRIDS.medium), parts(DISTRICT_GRIDS.small), parts(DISTRICT_GRIDS.micro)];
  return STREETS.map((_, i) => planStreet(rng, i, { large: large[i]!, medium: medium[i]!, small: small[i]!, micro: micro[i]! }));
}
