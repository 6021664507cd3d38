import { seededRandom } from '../sync/fault-proxy';
import type { ProfileName } from './network';

// A run is a seed turned into a scenario: how many stations, whether a station of another
// street watches, the batch size, and a list of operations. The list is plain data, fixed by
// the seed alone; which record an operation touches is picked when it runs (`pick` in [0,1)
// indexes the station's current rows), since ids are minted at run time.

export type WriteAction =
  | 'community'
  | 'grid'
  | 'gridRename'
  | 'gridHouseholds'
  | 'gridMove'
  | 'gridRetire'
  | 'person'
  | 'personEdit'
  | 'personResidentId'
  | 'assign'
  | 'endAssignment';

export type Op =
  | { kind: 'write'; station: number; action: WriteAction; pick: number[] }
  | { kind: 'sync'; station: number }
  /** every station of the street at once: the server serialises their pushes */
  | { kind: 'syncAll' }
  | { kind: 'profile'; station: number; profile: ProfileName }
  /** network down for the next `ops` operations (or until a heal) */
  | { kind: 'partition'; station: number | 'all'; ops: number }
  | { kind: 'heal'; station: number | 'all' }
  /** a person works through the station's open issues while the network misbehaves */
  | { kind: 'review'; station: number }
  /** a station of the street joins late: it bootstraps from a snapshot under faults */
  | { kind: 'join' }
  | { kind: 'otherStreetSync' };

export interface Scenario {
  seed: number;
  stations: number;
  otherStreet: boolean;
  batchStart: number;
  /** The fault profile each station starts with (after its enrollment). */
  profiles: ProfileName[];
  ops: Op[];
}

/**
 * What the writes are mostly about, and how many ops a run has. `roster`: the street's
 * everyday edits (the fixed CI seeds' mix; changing it changes every one of their scenarios).
 * `grids`: grids drawn, moved and retired while others give people duties on them, in longer
 * runs so a community has grids enough to move between: stations race over commands
 * (docs/sync-protocol.md "Commands"). `edits`: stations editing the same few grids and people
 * between syncs, so edits rest on stale versions: conflicts, and a person reviewing them. Its
 * runs start from two small grids and a micro grid every station holds, so two stations moving
 * the micro grid apart make a command's stale edit (a conflict the card cannot undo).
 */
type WriteOp = Extract<Op, { kind: 'write' }>;

interface MixSpec {
  ops: ScenarioLimits;
  /** Written on the station that made the community, then synced everywhere, before the ops. */
  setup?: readonly Pick<WriteOp, 'action' | 'pick'>[];
  writes: [WriteAction, number][];
}

/** Picks that make writes/createGrid draw a small grid with no parent, and a micro grid. */
const SMALL_GRID = { action: 'grid', pick: [0, 0.5, 0, 0.9] } as const satisfies Pick<WriteOp, 'action' | 'pick'>;
const MICRO_GRID = { action: 'grid', pick: [0, 0.9, 0, 0] } as const satisfies Pick<WriteOp, 'action' | 'pick'>;

export const MIXES = {
  roster: {
    ops: { minOps: 5, maxOps: 25 },
    writes: [
      ['community', 3],
      ['grid', 6],
      ['gridRename', 4],
      ['gridHouseholds', 2],
      ['gridMove', 1],
      ['gridRetire', 1],
      ['person', 6],
      ['personEdit', 5],
      ['personResidentId', 2],
      ['assign', 4],
      ['endAssignment', 1],
    ],
  },
  grids: {
    ops: { minOps: 20, maxOps: 40 },
    writes: [
      ['community', 1],
      ['grid', 8],
      ['gridRename', 1],
      ['gridMove', 4],
      ['gridRetire', 4],
      ['person', 2],
      ['assign', 5],
      ['endAssignment', 1],
    ],
  },
  edits: {
    ops: { minOps: 15, maxOps: 30 },
    setup: [SMALL_GRID, SMALL_GRID, MICRO_GRID],
    writes: [
      ['community', 1],
      ['grid', 2],
      ['gridRename', 5],
      ['gridHouseholds', 3],
      ['gridMove', 4],
      ['person', 2],
      ['personEdit', 8],
      ['personResidentId', 1],
    ],
  },
} satisfies Record<string, MixSpec>;
export type Mix = keyof typeof MIXES;

function weighted<T>(random: () => number, items: readonly [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let roll = random() * total;
  for (const [item, w] of items) {
    if (roll < w) return item;
    roll -= w;
  }
  return items[items.length - 1]![0];
}

const PROFILE_WEIGHTS: [ProfileName, number][] = [
  ['calm', 1],
  ['flaky', 3],
  ['hostile', 2],
  ['lossy', 2],
];

export interface ScenarioLimits {
  minOps: number;
  maxOps: number;
}

export function scenarioOf(seed: number, mix: Mix = 'roster', limits: ScenarioLimits = MIXES[mix].ops): Scenario {
  const writes: [WriteAction, number][] = MIXES[mix].writes;
  const random = seededRandom(seed ^ 0x5eed);
  const int = (n: number): number => Math.floor(random() * n);
  const stations = 2 + int(2);
  const otherStreet = random() < 0.3;
  const batchStart = weighted(random, [
    [1, 1],
    [3, 2],
    [50, 2],
  ]);
  const profiles = Array.from({ length: stations }, () => weighted(random, PROFILE_WEIGHTS));
  const count = limits.minOps + int(limits.maxOps - limits.minOps + 1);
  // every run starts with a community so most later writes have somewhere to go
  const first = int(stations);
  const ops: Op[] = [{ kind: 'write', station: first, action: 'community', pick: [0, random(), random()] }];
  const setup = (MIXES[mix] as MixSpec).setup ?? [];
  if (setup.length > 0) ops.push(...setup.map((w): Op => ({ kind: 'write', station: first, action: w.action, pick: [...w.pick] })), { kind: 'syncAll' });
  let joined = 0;
  while (ops.length < count) {
    const station = int(stations + joined);
    const kind = weighted(random, [
      ['write', 12],
      ['sync', 5],
      ['syncAll', 1.5],
      ['profile', 2.5],
      ['partition', 1],
      ['heal', 1],
      ['review', 0.7],
      ['join', joined < 1 ? 0.3 : 0],
      ['otherStreetSync', otherStreet ? 0.5 : 0],
    ] as const);
    switch (kind) {
      case 'write':
        ops.push({ kind, station, action: weighted(random, writes), pick: [random(), random(), random(), random()] });
        break;
      case 'sync':
      case 'review':
        ops.push({ kind, station });
        break;
      case 'profile':
        ops.push({ kind, station, profile: weighted(random, PROFILE_WEIGHTS) });
        break;
      case 'partition':
        ops.push({ kind, station: random() < 0.25 ? 'all' : station, ops: 1 + int(5) });
        break;
      case 'heal':
        ops.push({ kind, station: random() < 0.25 ? 'all' : station });
        break;
      case 'join':
        joined += 1;
        ops.push({ kind });
        break;
      case 'syncAll':
      case 'otherStreetSync':
        ops.push({ kind });
        break;
    }
  }
  return { seed, stations, otherStreet, batchStart, profiles, ops };
}

export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'write':
      return `S${op.station} ${op.action}`;
    case 'sync':
    case 'review':
      return `S${op.station} ${op.kind}`;
    case 'profile':
      return `S${op.station} faults=${op.profile}`;
    case 'partition':
      return `${op.station === 'all' ? 'all' : `S${op.station}`} partition for ${op.ops} ops`;
    case 'heal':
      return `${op.station === 'all' ? 'all' : `S${op.station}`} heal`;
    default:
      return op.kind;
  }
}
