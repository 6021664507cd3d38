import { createHash } from 'node:crypto';
import type { Queryable } from '../db/db';

// One NOTIFY channel per street; the payload is the street's new sequence. NOTIFY is delivered
// at commit, to every process LISTENing on the database, so any server process can wake any
// station's event stream.
export function streetChannel(streetId: string): string {
  return `gd_street_${createHash('sha256').update(streetId).digest('hex').slice(0, 40)}`;
}

/** Carries the id of a device just revoked, so that every server process ends its event streams. */
export const REVOKED_CHANNEL = 'griddesk_device_revoked';

export async function notifyRevoked(tx: Queryable, deviceId: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [REVOKED_CHANNEL, deviceId]);
}

export async function notifySeq(tx: Queryable, streetId: string, seq: number): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [streetChannel(streetId), String(seq)]);
}
