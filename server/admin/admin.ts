import { orgCodeProblem } from '../../core/domain/org';
import type { SyncedEntity } from '../../core/sync/protocol';
import type { Db, Queryable } from '../db/db';
import { iso, num } from '../db/db';
import { withAdmin } from '../db/scope';
import { hashEnrollmentCode, newEnrollmentCode, newServerId } from '../auth/tokens';
import type { Doc } from '../sync/entities';
import { notifyRevoked, notifySeq } from '../sync/notify';
import { appendChange, insertRecord, loadRecord } from '../sync/records';

// District administration (the CLI's `admin` commands). Runs as griddesk_admin, district-wide.
//
// Reference data (street_id NULL: the district org unit) reaches stations through the ordinary
// street change logs: whoever writes a reference record appends the change to EVERY street's
// log, and a new street's log starts with the current reference records. One log per street
// keeps pull a single ordered range.

export class AdminError extends Error {}

async function nextSeq(tx: Queryable, streetId: string): Promise<number> {
  const rows = await tx.query<{ seq: unknown }>('UPDATE street_seq SET seq = seq + 1 WHERE street_id = $1 RETURNING seq', [streetId]);
  const row = rows.rows[0];
  if (!row) throw new AdminError(`street ${streetId} has no sequence row`);
  return num(row.seq);
}

async function logInsert(tx: Queryable, streetId: string, entity: SyncedEntity, id: string, data: Doc, version: number): Promise<number> {
  const seq = await nextSeq(tx, streetId);
  await appendChange(tx, { streetId, seq, entity, id, op: 'insert', fields: data, version, deviceId: null, mid: null, deviceAt: null });
  await notifySeq(tx, streetId, seq);
  return seq;
}

export interface DistrictInfo {
  id: string;
  code: string;
  name: string;
}

export async function createDistrict(db: Db, input: { code: string; name: string }): Promise<DistrictInfo> {
  if (orgCodeProblem(input.code, 'district', null) !== null) throw new AdminError(`not a district code: ${input.code}`);
  return withAdmin(db, async (tx) => {
    const existing = (await tx.query<DistrictInfo>('SELECT id, code, name FROM district WHERE code = $1', [input.code])).rows[0];
    if (existing) return existing;
    const id = newServerId();
    await tx.query('INSERT INTO district (id, code, name) VALUES ($1, $2, $3)', [id, input.code, input.name]);
    const data: Doc = { code: input.code, name: input.name, level: 'district', kind: null, parentId: null, hostsCenter: false };
    await insertRecord(tx, { entity: 'orgUnit', id, streetId: null, data, seq: null });
    const streets = await tx.query<{ id: string }>('SELECT id FROM street ORDER BY code');
    for (const s of streets.rows) await logInsert(tx, s.id, 'orgUnit', id, data, 1);
    return { id, code: input.code, name: input.name };
  });
}

export interface StreetInfo {
  id: string;
  code: string;
  name: string;
  created: boolean;
}

export async function createStreet(db: Db, input: { code: string; name: string; districtCode?: string }): Promise<StreetInfo> {
  return withAdmin(db, async (tx) => {
    const districts = await tx.query<{ id: string; code: string }>('SELECT id, code FROM district ORDER BY code');
    const district = input.districtCode ? districts.rows.find((d) => d.code === input.districtCode) : districts.rows[0];
    if (!district) throw new AdminError('create the district first (admin create-district)');
    if (!input.districtCode && districts.rows.length > 1) throw new AdminError('several districts: pass --district <code>');
    if (orgCodeProblem(input.code, 'street', district.code) !== null) {
      throw new AdminError(`not a street code under district ${district.code}: ${input.code}`);
    }
    const existing = (await tx.query<{ id: string; name: string }>('SELECT id, name FROM street WHERE code = $1', [input.code])).rows[0];
    if (existing) return { id: existing.id, code: input.code, name: existing.name, created: false };
    const id = newServerId();
    await tx.query('INSERT INTO street (id, code, name, district_id) VALUES ($1, $2, $3, $4)', [id, input.code, input.name, district.id]);
    await tx.query('INSERT INTO street_seq (street_id, seq) VALUES ($1, 0)', [id]);
    // the log starts with the reference records, then the street's own org unit
    const refs = await tx.query<{ entity: SyncedEntity; id: string; data: Doc; version: unknown }>(
      'SELECT entity, id, data, version FROM record WHERE street_id IS NULL ORDER BY entity, id',
    );
    for (const r of refs.rows) await logInsert(tx, id, r.entity, r.id, r.data, num(r.version));
    const data: Doc = { code: input.code, name: input.name, level: 'street', kind: null, parentId: district.id, hostsCenter: true };
    const seq = await nextSeq(tx, id);
    await insertRecord(tx, { entity: 'orgUnit', id, streetId: id, data, seq });
    await appendChange(tx, { streetId: id, seq, entity: 'orgUnit', id, op: 'insert', fields: data, version: 1, deviceId: null, mid: null, deviceAt: null });
    await notifySeq(tx, id, seq);
    return { id, code: input.code, name: input.name, created: true };
  });
}

async function streetByCode(tx: Queryable, code: string): Promise<{ id: string; name: string }> {
  const row = (await tx.query<{ id: string; name: string }>('SELECT id, name FROM street WHERE code = $1', [code])).rows[0];
  if (!row) throw new AdminError(`no street with code ${code}`);
  return row;
}

export interface IssuedCode {
  code: string;
  streetCode: string;
  streetName: string;
  expiresAt: string;
}

export async function issueEnrollmentCode(db: Db, streetCode: string, ttlMs = 24 * 3600_000): Promise<IssuedCode> {
  return withAdmin(db, async (tx) => {
    const street = await streetByCode(tx, streetCode);
    const code = newEnrollmentCode();
    const expiresAt = new Date(Date.now() + ttlMs);
    await tx.query('INSERT INTO enrollment_code (code_hash, street_id, expires_at) VALUES ($1, $2, $3)', [
      hashEnrollmentCode(code),
      street.id,
      expiresAt.toISOString(),
    ]);
    return { code, streetCode, streetName: street.name, expiresAt: expiresAt.toISOString() };
  });
}

export interface DeviceInfo {
  id: string;
  name: string;
  streetCode: string | null;
  streetName: string | null;
  lastMid: number;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

export async function listDevices(db: Db, streetCode?: string): Promise<DeviceInfo[]> {
  return withAdmin(db, async (tx) => {
    const rows = await tx.query<{
      id: string;
      name: string;
      code: string | null;
      street_name: string | null;
      last_mid: unknown;
      enrolled_at: unknown;
      last_seen_at: unknown;
      revoked_at: unknown;
    }>(
      `SELECT d.id, d.name, s.code, s.name AS street_name, d.last_mid, d.enrolled_at, d.last_seen_at, d.revoked_at
         FROM device d LEFT JOIN street s ON s.id = d.street_id
        WHERE $1::text IS NULL OR s.code = $1 ORDER BY s.code, d.enrolled_at`,
      [streetCode ?? null],
    );
    return rows.rows.map((r) => ({
      id: r.id,
      name: r.name,
      streetCode: r.code,
      streetName: r.street_name,
      lastMid: num(r.last_mid),
      enrolledAt: iso(r.enrolled_at),
      lastSeenAt: r.last_seen_at === null ? null : iso(r.last_seen_at),
      revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
    }));
  });
}

export async function revokeDevice(db: Db, deviceId: string): Promise<boolean> {
  return withAdmin(db, async (tx) => {
    const result = await tx.query('UPDATE device SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [deviceId]);
    if (result.rowCount === 1) await notifyRevoked(tx, deviceId);
    return result.rowCount === 1;
  });
}

/**
 * Takes back a revocation (made by mistake, or the workstation turned up again): the device's
 * token works again, and the station sends the changes it could not. Its last mid was kept, so
 * nothing it sent before is applied twice. A lost or stolen workstation stays revoked.
 */
export async function restoreDevice(db: Db, deviceId: string): Promise<boolean> {
  return withAdmin(db, async (tx) => {
    const result = await tx.query('UPDATE device SET revoked_at = NULL WHERE id = $1 AND revoked_at IS NOT NULL', [deviceId]);
    return result.rowCount === 1;
  });
}

/** Reads one record district-wide (admin and tests). */
export async function adminRecord(db: Db, entity: SyncedEntity, id: string): Promise<{ streetId: string | null; data: Doc; version: number } | null> {
  return withAdmin(db, (tx) => loadRecord(tx, entity, id));
}
