import type { Change, PullResponse } from '../../core/sync/protocol';
import { deviceContext } from '../auth/devices';
import type { Db } from '../db/db';
import { iso, num } from '../db/db';

export const MAX_PULL_LIMIT = 5000;

/** One row of griddesk_pull (server migrations 0005, 0006): the device, and a change or none. */
interface PullRow {
  device_id: string;
  device_street_id: string | null;
  scope_kind: string;
  revoked_at: Date | null;
  street_code: string | null;
  street_name: string | null;
  seq: unknown;
  entity: Change['entity'] | null;
  id: string;
  op: Change['op'];
  fields: Record<string, unknown>;
  version: unknown;
  change_device_id: string | null;
  mid: unknown;
  server_time: unknown;
}

/**
 * The street's changes after `after`, in sequence order (reference changes are in the same log),
 * for the device of `tokenHash`: authentication, scope and changes in ONE round trip (a function
 * call, server migrations 0005 and 0006, which also marks the device seen once a minute), under the statement timeout `timeoutMs`. Throws AuthError as
 * withDevice does.
 */
export async function pullAsDevice(
  db: Db,
  tokenHash: string,
  after: number,
  limit: number,
  timeoutMs: number,
): Promise<PullResponse> {
  // The values go into the statement's text (one message takes no parameters): each is checked
  // to be what it must be, a SHA-256 in hex or a whole number.
  if (!/^[0-9a-f]{64}$/.test(tokenHash) || ![after, limit, timeoutMs].every(Number.isSafeInteger)) throw new Error('pullAsDevice: bad arguments');
  const { rows } = await db.script<PullRow>(
    `SELECT set_config('statement_timeout', '${timeoutMs}', true);
     SELECT * FROM griddesk_pull('${tokenHash}', ${after}, ${limit + 1})`,
  );
  const first = rows[0];
  // the rows are read either way; they leave here only if the device may have them
  deviceContext(
    first && {
      id: first.device_id,
      street_id: first.device_street_id,
      scope_kind: first.scope_kind,
      revoked_at: first.revoked_at,
      street_code: first.street_code,
      street_name: first.street_name,
    },
  );
  const found = rows.filter((r) => r.entity !== null);
  const changes: Change[] = found.slice(0, limit).map((r) => ({
    seq: num(r.seq),
    entity: r.entity!,
    id: r.id,
    op: r.op,
    fields: r.fields,
    version: num(r.version),
    deviceId: r.change_device_id,
    mid: r.mid === null ? null : num(r.mid),
    serverTime: iso(r.server_time),
  }));
  const last = changes[changes.length - 1];
  return { changes, cursor: last ? last.seq : after, hasMore: found.length > limit, serverTime: new Date().toISOString() };
}
