import { seededRandom, startFaultProxy, type FaultAction, type FaultProxy, type FaultRequest } from '../sync/fault-proxy';

// One link per station: its own fault proxy in front of the server, with its own seeded
// random stream. A station runs one cycle at a time (the scenario does not start background
// sync) and within it at most two pushes at once, the second sent 10 ms after the first so
// that it reaches the proxy second (electron/sync/push.ts): the faults a station sees depend
// only on the seed and on that station's own request order, not on how stations interleave.

export type FaultKind = 'reset' | 'lose' | 'truncate' | 'duplicate' | 'delay' | 'hang' | 's500' | 's502' | 's503' | 's413';

/** Probability of each fault per request; the rest pass. */
export type FaultRates = Partial<Record<FaultKind, number>>;

export const PROFILES: Record<'calm' | 'flaky' | 'hostile' | 'lossy', FaultRates> = {
  calm: {},
  flaky: { reset: 0.04, lose: 0.06, truncate: 0.03, duplicate: 0.05, delay: 0.08, s500: 0.02, s502: 0.02, s503: 0.04, s413: 0.02, hang: 0.005 },
  hostile: { reset: 0.1, lose: 0.12, truncate: 0.06, duplicate: 0.08, delay: 0.05, s500: 0.04, s503: 0.06, s413: 0.04, hang: 0.01 },
  // replies vanish after the server did the work: the exactly-once path
  lossy: { lose: 0.25, duplicate: 0.15, truncate: 0.1 },
};

export type ProfileName = keyof typeof PROFILES;

function action(kind: FaultKind, random: () => number): FaultAction {
  switch (kind) {
    case 'reset':
      return { kind: 'reset' };
    case 'lose':
      return { kind: 'lose-response' };
    case 'truncate':
      return { kind: 'truncate', bytes: Math.floor(random() * 120) };
    case 'duplicate':
      return { kind: 'duplicate' };
    case 'delay':
      return { kind: 'delay', ms: Math.floor(random() * 40) };
    case 'hang':
      return { kind: 'hang' };
    case 's500':
      return { kind: 'status', status: 500, body: { error: { code: 'internal', reason: 'injected' } } };
    case 's502':
      return { kind: 'status', status: 502 };
    case 's503':
      return { kind: 'status', status: 503 };
    case 's413':
      return { kind: 'status', status: 413 };
  }
}

export interface Link {
  name: string;
  url: string;
  profile: ProfileName;
  partitioned: boolean;
  setProfile(profile: ProfileName): void;
  /** Network down: every request is reset and open connections are cut. */
  partition(): void;
  /** Back to a calm network (the final drain). */
  heal(): void;
  /** Faults actually injected, for the failure trace. */
  readonly injected: string[];
  /** Every request the link carried and what it did with it, for a HUNG report. */
  requests(): FaultProxy['log'];
  close(): Promise<void>;
}

export async function openLink(target: string, seed: number, name: string): Promise<Link> {
  const random = seededRandom(seed);
  const injected: string[] = [];
  let proxy: FaultProxy | null = null;
  const link: Link = {
    name,
    url: '',
    profile: 'calm',
    partitioned: false,
    setProfile(profile) {
      link.profile = profile;
    },
    partition() {
      link.partitioned = true;
      proxy?.dropConnections();
    },
    heal() {
      link.partitioned = false;
      link.profile = 'calm';
    },
    injected,
    requests: () => proxy?.log ?? [],
    close: () => proxy?.close() ?? Promise.resolve(),
  };
  const rule = (r: FaultRequest): FaultAction | undefined => {
    if (link.partitioned) {
      injected.push(`${name} ${r.method} ${r.path} partitioned`);
      return { kind: 'reset' };
    }
    // enrollment is set-up, not the system under test
    if (r.path === '/v1/enroll') return undefined;
    // one draw per request whatever the profile, so changing profile keeps the stream aligned
    let roll = random();
    for (const [kind, rate] of Object.entries(PROFILES[link.profile]) as [FaultKind, number][]) {
      if (roll < rate) {
        const a = action(kind, random);
        injected.push(`${name} ${r.method} ${r.path.replace(/\?.*/, '')} ${kind}`);
        return a;
      }
      roll -= rate;
    }
    return undefined;
  };
  proxy = await startFaultProxy(target, rule);
  link.url = proxy.url;
  return link;
}
