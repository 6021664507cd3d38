import type { Db } from '../db/db';
import { createDistrict, createStreet, type DistrictInfo, type StreetInfo } from './admin';

// The demo district: 长安区 (Xi'an, county code 610116) and its streets. The 9-digit street
// codes here are the demo's own sequence, not the official statistical codes.
export const DEMO_DISTRICT = { code: '610116000000', name: '长安区' } as const;

export const DEMO_STREETS: readonly string[] = [
  '韦曲街道', '郭杜街道', '滦镇街道', '引镇街道', '王寺街道', '马王街道', '太乙宫街道', '东大街道', '子午街道',
  '五台街道', '杨庄街道', '大兆街道', '鸣犊街道', '王莽街道', '王曲街道', '黄良街道', '兴隆街道', '细柳街道',
  '斗门街道', '灵沼街道', '高桥街道', '五星街道', '魏寨街道', '砲里街道', '内苑街道',
];

export function demoStreetCode(index: number): string {
  return `610116${String(index + 1).padStart(3, '0')}000`;
}

export async function importDemo(db: Db, scale: 'street' | 'district'): Promise<{ district: DistrictInfo; streets: StreetInfo[] }> {
  const district = await createDistrict(db, DEMO_DISTRICT);
  const names = scale === 'street' ? DEMO_STREETS.slice(0, 1) : DEMO_STREETS;
  const streets: StreetInfo[] = [];
  for (const [i, name] of names.entries()) streets.push(await createStreet(db, { code: demoStreetCode(i), name, districtCode: district.code }));
  return { district, streets };
}
