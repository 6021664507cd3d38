import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRecord } from '../../server/admin/admin';
import { withAppScope } from '../../server/db/scope';
import { applyPush } from '../../server/sync/apply';
import { community, FACTORIES, mutation, newStreet, openMigrated, pushBody, uid, type StreetFixture, type TestDb } from './harness';

// The second wall: queries that "forget" the street filter, run through a street's request
// transaction, still see only that street (and district reference rows) and cannot write
// another street's rows.
describe.each(FACTORIES)('row-level security on $name', (factory) => {
  let t: TestDb;
  let a: StreetFixture;
  let b: StreetFixture;
  const communityA = uid('org');

  beforeAll(async () => {
    t = await openMigrated(factory);
    a = await newStreet(t.db);
    b = await newStreet(t.db);
    // a device of street A writes a community through the ordinary push path
    await t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ('dev-a', $1, 'A', 'hash-a')`, [a.id]);
    const result = await applyPush(
      t.db,
      { id: 'dev-a', streetId: a.id, streetCode: a.code },
      pushBody([mutation(1, 'orgUnit', communityA, community(a, 1))]),
    );
    expect(result.rejected).toEqual([]);
  }, 30_000);
  afterAll(async () => t?.drop(), 30_000);

  it('a query without a street filter, in street B scope, returns none of street A', async () => {
    const rows = await withAppScope(t.db, { streetId: b.id }, async (tx) => {
      const who = await tx.query<{ u: string }>('SELECT current_user AS u');
      expect(who.rows[0]?.u).toBe('griddesk_app');
      return (await tx.query<{ id: string; street_id: string | null }>('SELECT * FROM record')).rows;
    });
    expect(rows.length).toBeGreaterThan(0); // B's own street unit and the district
    expect(rows.every((r) => r.street_id === b.id || r.street_id === null)).toBe(true);
    expect(rows.some((r) => r.id === communityA || r.id === a.id)).toBe(false);
    for (const table of ['change', 'device', 'street_seq', 'rejection', 'conflict', 'snapshot', 'enrollment_code']) {
      const leaked = await withAppScope(t.db, { streetId: b.id }, (tx) => tx.query<{ street_id: string }>(`SELECT street_id FROM ${table}`));
      expect(leaked.rows.filter((r) => r.street_id !== b.id), table).toEqual([]);
    }
  });

  it('in street A scope the same query sees A', async () => {
    const rows = await withAppScope(t.db, { streetId: a.id }, (tx) => tx.query<{ id: string }>('SELECT id FROM record'));
    expect(rows.rows.map((r) => r.id)).toContain(communityA);
  });

  it('without a street set, a request transaction sees no street rows at all', async () => {
    const rows = await withAppScope(t.db, {}, (tx) => tx.query<{ street_id: string | null }>('SELECT street_id FROM record'));
    expect(rows.rows.every((r) => r.street_id === null)).toBe(true);
  });

  it('an INSERT of a street-A row from B scope fails', async () => {
    await expect(
      withAppScope(t.db, { streetId: b.id }, (tx) =>
        tx.query(`INSERT INTO record (entity, id, street_id, data, version, created_seq) VALUES ('orgUnit', 'x-1', $1, '{}', 1, 1)`, [a.id]),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      withAppScope(t.db, { streetId: b.id }, (tx) =>
        tx.query(`INSERT INTO change (street_id, seq, entity, id, op, fields, version) VALUES ($1, 999, 'orgUnit', 'x', 'insert', '{}', 1)`, [
          a.id,
        ]),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    expect(await adminRecord(t.db, 'orgUnit', 'x-1')).toBeNull();
  });

  it('an UPDATE or DELETE without a filter from B scope leaves A untouched', async () => {
    await withAppScope(t.db, { streetId: b.id }, async (tx) => {
      await tx.query(`UPDATE record SET version = version + 100`);
      await tx.query(`UPDATE street_seq SET seq = seq + 100`);
    });
    await expect(withAppScope(t.db, { streetId: b.id }, (tx) => tx.query('DELETE FROM record'))).rejects.toMatchObject({ code: '42501' });
    const rowA = await adminRecord(t.db, 'orgUnit', communityA);
    expect(rowA?.version).toBe(1);
    // and B's street unit took the update (the filterless update only reached B)
    expect((await adminRecord(t.db, 'orgUnit', b.id))?.version).toBe(101);
  });

  it('moving a row to another street is refused', async () => {
    await expect(
      withAppScope(t.db, { streetId: a.id }, (tx) => tx.query(`UPDATE record SET street_id = $1 WHERE id = $2`, [b.id, communityA])),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
