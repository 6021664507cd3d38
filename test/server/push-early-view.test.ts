import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mutation, PushResponse } from '../../core/sync/protocol';
import { withAdmin } from '../../server/db/scope';
import { applyPush, type PushDevice } from '../../server/sync/apply';
import { BatchStore } from '../../server/sync/batch-store';
import { REASONS } from '../../server/sync/rejection';
import { community, mutation, newStreet, openMigrated, person, pgFactory, pushBody, uid, type TestDb } from './harness';

// The batch path reads what a push needs BEFORE it takes the street lock, then checks the change
// log in between (BatchStore.stillCurrent): a write of another device that committed meanwhile
// must be decided against exactly as if the batch had read under the lock. Two connections are
// needed (the other device commits while this push waits), so this runs on PostgreSQL only.

const RESIDENT_A = '11010519491231002X';
const RESIDENT_B = '110105194912310038';

describe.skipIf(process.env.GRIDDESK_SKIP_PG === '1')('a push whose early reads another device overtakes', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openMigrated(pgFactory);
  }, 30_000);
  afterAll(async () => t?.drop(), 30_000);

  /** A street with two devices and a community; `push(d, …)` sends with that device's next mids. */
  async function street() {
    const s = await newStreet(t.db);
    const devices: PushDevice[] = [];
    for (const n of [0, 1]) {
      const id = uid(`dev${n}`);
      await t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ($1, $2, 'x', $3)`, [id, s.id, `hash-${id}`]);
      devices.push({ id, streetId: s.id, streetCode: s.code });
    }
    const mids: [number, number] = [0, 0];
    const fallbacks: string[] = [];
    const push = (d: 0 | 1, build: (mid: () => number) => Mutation[], beforeLock?: () => Promise<unknown>): Promise<PushResponse> => {
      const mutations = build(() => (mids[d] += 1));
      return applyPush(t.db, devices[d]!, pushBody(mutations), {
        onFallback: (reason) => fallbacks.push(reason),
        beforeLock: beforeLock && (async () => void (await beforeLock())),
      });
    };
    const orgId = uid('org');
    await push(1, (mid) => [mutation(mid(), 'orgUnit', orgId, community(s, 1))]);
    const record = (id: string) =>
      withAdmin(t.db, async (tx) => (await tx.query<{ data: Record<string, unknown>; version: number }>(`SELECT data, version FROM record WHERE entity = 'person' AND id = $1`, [id])).rows[0]);
    return { s, orgId, push, fallbacks, record };
  }

  it('uses the early view when what committed meanwhile touched none of its records', async () => {
    const { s, orgId, push, fallbacks, record } = await street();
    const x = uid('p');
    await push(1, (mid) => [mutation(mid(), 'person', x, person(s, orgId, '王芳'))]);
    const preload = vi.spyOn(BatchStore, 'preload');
    try {
      const reply = await push(
        0,
        (mid) => [mutation(mid(), 'person', x, { phone: '13900139000' }, 'update', 1)],
        () => push(1, (mid) => [mutation(mid(), 'person', uid('p'), person(s, orgId, '李强'))]),
      );
      expect(reply).toMatchObject({ rejected: [], conflicts: [] });
      // once for each push's early view: nothing was read again under the lock
      expect(preload).toHaveBeenCalledTimes(2);
    } finally {
      preload.mockRestore();
    }
    expect(await record(x)).toMatchObject({ version: 2, data: { phone: '13900139000' } });
    expect(fallbacks).toEqual([]);
  });

  it('an edit of the same record meanwhile: the later one overwrites it and logs the conflict', async () => {
    const { s, orgId, push, fallbacks, record } = await street();
    const x = uid('p');
    await push(1, (mid) => [mutation(mid(), 'person', x, person(s, orgId, '王芳'))]);
    const reply = await push(
      0,
      (mid) => [mutation(mid(), 'person', x, { phone: '13900139000' }, 'update', 1)],
      () => push(1, (mid) => [mutation(mid(), 'person', x, { phone: '13700137000', status: 'left' }, 'update', 1)]),
    );
    expect(reply.rejected).toEqual([]);
    expect(reply.conflicts).toEqual([expect.objectContaining({ id: x, baseVersion: 1, serverVersion: 2, overwritten: { phone: '13700137000' } })]);
    expect(await record(x)).toMatchObject({ version: 3, data: { phone: '13900139000', status: 'left' } });
    expect(fallbacks).toEqual([]);
  });

  it('a resident ID taken meanwhile: the insert that also sets it is rejected with the holder', async () => {
    const { s, orgId, push, fallbacks, record } = await street();
    const mine = uid('p');
    const theirs = uid('p');
    const reply = await push(
      0,
      (mid) => [mutation(mid(), 'person', mine, person(s, orgId, '王芳', RESIDENT_A))],
      () => push(1, (mid) => [mutation(mid(), 'person', theirs, person(s, orgId, '李强', RESIDENT_A))]),
    );
    // for an insert the holder comes back as the server record
    expect(reply.rejected).toEqual([expect.objectContaining({ id: mine, reason: REASONS.residentIdTaken, serverRecord: expect.objectContaining({ id: theirs }) })]);
    expect(await record(mine)).toBeUndefined();
    expect(fallbacks).toEqual([]);
  });

  it('a resident ID given up meanwhile: the insert that sets it is applied', async () => {
    const { s, orgId, push, fallbacks, record } = await street();
    const holder = uid('p');
    await push(1, (mid) => [mutation(mid(), 'person', holder, person(s, orgId, '李强', RESIDENT_B))]);
    const mine = uid('p');
    const reply = await push(
      0,
      (mid) => [mutation(mid(), 'person', mine, person(s, orgId, '王芳', RESIDENT_B))],
      () => push(1, (mid) => [mutation(mid(), 'person', holder, { residentId: null }, 'update', 1)]),
    );
    expect(reply).toMatchObject({ rejected: [], conflicts: [] });
    expect(await record(mine)).toMatchObject({ version: 1, data: { residentId: RESIDENT_B } });
    expect(fallbacks).toEqual([]);
  });
});
