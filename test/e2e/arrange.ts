import { residentIdCheckChar } from '../../core/domain/identity';
import type { Station } from './fixtures';

// Arranges data through the host's API for tests whose subject is something else.
// Codes follow Chang'an District (610116), as in DOMAIN.md.

export const CODES = {
  district: '610116000000',
  street: '610116001000',
  community: '610116001001',
} as const;

interface Unit {
  id: string;
  code: string;
  name: string;
}

export interface Street {
  district: Unit;
  street: Unit;
  community: Unit;
  large: Unit;
  small: Unit;
  micro: Unit;
}

export async function arrangeStreet(station: Station): Promise<Street> {
  const org = (code: string, name: string, level: string, parentId: string | null, kind: string | null = null) =>
    station.call<Unit>('org.create', { code, name, level, parentId, kind });
  const district = await org(CODES.district, '长安区', 'district', null);
  const street = await org(CODES.street, '韦曲街道', 'street', district.id);
  const community = await org(CODES.community, '南街社区', 'community', street.id, 'urban_community');
  const grid = async (name: string, level: string, parentId: string | null) => {
    const { code } = await station.call<{ code: string }>('grid.nextCode', { orgUnitId: community.id, parentId, level });
    return station.call<Unit>('grid.create', {
      code,
      name,
      level,
      parentId,
      orgUnitId: community.id,
      category: 'urban_community',
      validFrom: '2024-01-01',
      householdCount: 120,
    });
  };
  const large = await grid('南街第一大网格', 'large', null);
  const small = await grid('南街一号小网格', 'small', large.id);
  const micro = await grid('南街一号微网格', 'micro', small.id);
  return { district, street, community, large, small, micro };
}

/** A resident ID with a correct GB 11643 check character. */
export function residentId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}
