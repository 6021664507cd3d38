import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../core/sync/protocol';
import { checkServer, checkStation, serverView } from '../faults/check';
import type { FaultAction } from './fault-proxy';
import { behindFaultProxy, communityCode, enrolledStation, newStreet, startDistrict, type StreetFixture, type SyncStation } from './harness';

// Two push batches in flight at once (electron/sync/push.ts): the second carries the first one's
// last mid as prevMid, and the server applies it only behind the first. Batches of 4 here, so a
// few edits make several batches; the proxy fails one chosen request of a pipelined pair.

const fx = behindFaultProxy(() => startDistrict());

interface Pushed {
  mids: number[];
  prevMid: number | undefined;
}

/** Records every push body; `fault` picks what happens to the push with that index (0-based). */
function watchPushes(fault: (index: number, push: Pushed) => FaultAction | undefined = () => undefined): Pushed[] {
  const pushes: Pushed[] = [];
  fx.proxy.setRule((r) => {
    if (r.path !== '/v1/push') return undefined;
    const body = r.json() as { mutations: Mutation[]; prevMid?: number };
    const push = { mids: body.mutations.map((m) => m.mid), prevMid: body.prevMid };
    pushes.push(push);
    return fault(pushes.length - 1, push);
  });
  return pushes;
}

async function station(street: StreetFixture, name = '工作站'): Promise<SyncStation> {
  const s = await enrolledStation(fx.server, street, { serverUrl: fx.proxy.url, batchStart: 4, name });
  fx.stations.push(s);
  return s;
}

async function edits(s: SyncStation, street: StreetFixture, people: number, code = 1): Promise<void> {
  const c = await s.call('org.create', { code: communityCode(street, code), name: `社区${code}`, level: 'community', kind: 'urban_community', parentId: street.id });
  for (let i = 0; i < people; i++) await s.call('people.create', { name: `居民${i}`, orgUnitId: c.id, note: null });
}

/** Every mutation of the station applied or rejected exactly once, marked so, and nothing left pending. */
async function everythingOnce(s: SyncStation, street: StreetFixture): Promise<void> {
  const view = await serverView(fx.server.db, street.id);
  expect(checkServer(view)).toEqual([]);
  expect(checkStation('station', s, view)).toEqual([]);
  const mids = (s.ctx.db.prepare('SELECT seq FROM change_log ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
  const deviceId = s.engine.enrollment()!.deviceId;
  const applied = view.changes.filter((c) => c.deviceId === deviceId).map((c) => c.mid);
  const rejected = view.rejections.filter((r) => r.deviceId === deviceId).map((r) => r.mid);
  expect([...applied, ...rejected].sort((a, b) => Number(a) - Number(b))).toEqual(mids);
  expect(s.engine.status()).toMatchObject({ pending: 0, quarantined: 0, issues: { quarantine: 0 } });
}

describe('pipelined push', () => {
  it('keeps two batches in flight, each naming the one ahead, in mid order', async () => {
    const street = await newStreet(fx.server.db);
    const s = await station(street);
    await edits(s, street, 15);
    const pushes = watchPushes();
    await s.engine.syncNow();
    fx.proxy.setRule(null);
    // Under load the second batch of a pair can still reach the server first and draw a 409,
    // then goes again alone: the exact sequence may repeat a batch, never break these rules.
    expect(pushes.every((p) => p.mids.length === 4)).toBe(true);
    const mids = [...new Set(pushes.flatMap((p) => p.mids))];
    expect(mids).toEqual(mids.toSorted((a, b) => a - b));
    expect(mids).toHaveLength(16);
    // each pipelined batch names the one ahead of it: the mids just before its own
    const named = pushes.filter((p) => p.prevMid !== undefined);
    expect(named.length).toBeGreaterThanOrEqual(2);
    for (const p of named) expect(p.prevMid).toBe(p.mids[0]! - 1);
    await everythingOnce(s, street);
  });

  for (const [what, action] of [
    ['a 503', { kind: 'status', status: 503 }],
    ['a dropped connection', { kind: 'reset' }],
  ] as const) {
    it(`loses nothing when the first of two batches in flight meets ${what}`, async () => {
      const street = await newStreet(fx.server.db);
      const s = await station(street);
      await edits(s, street, 15);
      // the second batch fails while the third (prevMid = its last mid) is on its way
      const pushes = watchPushes((i) => (i === 1 ? action : undefined));
      await expect(s.engine.syncNow()).rejects.toThrow();
      expect(pushes[2]!.prevMid).toBe(pushes[1]!.mids.at(-1));
      // the first batch is acked, the second and third are not: the third got a 409
      expect(s.engine.status()).toMatchObject({ pending: 12, issues: { rejection: 0, conflict: 0, quarantine: 0 } });
      watchPushes();
      await s.engine.syncNow();
      fx.proxy.setRule(null);
      expect(s.engine.status().lastError).toBeNull();
      await everythingOnce(s, street);
    });
  }

  it('resends a batch whose reply was lost behind one that succeeded, and still reports its rejection', async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street, 'A');
    const b = await station(street, 'B');
    // both create community 1 offline; A's arrives first, so B's insert is refused
    await edits(a, street, 0);
    await edits(b, street, 0);
    await a.engine.syncNow();
    await edits(b, street, 6, 2);
    const pushes = watchPushes((i) => (i === 0 ? { kind: 'lose-response' } : undefined));
    // the second batch succeeded, so the server had the first: the cycle goes on and resends it
    await b.engine.syncNow();
    fx.proxy.setRule(null);
    expect(pushes[1]!.prevMid).toBe(pushes[0]!.mids.at(-1));
    expect(pushes[2]!.mids.slice(0, 4)).toEqual(pushes[0]!.mids);
    expect(b.engine.status()).toMatchObject({ pending: 0, rejected: 1, issues: { rejection: 1 }, lastError: null });
    await everythingOnce(b, street);
  });

  it("does not take a reply's ackedThrough past its own batch as news about the next one", async () => {
    const street = await newStreet(fx.server.db);
    const a = await station(street, 'A');
    const b = await station(street, 'B');
    await edits(b, street, 3, 2);
    // B's community 1 (the second batch) is refused: A's arrives first
    await edits(a, street, 0);
    await edits(b, street, 0);
    await a.engine.syncNow();
    // what a re-sent first batch answers once the second landed behind it (a duplicated request)
    const { last } = b.ctx.db.prepare('SELECT max(seq) AS last FROM change_log').get() as { last: number };
    const acksNext = (body: Buffer): Buffer => Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString('utf8')) as object), ackedThrough: last }));
    const pushes = watchPushes((i) => (i === 0 ? { kind: 'rewrite', edit: acksNext } : undefined));
    await b.engine.syncNow();
    fx.proxy.setRule(null);
    expect(pushes[1]).toEqual({ mids: [last], prevMid: pushes[0]!.mids.at(-1) });
    expect(b.engine.status()).toMatchObject({ pending: 0, rejected: 1, issues: { rejection: 1 }, lastError: null });
    await everythingOnce(b, street);
  });
});
