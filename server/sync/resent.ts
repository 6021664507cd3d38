import type { Conflict, Mutation, SyncedEntity, Rejection as WireRejection } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { num } from '../db/db';
import { printable } from './apply-one';
import { HAS_CONTROL, type Doc } from './entities';
import { asServerRecord, loadRecord } from './records';

// A batch re-sent because its reply was lost is skipped (mid <= last_mid), but what the lost
// reply said about it is not: its rejections and conflicts are reported again. Otherwise the
// station marks a refused change as sent, and nobody ever sees why it is missing
// (test/faults/resent-rejection.test.ts).
export async function resentOutcomes(
  tx: Queryable,
  deviceId: string,
  mutations: readonly Mutation[],
  lastMid: number,
): Promise<{ rejected: WireRejection[]; conflicts: Conflict[] }> {
  const sent = new Map(mutations.filter((m) => m.mid <= lastMid).map((m) => [m.mid, m]));
  if (sent.size === 0) return { rejected: [], conflicts: [] };
  const mids = [...sent.keys()];
  // The stored row names the record, whatever envelope came with the mid now; the id as sent
  // when it is the same one (stored ids have control characters replaced, see printable).
  const idOf = (mid: number, entity: SyncedEntity, recordId: string): string => {
    const m = sent.get(mid);
    return m && m.entity === entity && printable(m.id) === recordId ? m.id : recordId;
  };
  const rejections = await tx.query<{ mid: unknown; entity: SyncedEntity; record_id: string; reason: string; winner_id: string | null }>(
    'SELECT mid, entity, record_id, reason, winner_id FROM rejection WHERE device_id = $1 AND mid = ANY($2::bigint[]) ORDER BY mid',
    [deviceId, mids],
  );
  const conflicts = await tx.query<{
    mid: unknown;
    entity: SyncedEntity;
    record_id: string;
    base_version: unknown;
    server_version: unknown;
    overwritten: Record<string, unknown>;
  }>('SELECT mid, entity, record_id, base_version, server_version, overwritten FROM conflict WHERE device_id = $1 AND mid = ANY($2::bigint[]) ORDER BY mid', [
    deviceId,
    mids,
  ]);
  const rejected: WireRejection[] = [];
  const recordOf = async (entity: SyncedEntity, id: string): Promise<Doc | null> => {
    const found = await loadRecord(tx, entity, id);
    return found ? asServerRecord(id, found.data, found.version) : null;
  };
  for (const r of rejections.rows) {
    // the records as they are now: the refused one's own, and the winner of a uniqueness race
    const mid = num(r.mid);
    const id = idOf(mid, r.entity, r.record_id);
    // an id with control characters was refused as bad_id and names no record (PostgreSQL text cannot even hold a NUL)
    const own = HAS_CONTROL.test(id) ? null : await recordOf(r.entity, id);
    const winner = r.winner_id === null ? null : await recordOf(r.entity, r.winner_id);
    // as apply-one answers: a refused insert shows the winner as the server's record, a refused edit its own beside the winner
    const [serverRecord, conflictingRecord] = own ? [own, winner] : [winner, null];
    rejected.push({ mid, entity: r.entity, id, reason: r.reason, serverRecord, conflictingRecord });
  }
  return {
    rejected,
    conflicts: conflicts.rows.map((c) => ({
      mid: num(c.mid),
      entity: c.entity,
      id: idOf(num(c.mid), c.entity, c.record_id),
      baseVersion: num(c.base_version),
      serverVersion: num(c.server_version),
      overwritten: c.overwritten,
    })),
  };
}
