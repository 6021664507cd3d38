import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../server/auth/devices';
import { applyPush } from '../../server/sync/apply';
import { pullAsDevice } from '../../server/sync/pull';
import { community, FACTORIES, mutation, newStreet, openMigrated, pushBody, uid, type StreetFixture, type TestDb } from './harness';

// A pull is one database call (server migration 0005, server/sync/pull.ts): the statement
// timeout, the app role, the token's device and its street are set inside that one call and
// end with it, and the street's row-level security holds there as in a request transaction.

const hash = (n: number): string => n.toString(16).padStart(64, '0');

describe.each(FACTORIES)('the pull call on $name', (factory) => {
  let t: TestDb;
  let a: StreetFixture;
  let b: StreetFixture;
  const communityA = uid('org');

  beforeAll(async () => {
    t = await openMigrated(factory);
    a = await newStreet(t.db);
    b = await newStreet(t.db);
    await t.db.query(
      `INSERT INTO device (id, street_id, name, token_hash, revoked_at) VALUES
         ('dev-a', $1, 'A', $3, NULL), ('dev-b', $2, 'B', $4, NULL), ('dev-a-old', $1, 'A 旧', $5, now())`,
      [a.id, b.id, hash(1), hash(2), hash(3)],
    );
    const pushed = await applyPush(t.db, { id: 'dev-a', streetId: a.id, streetCode: a.code }, pushBody([mutation(1, 'orgUnit', communityA, community(a, 1))]));
    expect(pushed.rejected).toEqual([]);
  }, 30_000);
  afterAll(async () => t?.drop(), 30_000);

  it('sends several statements in one message: a setting made in one holds in the next, and ends with them', async () => {
    const inside = await t.db.script<{ timeout: string; street: string }>(
      `SELECT set_config('statement_timeout', '4321', true), set_config('griddesk.street_id', 'x', true);
       SELECT current_setting('statement_timeout') AS timeout, current_setting('griddesk.street_id') AS street`,
    );
    expect(inside.rows).toEqual([{ timeout: '4321ms', street: 'x' }]);
    const after = await t.db.query<{ street: string | null }>(`SELECT current_setting('griddesk.street_id', true) AS street`);
    expect(after.rows[0]?.street ?? '').toBe('');
  });

  it("gives a device its own street's changes in order, and none of another street's", async () => {
    const ownA = await pullAsDevice(t.db, hash(1), 0, 1000, 5000);
    expect(ownA.changes.map((c) => c.id)).toContain(communityA);
    expect(ownA.changes.map((c) => c.seq)).toEqual([...ownA.changes.map((c) => c.seq)].sort((x, y) => x - y));
    const ownB = await pullAsDevice(t.db, hash(2), 0, 1000, 5000);
    expect(ownB.changes.some((c) => c.id === communityA || c.id === a.id)).toBe(false);
    expect(ownB.changes.length).toBeGreaterThan(0); // its own street unit and the district
    // pages: the cursor and hasMore as a transaction's pull gave them
    const first = await pullAsDevice(t.db, hash(1), 0, 1, 5000);
    expect(first).toMatchObject({ hasMore: true, cursor: ownA.changes[0]!.seq });
    expect(await pullAsDevice(t.db, hash(1), ownA.cursor, 1000, 5000)).toMatchObject({ changes: [], cursor: ownA.cursor, hasMore: false });
  });

  it('reads nothing for a revoked device or an unknown token, and says which', async () => {
    await expect(pullAsDevice(t.db, hash(3), 0, 1000, 5000)).rejects.toEqual(new AuthError(401, 'device_revoked'));
    await expect(pullAsDevice(t.db, hash(9), 0, 1000, 5000)).rejects.toEqual(new AuthError(401, 'unknown_token'));
    // at the database, not only in the code: the revoked device's row comes with no changes
    const revoked = await t.db.script<{ device_id: string; seq: unknown }>(`SELECT * FROM griddesk_pull('${hash(3)}', 0, 1000)`);
    expect(revoked.rows).toEqual([expect.objectContaining({ device_id: 'dev-a-old', seq: null })]);
    expect((await t.db.script(`SELECT * FROM griddesk_pull('${hash(9)}', 0, 1000)`)).rows).toEqual([]);
  });

  it('refuses values it cannot put into the statement safely', async () => {
    await expect(pullAsDevice(t.db, `${hash(1).slice(1)}'`, 0, 1000, 5000)).rejects.toThrow(/bad arguments/);
    await expect(pullAsDevice(t.db, hash(1), 0.5, 1000, 5000)).rejects.toThrow(/bad arguments/);
  });
});
