import { beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../server/auth/devices';
import { pullAsDevice } from '../../server/sync/pull';
import { FACTORIES, twoStreetsFixture } from './harness';

// A pull is one database call (server migration 0005, server/sync/pull.ts): the statement
// timeout, the app role, the token's device and its street are set inside that one call and
// end with it, and the street's row-level security holds there as in a request transaction.

const hash = (n: number): string => n.toString(16).padStart(64, '0');

describe.each(FACTORIES)('the pull call on $name', (factory) => {
  const fx = twoStreetsFixture(factory, hash(1));

  beforeAll(async () => {
    await fx.t.db.query(
      `INSERT INTO device (id, street_id, name, token_hash, revoked_at) VALUES ('dev-b', $1, 'B', $2, NULL), ('dev-a-old', $3, 'A 旧', $4, now())`,
      [fx.b.id, hash(2), fx.a.id, hash(3)],
    );
  });

  it('sends several statements in one message: a setting made in one holds in the next, and ends with them', async () => {
    const inside = await fx.t.db.script<{ timeout: string; street: string }>(
      `SELECT set_config('statement_timeout', '4321', true), set_config('griddesk.street_id', 'x', true);
       SELECT current_setting('statement_timeout') AS timeout, current_setting('griddesk.street_id') AS street`,
    );
    expect(inside.rows).toEqual([{ timeout: '4321ms', street: 'x' }]);
    const after = await fx.t.db.query<{ street: string | null }>(`SELECT current_setting('griddesk.street_id', true) AS street`);
    expect(after.rows[0]?.street ?? '').toBe('');
  });

  it("gives a device its own street's changes in order, and none of another street's", async () => {
    const ownA = await pullAsDevice(fx.t.db, hash(1), 0, 1000, 5000);
    expect(ownA.changes.map((c) => c.id)).toContain(fx.communityA);
    expect(ownA.changes.map((c) => c.seq)).toEqual([...ownA.changes.map((c) => c.seq)].sort((x, y) => x - y));
    const ownB = await pullAsDevice(fx.t.db, hash(2), 0, 1000, 5000);
    expect(ownB.changes.some((c) => c.id === fx.communityA || c.id === fx.a.id)).toBe(false);
    expect(ownB.changes.length).toBeGreaterThan(0); // its own street unit and the district
    // pages: the cursor and hasMore as a transaction's pull gave them
    const first = await pullAsDevice(fx.t.db, hash(1), 0, 1, 5000);
    expect(first).toMatchObject({ hasMore: true, cursor: ownA.changes[0]!.seq });
    expect(await pullAsDevice(fx.t.db, hash(1), ownA.cursor, 1000, 5000)).toMatchObject({ changes: [], cursor: ownA.cursor, hasMore: false });
  });

  it('reads nothing for a revoked device or an unknown token, and says which', async () => {
    await expect(pullAsDevice(fx.t.db, hash(3), 0, 1000, 5000)).rejects.toEqual(new AuthError(401, 'device_revoked'));
    await expect(pullAsDevice(fx.t.db, hash(9), 0, 1000, 5000)).rejects.toEqual(new AuthError(401, 'unknown_token'));
    // at the database, not only in the code: the revoked device's row comes with no changes
    const revoked = await fx.t.db.script<{ device_id: string; seq: unknown }>(`SELECT * FROM griddesk_pull('${hash(3)}', 0, 1000)`);
    expect(revoked.rows).toEqual([expect.objectContaining({ device_id: 'dev-a-old', seq: null })]);
    expect((await fx.t.db.script(`SELECT * FROM griddesk_pull('${hash(9)}', 0, 1000)`)).rows).toEqual([]);
  });

  it('refuses values it cannot put into the statement safely', async () => {
    await expect(pullAsDevice(fx.t.db, `${hash(1).slice(1)}'`, 0, 1000, 5000)).rejects.toThrow(/bad arguments/);
    await expect(pullAsDevice(fx.t.db, hash(1), 0.5, 1000, 5000)).rejects.toThrow(/bad arguments/);
  });
});
