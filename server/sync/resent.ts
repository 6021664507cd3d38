import type { Conflict, Mutation, Rejection as WireRejection } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { num } from '../db/db';
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
  const resent = new Map(mutations.filter((m) => m.mid <= lastMid).map((m) => [m.mid, m]));
  if (resent.size === 0) return { rejected: [], conflicts: [] };
  const mids = [...resent.keys()];
  const rejections = await tx.query<{ mid: unknown; reason: string }>(
    'SELECT mid, reason FROM rejection WHERE device_id = $1 AND mid = ANY($2::bigint[]) ORDER BY mid',
    [deviceId, mids],
  );
  const conflicts = await tx.query<{ mid: unknown; base_version: unknown; server_version: unknown; overwritten: Record<string, unknown> }>(
    'SELECT mid, base_version, server_version, overwritten FROM conflict WHERE device_id = $1 AND mid = ANY($2::bigint[]) ORDER BY mid',
    [deviceId, mids],
  );
  const rejected: WireRejection[] = [];
  for (const r of rejections.rows) {
    const m = resent.get(num(r.mid))!;
    // the winner of a uniqueness race is not stored; the record as it is now is the best we have
    const current = await loadRecord(tx, m.entity, m.id);
    rejected.push({ mid: m.mid, entity: m.entity, id: m.id, reason: r.reason, serverRecord: current ? asServerRecord(m.id, current.data, current.version) : null });
  }
  return {
    rejected,
    conflicts: conflicts.rows.map((c) => {
      const m = resent.get(num(c.mid))!;
      return { mid: m.mid, entity: m.entity, id: m.id, baseVersion: num(c.base_version), serverVersion: num(c.server_version), overwritten: c.overwritten };
    }),
  };
}
