import { describe, expect, it } from 'vitest';
import { adminRecord } from '../../server/admin/admin';
import { withAppScope } from '../../server/db/scope';
import { FACTORIES, twoStreetsFixture } from './harness';

// The second wall: queries that "forget" the street filter, run through a street's request
// transaction, still see only that street (and district reference rows) and cannot write
// another street's rows.
describe.each(FACTORIES)('row-level security on $name', (factory) => {
  // a device of street A wrote a community through the ordinary push path
  const fx = twoStreetsFixture(factory, 'hash-a');

  it('a query without a street filter, in street B scope, returns none of street A', async () => {
    const rows = await withAppScope(fx.t.db, { streetId: fx.b.id }, async (tx) => {
      const who = await tx.query<{ u: string }>('SELECT current_user AS u');
      expect(who.rows[0]?.u).toBe('griddesk_app');
      return (await tx.query<{ id: string; street_id: string | null }>('SELECT * FROM record')).rows;
    });
    expect(rows.length).toBeGreaterThan(0); // B's own street unit and the district
    expect(rows.every((r) => r.street_id === fx.b.id || r.street_id === null)).toBe(true);
    expect(rows.some((r) => r.id === fx.communityA || r.id === fx.a.id)).toBe(false);
    for (const table of ['change', 'device', 'street_seq', 'rejection', 'conflict', 'snapshot', 'enrollment_code']) {
      const leaked = await withAppScope(fx.t.db, { streetId: fx.b.id }, (tx) => tx.query<{ street_id: string }>(`SELECT street_id FROM ${table}`));
      expect(leaked.rows.filter((r) => r.street_id !== fx.b.id), table).toEqual([]);
    }
  });

  it('in street A scope the same query sees A', async () => {
    const rows = await withAppScope(fx.t.db, { streetId: fx.a.id }, (tx) => tx.query<{ id: string }>('SELECT id FROM record'));
    expect(rows.rows.map((r) => r.id)).toContain(fx.communityA);
  });

  it('without a street set, a request transaction sees no street rows at all', async () => {
    const rows = await withAppScope(fx.t.db, {}, (tx) => tx.query<{ street_id: string | null }>('SELECT street_id FROM record'));
    expect(rows.rows.every((r) => r.street_id === null)).toBe(true);
  });

  it('an INSERT of a street-A row from B scope fails', async () => {
    await expect(
      withAppScope(fx.t.db, { streetId: fx.b.id }, (tx) =>
        tx.query(`INSERT INTO record (entity, id, street_id, data, version, created_seq) VALUES ('orgUnit', 'x-1', $1, '{}', 1, 1)`, [fx.a.id]),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      withAppScope(fx.t.db, { streetId: fx.b.id }, (tx) =>
        tx.query(`INSERT INTO change (street_id, seq, entity, id, op, fields, version) VALUES ($1, 999, 'orgUnit', 'x', 'insert', '{}', 1)`, [
          fx.a.id,
        ]),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    expect(await adminRecord(fx.t.db, 'orgUnit', 'x-1')).toBeNull();
  });

  it('an UPDATE or DELETE without a filter from B scope leaves A untouched', async () => {
    await withAppScope(fx.t.db, { streetId: fx.b.id }, async (tx) => {
      await tx.query(`UPDATE record SET version = version + 100`);
      await tx.query(`UPDATE street_seq SET seq = seq + 100`);
    });
    await expect(withAppScope(fx.t.db, { streetId: fx.b.id }, (tx) => tx.query('DELETE FROM record'))).rejects.toMatchObject({ code: '42501' });
    const rowA = await adminRecord(fx.t.db, 'orgUnit', fx.communityA);
    expect(rowA?.version).toBe(1);
    // and B's street unit took the update (the filterless update only reached B)
    expect((await adminRecord(fx.t.db, 'orgUnit', fx.b.id))?.version).toBe(101);
  });

  it('moving a row to another street is refused', async () => {
    await expect(
      withAppScope(fx.t.db, { streetId: fx.a.id }, (tx) => tx.query(`UPDATE record SET street_id = $1 WHERE id = $2`, [fx.b.id, fx.communityA])),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
