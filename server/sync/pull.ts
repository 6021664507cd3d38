import type { Change, PullResponse } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { iso, num } from '../db/db';

export const MAX_PULL_LIMIT = 5000;

interface ChangeRow {
  seq: unknown;
  entity: Change['entity'];
  id: string;
  op: Change['op'];
  fields: Record<string, unknown>;
  version: unknown;
  device_id: string | null;
  mid: unknown;
  server_time: unknown;
}

/**
 * The street's changes after `after`, in sequence order (reference changes are in the same log),
 * in the request's transaction, which already runs under the street's scope.
 */
export async function pull(tx: Queryable, streetId: string, after: number, limit: number): Promise<PullResponse> {
  const rows = await tx.query<ChangeRow>(
    `SELECT seq, entity, id, op, fields, version, device_id, mid, server_time
       FROM change WHERE street_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [streetId, after, limit + 1],
    { prepared: true },
  );
  const hasMore = rows.rows.length > limit;
  const page = rows.rows.slice(0, limit);
  const changes: Change[] = page.map((r) => ({
    seq: num(r.seq),
    entity: r.entity,
    id: r.id,
    op: r.op,
    fields: r.fields,
    version: num(r.version),
    deviceId: r.device_id,
    mid: r.mid === null ? null : num(r.mid),
    serverTime: iso(r.server_time),
  }));
  const last = changes[changes.length - 1];
  return { changes, cursor: last ? last.seq : after, hasMore, serverTime: new Date().toISOString() };
}
