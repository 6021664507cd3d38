import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDistrict, createStreet } from '../../server/admin/admin';
import { DatabaseFromTheFuture, migrate, schemaVersion } from '../../server/db/migrate';
import { MIGRATIONS } from '../../server/db/migrations';
import { openPg } from '../../server/db/pg';
import { findByGrid } from '../../server/sync/records';
import { resentOutcomes } from '../../server/sync/resent';
import { createPgDatabase, FACTORIES, type TestDb } from './harness';

describe.each(FACTORIES)('migrations on $name', (factory) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await factory.open();
  }, 30_000);
  afterAll(async () => t?.drop(), 30_000);

  it('applies every migration in order, one at a time, on an empty database', async () => {
    for (const [i, m] of MIGRATIONS.entries()) {
      const reached = await migrate(t.db, MIGRATIONS.slice(0, i + 1));
      expect(reached).toBe(m.version);
      expect(await schemaVersion(t.db)).toBe(m.version);
    }
  });

  it('creates the tables, the roles and forced row-level security', async () => {
    const tables = await t.db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname`,
    );
    const byName = new Map(tables.rows.map((r) => [r.relname, r]));
    for (const name of ['record', 'change', 'device', 'street_seq', 'rejection', 'conflict', 'snapshot', 'enrollment_code']) {
      expect(byName.get(name), name).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    }
    for (const name of ['district', 'street', 'schema_migrations']) expect(byName.has(name), name).toBe(true);
    const roles = await t.db.query<{ rolname: string; rolbypassrls: boolean; rolsuper: boolean }>(
      `SELECT rolname, rolbypassrls, rolsuper FROM pg_roles WHERE rolname IN ('griddesk_app', 'griddesk_admin') ORDER BY rolname`,
    );
    expect(roles.rows).toEqual([
      { rolname: 'griddesk_admin', rolbypassrls: false, rolsuper: false },
      { rolname: 'griddesk_app', rolbypassrls: false, rolsuper: false },
    ]);
    const owners = await t.db.query<{ owner: string }>(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'record'`);
    expect(owners.rows[0]?.owner).not.toBe('griddesk_app');
  });

  it('is a no-op when run again', async () => {
    const before = await schemaVersion(t.db);
    expect(await migrate(t.db)).toBe(before);
    const rows = await t.db.query('SELECT version FROM schema_migrations');
    expect(rows.rows).toHaveLength(MIGRATIONS.length);
  });

  it('refuses a database from a newer server', async () => {
    await t.db.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')`);
    await expect(migrate(t.db)).rejects.toBeInstanceOf(DatabaseFromTheFuture);
    await t.db.query('DELETE FROM schema_migrations WHERE version = 999');
    expect(await migrate(t.db)).toBe(MIGRATIONS.at(-1)?.version);
  });

  /** A database migrated up to `version`, with a street and a way to write its records as they were then; dropped after. */
  async function upTo(version: number, body: (old: TestDb, streetId: string, insert: (entity: string, id: string, data: object) => Promise<unknown>) => Promise<void>) {
    const old = await factory.open();
    try {
      await migrate(old.db, MIGRATIONS.filter((m) => m.version <= version));
      await createDistrict(old.db, { code: '610116000000', name: '长安区' });
      const street = await createStreet(old.db, { code: '610116001000', name: '韦曲街道' });
      const insert = (entity: string, id: string, data: object) =>
        old.db.query(`INSERT INTO record (entity, id, street_id, data, version, created_seq) VALUES ($1, $2, $3, $4::jsonb, 1, 1)`, [
          entity,
          id,
          street.id,
          JSON.stringify(data),
        ]);
      await body(old, street.id, insert);
    } finally {
      await old.drop();
    }
  }

  it('0003 keeps the business-unique values of records written before it, and their uniqueness', async () => {
    await upTo(2, async (old, streetId, insert) => {
      await insert('person', 'p-1', { name: '王芳', residentId: '610116199001011234' });
      await insert('person', 'p-2', { name: '李雷', residentId: null });
      await insert('person', 'p-3', { name: '赵敏', residentId: 610116 }); // not text: as the old index read it
      await insert('person', 'p-4', { name: '周杰' });
      await insert('orgUnit', 'o-1', { name: '南街社区', code: '610116001001' });
      await insert('gridUnit', 'g-1', { name: '一网格', code: '6101160010011001', residentId: 'ignored' });
      await migrate(old.db);
      const values = await old.db.query<{ id: string; unique_value: string | null }>(`SELECT id, unique_value FROM record WHERE street_id = $1 AND id LIKE '_-_' ORDER BY id`, [
        streetId,
      ]);
      expect(values.rows).toEqual([
        { id: 'g-1', unique_value: '6101160010011001' },
        { id: 'o-1', unique_value: '610116001001' },
        { id: 'p-1', unique_value: '610116199001011234' },
        { id: 'p-2', unique_value: null },
        { id: 'p-3', unique_value: '610116' },
        { id: 'p-4', unique_value: null },
      ]);
      await expect(insert('person', 'p-5', { name: '韩梅梅', residentId: '610116199001011234' })).rejects.toMatchObject({ constraint: 'record_person_resident_id' });
      await expect(insert('orgUnit', 'o-2', { name: '北街社区', code: '610116001001' })).rejects.toMatchObject({ constraint: 'record_org_code' });
      await expect(insert('gridUnit', 'g-2', { name: '二网格', code: '6101160010011001' })).rejects.toMatchObject({ constraint: 'record_grid_code' });
      // no resident ID twice is no clash; a grid code equal to an org code is none either
      await insert('person', 'p-6', { name: '张伟', residentId: null });
      await insert('gridUnit', 'g-3', { name: '三网格', code: '610116001001' });
    });
  });

  it('0004 gives records written before it their grid reference, and a command finds them by it', async () => {
    await upTo(3, async (old, streetId, insert) => {
      await insert('gridUnit', 'g-1', { code: '6101160010013001', parentId: null });
      await insert('gridUnit', 'g-2', { code: '6101160010013001001', parentId: 'g-1' });
      await insert('assignment', 'a-1', { gridId: 'g-1', orgUnitId: null });
      await insert('assignment', 'a-2', { gridId: null, orgUnitId: 'o-1' });
      await insert('person', 'p-1', { name: '王芳', gridId: 'g-1' }); // not a reference of a person's
      await migrate(old.db);
      const refs = await old.db.query<{ id: string; grid_ref: string | null }>(`SELECT id, grid_ref FROM record WHERE street_id = $1 AND id LIKE '_-_' ORDER BY id`, [streetId]);
      expect(refs.rows).toEqual([
        { id: 'a-1', grid_ref: 'g-1' },
        { id: 'a-2', grid_ref: null },
        { id: 'g-1', grid_ref: null },
        { id: 'g-2', grid_ref: 'g-1' },
        { id: 'p-1', grid_ref: null },
      ]);
      expect((await findByGrid(old.db, 'gridUnit', streetId, 'g-1')).map((r) => r.id)).toEqual(['g-2']);
      expect((await findByGrid(old.db, 'assignment', streetId, 'g-1')).map((r) => r.id)).toEqual(['a-1']);
    });
  });

  it('0007 answers a refusal stored before it as before: the refused record as it is now, and no winner', async () => {
    await upTo(6, async (old, streetId, insert) => {
      await insert('orgUnit', 'o-1', { name: '南街社区', code: '610116001001' });
      await old.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ('dev-1', $1, '一号机', 'h-1')`, [streetId]);
      await old.db.query(
        `INSERT INTO rejection (street_id, device_id, mid, entity, record_id, reason) VALUES ($1, 'dev-1', 5, 'orgUnit', 'o-1', 'org.code_taken')`,
        [streetId],
      );
      await migrate(old.db);
      const resent = { mid: 5, entity: 'orgUnit', id: 'o-1', op: 'update', fields: {}, baseVersion: 1, at: '2026-11-29T00:00:00Z' } as const;
      const { rejected } = await resentOutcomes(old.db, 'dev-1', [resent], 5);
      expect(rejected).toEqual([
        { mid: 5, entity: 'orgUnit', id: 'o-1', reason: 'org.code_taken', serverRecord: expect.objectContaining({ id: 'o-1', name: '南街社区' }), conflictingRecord: null },
      ]);
    });
  });

  it('rolls a failing migration back completely', async () => {
    const broken = [...MIGRATIONS, { version: 1000, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
    await expect(migrate(t.db, broken)).rejects.toThrow();
    expect(await schemaVersion(t.db)).toBe(MIGRATIONS.at(-1)?.version);
    const half = await t.db.query(`SELECT 1 FROM pg_class WHERE relname = 'half_done'`);
    expect(half.rows).toHaveLength(0);
  });
});

describe.skipIf(process.env.GRIDDESK_SKIP_PG === '1')('migrations started together on PostgreSQL', () => {
  it('four servers migrating one empty database at once all succeed', async () => {
    const created = await createPgDatabase();
    const dbs = [0, 1, 2, 3].map(() => openPg(created.url, { max: 1 }));
    try {
      // connected first, so the four migrations really start at the same moment
      await Promise.all(dbs.map((db) => db.query('SELECT 1')));
      const reached = await Promise.all(dbs.map((db) => migrate(db)));
      expect(new Set(reached)).toEqual(new Set([MIGRATIONS.at(-1)?.version]));
      const rows = await dbs[0]!.query('SELECT version FROM schema_migrations');
      expect(rows.rows).toHaveLength(MIGRATIONS.length);
    } finally {
      for (const db of dbs) await db.close();
      await created.drop();
    }
  }, 30_000);
});
