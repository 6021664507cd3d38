// mulberry32: a tiny, fast, seedable PRNG. Demo data must be the same for the same seed on
// every machine, which Math.random cannot give.

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
  };
}

/** Splits `total` into `buckets` near-equal parts; which buckets get the remainder is random. */
export function spread(rng: Rng, total: number, buckets: number): number[] {
  if (buckets <= 0) return [];
  const parts = new Array<number>(buckets).fill(Math.floor(total / buckets));
  const order = [...parts.keys()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let r = 0; r < total % buckets; r++) parts[order[r]!]!++;
  return parts;
}
