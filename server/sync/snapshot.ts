import { createHash } from 'node:crypto';
import type { SnapshotManifest } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { iso, num } from '../db/db';
import { newServerId } from '../auth/tokens';

// Bootstrap of a new station (docs/sync-protocol.md "Bootstrap"). A snapshot fixes the street's
// sequence S; its record set is the street's records created at or before S (created_seq <= S)
// plus the district reference records that existed when it was taken. That set never changes
// (nothing is deleted), so the first key of every chunk is stored once and chunk i is one keyset
// range: resumable, and the same records whenever it is fetched. Record contents are read live,
// so a chunk may already show a change made after S; the pull from S re-applies it harmlessly.

export const SNAPSHOT_CHUNK_SIZE = 5000;

const SET = `((street_id = $1 AND created_seq <= $2) OR (street_id IS NULL AND created_at <= $3))`;

export class SnapshotNotFound extends Error {}

/** Both functions run in the request's transaction, which already runs under the device's street scope. */
export async function createSnapshot(
  tx: Queryable,
  device: { id: string; streetId: string },
  options: { chunkSize?: number } = {},
): Promise<SnapshotManifest> {
  const chunkSize = options.chunkSize ?? SNAPSHOT_CHUNK_SIZE;
  const head = (
    await tx.query<{ seq: unknown; taken_at: unknown }>('SELECT seq, now() AS taken_at FROM street_seq WHERE street_id = $1', [
      device.streetId,
    ])
  ).rows[0];
  if (!head) throw new Error(`street ${device.streetId} has no sequence row`);
  const seq = num(head.seq);
  const takenAt = iso(head.taken_at);
  // the set's two halves (the street's records, the district's) queried apart: as one OR they
  // were read through the primary key in key order, a random heap read per record (1.3 s for
  // 500,000; apart: a sequential read and a sort, 0.8 s). Every chunk's first key, and the last
  // key, whose row number is the count: a count over the whole window kept every row of the
  // street in a tuplestore (~0.25 s at 500,000).
  const keys = await tx.query<{ entity: string; id: string; rn: unknown }>(
    `SELECT entity, id, rn FROM (
       SELECT entity, id, row_number() OVER w AS rn, lead(id) OVER w IS NULL AS last
         FROM (SELECT entity, id FROM record WHERE street_id = $1 AND created_seq <= $2
               UNION ALL
               SELECT entity, id FROM record WHERE street_id IS NULL AND created_at <= $3) s
       WINDOW w AS (ORDER BY entity, id)) t
      WHERE (rn - 1) % $4 = 0 OR last ORDER BY entity, id`,
    [device.streetId, seq, takenAt, chunkSize],
  );
  const records = keys.rows.length > 0 ? num(keys.rows.at(-1)!.rn) : 0;
  const bounds = keys.rows.filter((k) => (num(k.rn) - 1) % chunkSize === 0);
  const snapshotId = newServerId();
  await tx.query(
    `INSERT INTO snapshot (id, street_id, device_id, seq, taken_at, chunk_size, records, bounds)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [snapshotId, device.streetId, device.id, seq, takenAt, chunkSize, records, JSON.stringify(bounds.map((b) => [b.entity, b.id]))],
  );
  return { snapshotId, seq, chunks: bounds.length, records };
}

/** A chunk as it goes on the wire: the JSON body's bytes and the sha256 (hex) of exactly those bytes. */
export interface ChunkReply {
  body: Buffer;
  checksum: string;
}

type Key = [entity: string, id: string];

/**
 * The keys [lo, hi) of a chunk as key ranges that each bound an index scan on both sides, `$n`
 * appended to `params`: one when the chunk lies inside one entity, else one per entity it
 * touches (the rest of lo's entity, any whole entities between, the start of hi's entity).
 * - As row comparisons (`(entity, id) >= lo AND (entity, id) < hi`), PostgreSQL before 18 ran
 *   the index part of the scan from lo to the end of the entity, so a chunk near the start of
 *   a street's people walked nearly all of their index entries: a 500,000-record snapshot's
 *   chunks took ~14 s to serve one after another instead of ~9 s.
 * - Joined by OR in one WHERE, the ranges became bitmaps that the planner combined with the
 *   whole street's, so the ranges are separate arms of a UNION ALL instead.
 */
function keyRanges([loEntity, loId]: Key, hi: Key | undefined, params: unknown[]): string[] {
  const p = (value: string): string => `$${params.push(value)}`;
  if (hi && hi[0] === loEntity) return [`entity = ${p(loEntity)} AND id >= ${p(loId)} AND id < ${p(hi[1])}`];
  const entity = p(loEntity);
  const ranges = [`entity = ${entity} AND id >= ${p(loId)}`];
  if (!hi) return [...ranges, `entity > ${entity}`];
  const hiEntity = p(hi[0]);
  return [...ranges, `entity > ${entity} AND entity < ${hiEntity}`, `entity = ${hiEntity} AND id < ${p(hi[1])}`];
}

/** The statement that writes chunk `index` as JSON text; null when the snapshot has no such chunk. */
export function chunkQuery(
  snap: { seq: number; takenAt: string; bounds: readonly Key[] },
  streetId: string,
  index: number,
): { text: string; params: unknown[] } | null {
  const lo = snap.bounds[index];
  if (!lo) return null;
  const params: unknown[] = [streetId, snap.seq, snap.takenAt];
  const arms = keyRanges(lo, snap.bounds[index + 1], params).map((range) => `SELECT entity, id, version, data, updated_at FROM record WHERE ${SET} AND ${range}`);
  // PostgreSQL writes the records' JSON text itself (data is jsonb: its text form is already
  // JSON): parsing it into objects here only to serialise them again cost most of the server's
  // time per chunk. The body's layout is ours; the checksum covers whatever bytes it has.
  // updatedAt is written as a pulled change's serverTime is (an ISO time in UTC, to the ms).
  const text = `SELECT string_agg('{"entity":' || to_json(entity)::text || ',"id":' || to_json(id)::text
                                  || ',"version":' || version || ',"data":' || data::text
                                  || ',"updatedAt":"' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}',
                                  ',' ORDER BY entity, id) AS records
                  FROM (${arms.join(' UNION ALL ')}) chunk`;
  return { text, params };
}

export async function snapshotChunk(tx: Queryable, streetId: string, snapshotId: string, index: number): Promise<ChunkReply> {
  const snap = (
    await tx.query<{ seq: unknown; taken_at: unknown; bounds: Key[] }>('SELECT seq, taken_at, bounds FROM snapshot WHERE id = $1 AND street_id = $2', [
      snapshotId,
      streetId,
    ])
  ).rows[0];
  if (!snap) throw new SnapshotNotFound('snapshot.not_found');
  const query = chunkQuery({ seq: num(snap.seq), takenAt: iso(snap.taken_at), bounds: snap.bounds }, streetId, index);
  if (!query) throw new SnapshotNotFound('snapshot.chunk_not_found');
  const row = (await tx.query<{ records: string | null }>(query.text, query.params)).rows[0];
  const body = Buffer.from(`{"index":${index},"records":[${row?.records ?? ''}]}`, 'utf8');
  return { body, checksum: createHash('sha256').update(body).digest('hex') };
}
