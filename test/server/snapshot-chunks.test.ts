import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../server/db/db';
import { withAdmin, withAppScope } from '../../server/db/scope';
import { chunkQuery, createSnapshot } from '../../server/sync/snapshot';
import { FACTORIES, newStreet, openMigrated, type StreetFixture, type TestDb } from './harness';

// A snapshot chunk is one keyset range of the street's records, and serving it must read about
// its share of the street, wherever the range lies. With row comparisons as its bounds the
// index scan was bounded by the entity alone: every chunk read all of the street's people. The
// chunks' contents are tested through the HTTP API in sync.test.ts; this looks at what
// reading one costs, in PostgreSQL's own account of the statement.

const PEOPLE = 20_000;
const CHUNK = 500;

interface PlanNode {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
}

/** Buffers the chunk's statement touched, from PostgreSQL's own account of running it. */
async function blocksRead(tx: Queryable, query: { text: string; params: unknown[] }): Promise<number> {
  const row = (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.text}`, query.params)).rows[0]!;
  const raw = row['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const top = plan[0]!.Plan;
  return (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0);
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
      // ids in creation order, as the stations' UUIDv7s are
      await tx.query(
        `INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
         SELECT 'person', 'p-' || lpad(i::text, 8, '0'), $1::text,
                jsonb_build_object('name', '居民' || i, 'gender', 'female', 'phone', '13800138000', 'residentId', NULL, 'partyMember', false, 'partyBranch', NULL, 'status', 'active', 'orgUnitId', $1::text, 'streetId', $1::text, 'note', '独居老人，每周走访'), 1, 0, 0
           FROM generate_series(1, $2::int) AS i`,
        [street.id, PEOPLE],
      );
      await tx.query('ANALYZE record');
    });
  }, 120_000);
  afterAll(async () => t?.drop(), 30_000);

  it("reads about its share of the street's pages, wherever the chunk lies", async () => {
    const { pages, chunks } = await withAppScope(t.db, { streetId: street.id }, async (tx) => {
      // the plan PostgreSQL picks for a chunk of a large street (an index scan in key order); on
      // a street this small it would otherwise collect the rows in a bitmap first
      await tx.query('SET LOCAL enable_bitmapscan = off');
      const manifest = await createSnapshot(tx, { id: deviceId, streetId: street.id }, { chunkSize: CHUNK });
      expect(manifest.chunks).toBeGreaterThan(PEOPLE / CHUNK);
      const snap = (
        await tx.query<{ seq: string; taken_at: Date; bounds: [string, string][] }>('SELECT seq, taken_at, bounds FROM snapshot WHERE id = $1', [manifest.snapshotId])
      ).rows[0]!;
      const query = (index: number) => chunkQuery({ seq: Number(snap.seq), takenAt: new Date(snap.taken_at).toISOString(), bounds: snap.bounds }, street.id, index)!;
      const chunks: number[] = [];
      // chunk 1 lies inside one entity, as the last but one does; each is read once to warm the cache
      for (const index of [1, manifest.chunks - 2]) {
        await tx.query(query(index).text, query(index).params);
        chunks.push(await blocksRead(tx, query(index)));
      }
      const size = await tx.query<{ pages: string }>(`SELECT pg_relation_size('record') / current_setting('block_size')::int AS pages`);
      return { pages: Number(size.rows[0]!.pages), chunks };
    });
    const share = (pages * CHUNK) / PEOPLE;
    for (const blocks of chunks) {
      expect(blocks).toBeGreaterThan(0);
      expect(blocks).toBeLessThan(3 * share);
    }
  });
});
