import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso, type Queryable } from '../../server/db/db';
import { withAdmin, withAppScope } from '../../server/db/scope';
import { chunkQuery, createSnapshot } from '../../server/sync/snapshot';
import { FACTORIES, newStreet, openMigrated, type StreetFixture, type TestDb } from './harness';

// A snapshot chunk is a key range of the street's records, and serving it must read about the
// pages its own records lie on, wherever the range lies: at the start of an entity, inside one,
// across entity boundaries, at the end. With row comparisons as its bounds, PostgreSQL before 18 read
// the index from the chunk's start to the end of its entity, so the early chunks of a street's
// people walked nearly all of them (PGlite, PostgreSQL 18, did not); with its ranges joined by
// OR, the last chunk and those crossing an entity boundary read the whole street's index. The chunks'
// contents are tested through the HTTP API in read.test.ts; this looks at what reading each one
// costs, in PostgreSQL's own account of the statement, with the planner's default settings.

const PEOPLE = 20_000;
const GRIDS = 300;
const CHUNK = 500;

interface PlanNode {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
}

/** Buffers the chunk's statement touched, in PostgreSQL's own account of running it. */
async function blocksRead(tx: Queryable, query: { text: string; params: unknown[] }): Promise<number> {
  const row = (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.text}`, query.params)).rows[0]!;
  const raw = row['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const top = plan[0]!.Plan;
  return (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0);
}

async function seedPeople(tx: Queryable, street: StreetFixture, count: number): Promise<void> {
  // ids in creation order, as the stations' UUIDv7s are
  await tx.query(
    `INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
     SELECT 'person', 'p-' || lpad(i::text, 8, '0'), $1::text,
            jsonb_build_object('name', '居民' || i, 'gender', 'female', 'phone', '13800138000', 'residentId', NULL, 'partyMember', false,
                               'partyBranch', NULL, 'status', 'active', 'orgUnitId', $1::text, 'streetId', $1::text, 'note', '独居老人，每周走访'),
            1, 0, 0
       FROM generate_series(1, $2::int) AS i`,
    [street.id, count],
  );
}

describe.each(FACTORIES)('snapshot chunks on $name', (factory) => {
  let t: TestDb;
  let street: StreetFixture;
  let deviceId: string;
  beforeAll(async () => {
    t = await openMigrated(factory);
    street = await newStreet(t.db);
    deviceId = `dev-${street.id}`;
    await withAdmin(t.db, async (tx) => {
      await tx.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ($1, $2, 'x', $3)`, [deviceId, street.id, `hash-${deviceId}`]);
      await seedPeople(tx, street, PEOPLE);
      await tx.query(
        `INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
         SELECT 'gridUnit', 'g-' || lpad(i::text, 5, '0'), $1::text, jsonb_build_object('code', 'G' || i, 'name', '网格' || i), 1, 0, 0
           FROM generate_series(1, $2::int) AS i`,
        [street.id, GRIDS],
      );
      await tx.query('ANALYZE record');
    });
  }, 120_000);
  afterAll(async () => t?.drop(), 30_000);

  it('reads about the pages its own records lie on, for every chunk, wherever it lies', async () => {
    const chunks = await withAppScope(t.db, { streetId: street.id }, async (tx) => {
      const manifest = await createSnapshot(tx, { id: deviceId, streetId: street.id }, { chunkSize: CHUNK });
      const snap = (
        await tx.query<{ seq: string; taken_at: unknown; bounds: [string, string][] }>('SELECT seq, taken_at, bounds FROM snapshot WHERE id = $1', [
          manifest.snapshotId,
        ])
      ).rows[0]!;
      // the first chunk crosses from the grids through the org units into the people; the last runs to the end
      expect(new Set(snap.bounds.map(([entity]) => entity))).toEqual(new Set(['gridUnit', 'person']));
      const chunks: { index: number; read: number; ownPages: number }[] = [];
      for (let index = 0; index < manifest.chunks; index++) {
        const query = chunkQuery({ seq: Number(snap.seq), takenAt: iso(snap.taken_at), bounds: snap.bounds }, street.id, index)!;
        const records = JSON.parse(`[${(await tx.query<{ records: string }>(query.text, query.params)).rows[0]!.records}]`) as { entity: string; id: string }[];
        const own = await tx.query<{ pages: number }>(
          `SELECT count(DISTINCT (ctid::text::point)[0])::int AS pages FROM record WHERE (entity, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [records.map((r) => r.entity), records.map((r) => r.id)],
        );
        chunks.push({ index, read: await blocksRead(tx, query), ownPages: own.rows[0]!.pages });
      }
      return chunks;
    });
    expect(chunks.length).toBeGreaterThan(PEOPLE / CHUNK);
    // the heap pages holding the chunk's records, as many again for the index pages of its
    // ranges (the old statements read ~200 here, or the street's whole index), and their descents
    for (const c of chunks) expect(c.read, `chunk ${c.index} (${c.ownPages} pages hold its records)`).toBeLessThan(2 * c.ownPages + 30);
  });
});
