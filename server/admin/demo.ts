import demoDistrict from '../../resources/demo-district.json' with { type: 'json' };
import type { Db } from '../db/db';
import { createDistrict, createStreet, type DistrictInfo, type StreetInfo } from './admin';

// The demo district (resources/demo-district.json, shared with the station's demo generator).
export const DEMO_DISTRICT = demoDistrict.district;
export const DEMO_STREETS: readonly { code: string; name: string }[] = demoDistrict.streets;

export async function importDemo(db: Db, scale: 'street' | 'district'): Promise<{ district: DistrictInfo; streets: StreetInfo[] }> {
  const district = await createDistrict(db, DEMO_DISTRICT);
  const chosen = scale === 'street' ? DEMO_STREETS.slice(0, 1) : DEMO_STREETS;
  const streets: StreetInfo[] = [];
  for (const { code, name } of chosen) streets.push(await createStreet(db, { code, name, districtCode: district.code }));
  return { district, streets };
}
