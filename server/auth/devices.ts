import type { Db, Queryable } from '../db/db';
import { num } from '../db/db';
import { withAppScope } from '../db/scope';
import { hashEnrollmentCode, hashToken, newServerId, newToken } from './tokens';

export interface DeviceContext {
  id: string;
  streetId: string;
  streetCode: string;
  streetName: string;
  scopeKind: 'street';
}

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface DeviceRow {
  id: string;
  street_id: string | null;
  scope_kind: string;
  revoked_at: Date | null;
  street_code: string | null;
  street_name: string | null;
}

/** The device a token's row names, or the 401/403 for an unknown, revoked or unsupported one. */
export function deviceContext(row: DeviceRow | undefined): DeviceContext {
  if (!row) throw new AuthError(401, 'unknown_token');
  if (row.revoked_at) throw new AuthError(401, 'device_revoked');
  if (row.scope_kind !== 'street' || !row.street_id || !row.street_code || !row.street_name) {
    throw new AuthError(403, 'scope_not_supported');
  }
  return { id: row.id, streetId: row.street_id, streetCode: row.street_code, streetName: row.street_name, scopeKind: 'street' };
}

/**
 * One request, one transaction: the bearer token's device is read in the transaction the route
 * then runs in. griddesk_app can see only the device whose token hash the scope statement set;
 * the same SELECT sets the device's street (set_config(..., true) is SET LOCAL), so the route's
 * first query already runs under the street's row-level security. A revoked device, an unknown
 * token or an unsupported scope throws, which rolls the transaction back; there is no token
 * cache, so a revocation holds from the next request on.
 */
export function withDevice<T>(
  db: Db,
  tokenHash: string,
  options: { statementTimeoutMs?: number },
  fn: (tx: Queryable, device: DeviceContext) => Promise<T>,
): Promise<T> {
  return withAppScope(db, { tokenHash, statementTimeoutMs: options.statementTimeoutMs }, async (tx) => {
    const rows = await tx.query<DeviceRow>(
      `SELECT d.id, d.street_id, d.scope_kind, d.revoked_at, s.code AS street_code, s.name AS street_name,
              set_config('griddesk.street_id', coalesce(d.street_id, ''), true) AS street_scope
         FROM device d LEFT JOIN street s ON s.id = d.street_id
        WHERE d.token_hash = $1`,
      [tokenHash],
      { prepared: true },
    );
    return fn(tx, deviceContext(rows.rows[0]));
  });
}

export interface Enrolled {
  deviceId: string;
  token: string;
  scope: { kind: 'street'; streetId: string; streetCode: string; streetName: string };
}

/** Redeems a one-time code. The code row is locked, so two stations racing for one code get one device. */
export async function enroll(db: Db, code: string, deviceName: string, schemaVersion: number): Promise<Enrolled> {
  const codeHash = hashEnrollmentCode(code);
  return withAppScope(db, { codeHash }, async (tx) => {
    const found = await tx.query<{ street_id: string; expired: boolean; used_at: Date | null; code: string; name: string }>(
      `SELECT c.street_id, c.expires_at <= now() AS expired, c.used_at, s.code, s.name
         FROM enrollment_code c JOIN street s ON s.id = c.street_id
        WHERE c.code_hash = $1 FOR UPDATE OF c`,
      [codeHash],
    );
    const row = found.rows[0];
    if (!row) throw new AuthError(401, 'enrollment_code_unknown');
    if (row.used_at) throw new AuthError(401, 'enrollment_code_used');
    if (row.expired) throw new AuthError(401, 'enrollment_code_expired');
    const deviceId = newServerId();
    const token = newToken();
    await tx.query(`SELECT set_config('griddesk.street_id', $1, true)`, [row.street_id]);
    await tx.query(
      `INSERT INTO device (id, street_id, scope_kind, name, token_hash, schema_version, last_seen_at)
       VALUES ($1, $2, 'street', $3, $4, $5, now())`,
      [deviceId, row.street_id, deviceName, hashToken(token), schemaVersion],
    );
    const used = await tx.query(`UPDATE enrollment_code SET used_at = now(), used_by = $2 WHERE code_hash = $1 AND used_at IS NULL`, [
      codeHash,
      deviceId,
    ]);
    if (used.rowCount !== 1) throw new AuthError(401, 'enrollment_code_used');
    return { deviceId, token, scope: { kind: 'street', streetId: row.street_id, streetCode: row.code, streetName: row.name } };
  });
}

/** The street's sequence, read in a transaction already scoped to the street (withDevice). */
export async function streetSeq(tx: Queryable, streetId: string): Promise<number> {
  const rows = await tx.query<{ seq: unknown }>('SELECT seq FROM street_seq WHERE street_id = $1', [streetId]);
  return num(rows.rows[0]?.seq ?? 0);
}
