import demoDistrict from '../../resources/demo-district.json' with { type: 'json' };
import type { Rng } from './prng';

// Name material for plausible Chang'an data. Surnames are weighted by repetition: the
// most common ones appear more often, as they do in a real roster.

const SURNAMES = [
  ...'王王王王李李李李张张张张刘刘刘陈陈陈杨杨杨赵赵黄黄周周吴吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文樊',
];
const MALE_CHARS = [...'伟强军磊洋勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欣博文亮建国志红卫东海峰晨'];
const FEMALE_CHARS = [...'芳娜敏静丽艳娟霞秀玲桂英华燕萍红梅琳雪婷慧颖倩洁兰莉晶璐佳欣悦怡雯琴云凤丹玉'];

export function personName(rng: Rng, gender: 'male' | 'female'): string {
  const chars = gender === 'male' ? MALE_CHARS : FEMALE_CHARS;
  const given = rng.chance(0.7) ? rng.pick(chars) + rng.pick(chars) : rng.pick(chars);
  return rng.pick(SURNAMES) + given;
}

/** The 25 demo streets of Chang'an District, shared with the server's `admin import-demo`. */
export interface DemoStreet {
  code: string;
  name: string;
  mountain: boolean;
  urbanShare: number;
}

export const STREETS: readonly DemoStreet[] = demoDistrict.streets;

const URBAN = [...'东街西街南街北街韦曲航天文苑常宁樊川神禾滨河青年府东学府兴国凤栖杜城郭北新华长兴清凉紫薇'.match(/../g)!];
const VILLAGE_HEAD = [...'东西南北上下前后大小新'];
const VILLAGE_MID = [...'王李张杜韦刘申樊雷贾郭何周马姚'];
const VILLAGE_TAIL = ['村', '寨村', '堡村', '庄村', '家村'];

/** A community name not yet used in `taken` (village or urban community). */
export function communityName(rng: Rng, kind: 'village' | 'urban_community', taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const name =
      kind === 'urban_community'
        ? `${rng.pick(URBAN)}${attempt > 20 ? rng.pick(['一', '二', '三']) : ''}社区`
        : `${rng.pick(VILLAGE_HEAD)}${rng.pick(VILLAGE_MID)}${rng.pick(VILLAGE_TAIL)}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** Short form for grid names: 东街社区 -> 东街, 申店村 -> 申店. */
export const shortName = (community: string): string => community.replace(/(社区|村)$/, '');

export const CN_NUMBERS = [...'〇一二三四五六七八九十'];
export function cnNumber(n: number): string {
  if (n <= 10) return CN_NUMBERS[n]!;
  if (n < 20) return `十${CN_NUMBERS[n - 10]}`;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${CN_NUMBERS[tens]}十${ones ? CN_NUMBERS[ones] : ''}`;
}
