import { isDeepStrictEqual } from 'node:util';
import type { Db as ServerDb } from '../../server/db/db';
import { withAdmin } from '../../server/db/scope';
import { SYNC_POLICIES } from '../../core/sync/policies';
import type { SyncedEntity } from '../../core/sync/protocol';
import { asServerSees, replicaDump, serverDump, type SyncStation } from '../sync/harness';

// The checker: what must hold once the network healed and every station synced until quiet.
// It reads the server's tables directly (as the administrator) and each replica's SQLite file.
//  (1) every mutation the server acknowledged is applied (in the change log) or rejected and
//      shown to the person (a sync_issue with its mid, or for an edit refused for want of a
//      record whose insert was refused, that insert's); nothing is marked sent unacknowledged
//  (2) nothing applied twice: (device, mid) at most once; the street's seq gap-free
//  (3) replicas equal the server's street records, field by field (after issues are reviewed)
//  (4) outboxes drained: nothing pending; rejected / quarantined rows surfaced as issues
//  (5) a station of another street holds nothing of this street
//  (6) a command is all or nothing: the server applied every mutation of it, or none, and
//      every issue of one of its mutations carries its command (settled with it, never alone)
// plus: folding the change log reproduces the server's records (no lost update on the server).

type Dump = Awaited<ReturnType<typeof serverDump>>;

export interface ServerView {
  changes: { seq: number; entity: SyncedEntity; id: string; op: 'insert' | 'update'; fields: Record<string, unknown>; version: number; deviceId: string | null; mid: number | null }[];
  rejections: { deviceId: string; mid: number; entity: string; recordId: string; reason: string }[];
  lastMid: Map<string, number>;
  streetSeq: number;
  records: Dump;
}

export async function serverView(db: ServerDb, streetId: string): Promise<ServerView> {
  const records = await serverDump(db, streetId);
  return withAdmin(db, async (tx) => {
    const changes = await tx.query<{ seq: unknown; entity: SyncedEntity; id: string; op: 'insert' | 'update'; fields: Record<string, unknown>; version: unknown; device_id: string | null; mid: unknown }>(
      'SELECT seq, entity, id, op, fields, version, device_id, mid FROM change WHERE street_id = $1 ORDER BY seq',
      [streetId],
    );
    const rejections = await tx.query<{ device_id: string; mid: unknown; entity: string; record_id: string; reason: string }>(
      'SELECT device_id, mid, entity, record_id, reason FROM rejection WHERE street_id = $1 ORDER BY id',
      [streetId],
    );
    const devices = await tx.query<{ id: string; last_mid: unknown }>('SELECT id, last_mid FROM device WHERE street_id = $1', [streetId]);
    const seq = await tx.query<{ seq: unknown }>('SELECT seq FROM street_seq WHERE street_id = $1', [streetId]);
    return {
      changes: changes.rows.map((r) => ({
        seq: Number(r.seq),
        entity: r.entity,
        id: r.id,
        op: r.op,
        fields: r.fields,
        version: Number(r.version),
        deviceId: r.device_id,
        mid: r.mid === null ? null : Number(r.mid),
      })),
      rejections: rejections.rows.map((r) => ({ deviceId: r.device_id, mid: Number(r.mid), entity: r.entity, recordId: r.record_id, reason: r.reason })),
      lastMid: new Map(devices.rows.map((d) => [d.id, Number(d.last_mid)])),
      streetSeq: Number(seq.rows[0]?.seq ?? -1),
      records,
    };
  });
}

interface OutboxRow {
  seq: number;
  entity: SyncedEntity;
  entity_id: string;
  op: 'insert' | 'update';
  fields: string;
  state: 'pending' | 'sent' | 'rejected' | 'quarantined';
  command: string | null;
}
interface IssueRow {
  mid: number | null;
  kind: string;
  entity: string;
  entity_id: string;
  resolution: string | null;
  command: string | null;
}

const key = (deviceId: string | null, mid: number | null): string => `${deviceId}#${mid}`;

/** (2) and the fold: the server's own log is consistent with its records. */
export function checkServer(view: ServerView): string[] {
  const out: string[] = [];
  view.changes.forEach((c, i) => {
    if (c.seq !== i + 1) out.push(`(2) street seq has a gap or repeat: position ${i + 1} holds seq ${c.seq}`);
  });
  if (view.streetSeq !== view.changes.length) out.push(`(2) street_seq is ${view.streetSeq} but the log holds ${view.changes.length} changes`);
  const seen = new Set<string>();
  for (const c of view.changes) {
    if (c.mid === null) continue;
    const k = key(c.deviceId, c.mid);
    if (seen.has(k)) out.push(`(2) device ${c.deviceId} mid ${c.mid} applied twice (seq ${c.seq})`);
    seen.add(k);
  }
  for (const r of view.rejections) {
    const k = key(r.deviceId, r.mid);
    if (seen.has(k)) out.push(`(2) device ${r.deviceId} mid ${r.mid} both applied/rejected or rejected twice`);
    seen.add(k);
  }
  const folded = new Map<string, { version: number; fields: Record<string, unknown> }>();
  for (const c of view.changes) {
    const k = `${c.entity}:${c.id}`;
    const prev = folded.get(k);
    folded.set(k, { version: c.version, fields: { ...(prev?.fields ?? {}), ...c.fields } });
  }
  for (const [k, record] of Object.entries(view.records)) {
    const f = folded.get(k);
    if (!f) out.push(`(1) server record ${k} has no change in the street log`);
    else if (f.version !== record.version || !isDeepStrictEqual(f.fields, record.fields)) {
      out.push(`(1) server record ${k} (v${record.version}) differs from its folded change log (v${f.version}): ${JSON.stringify(record.fields)} vs ${JSON.stringify(f.fields)}`);
    }
  }
  for (const k of folded.keys()) if (!view.records[k]) out.push(`(1) change log names ${k} but the server has no such record`);
  return out;
}

/** (1) and (4) for one station. `reviewed`: issues may have been resolved (rows rejected by an accepted drop). */
export function checkStation(name: string, s: SyncStation, view: ServerView): string[] {
  const out: string[] = [];
  const deviceId = s.engine.enrollment()?.deviceId ?? null;
  if (!deviceId) return [`${name}: not enrolled`];
  const lastMid = view.lastMid.get(deviceId) ?? 0;
  const applied = new Map(view.changes.filter((c) => c.deviceId === deviceId).map((c) => [c.mid, c]));
  const rejected = new Map(view.rejections.filter((r) => r.deviceId === deviceId).map((r) => [r.mid, r]));
  const outbox = s.ctx.db.prepare('SELECT seq, entity, entity_id, op, fields, state, command FROM change_log ORDER BY seq').all() as OutboxRow[];
  const issues = s.ctx.db.prepare('SELECT mid, kind, entity, entity_id, resolution, command FROM sync_issue').all() as IssueRow[];
  const issueOf = new Map(issues.filter((i) => i.mid !== null).map((i) => [i.mid, i]));
  const dropped = new Set(issues.filter((i) => i.resolution === 'accept_server').map((i) => i.entity_id));
  const droppedRow = (row: OutboxRow): boolean => {
    const grid = row.entity === 'gridHistory' ? String((JSON.parse(row.fields) as { gridId?: unknown }).gridId) : null;
    return dropped.has(row.entity_id) || (grid !== null && dropped.has(grid));
  };
  // an edit refused for want of a record whose own insert was refused is shown on that insert's card (refusedWithItsInsert)
  const opOf = new Map(outbox.map((row) => [row.seq, row.op]));
  const refusedInserts = new Set(issues.filter((i) => i.kind === 'rejection' && i.mid !== null && opOf.get(i.mid) === 'insert').map((i) => `${i.entity}:${i.entity_id}`));
  const shownWithItsInsert = (row: OutboxRow): boolean =>
    row.op === 'update' && row.command === null && rejected.get(row.seq)?.reason === 'record.not_found' && refusedInserts.has(`${row.entity}:${row.entity_id}`);
  const shown = (row: OutboxRow): boolean => issueOf.has(row.seq) || droppedRow(row) || shownWithItsInsert(row);
  for (const row of outbox) {
    const what = `${name} mid ${row.seq} (${row.op} ${row.entity} ${row.entity_id.slice(-6)}, ${row.state})`;
    const change = applied.get(row.seq);
    const rejection = rejected.get(row.seq);
    if (row.seq <= lastMid) {
      if (change) {
        if (row.state !== 'sent') out.push(`(1) ${what}: applied by the server (seq ${change.seq}) but not marked sent`);
        if (!isDeepStrictEqual(change.fields, JSON.parse(row.fields))) out.push(`(1) ${what}: the server applied other fields than the station sent`);
      } else if (rejection) {
        // shown as a rejection, or as a quarantine the person already settled (the lost reply's
        // retry drew a 413 alone; the person re-sent it as a new mutation), or moot because the
        // person already dropped the refused row it belonged to
        if (row.state !== 'rejected' || !shown(row)) {
          out.push(`(1) ${what}: the server rejected it (${rejection.reason}) but the station ${row.state === 'rejected' ? 'has no issue for it' : 'never learned: the rejection is lost'}`);
        }
      } else if (row.state === 'quarantined' || (row.state === 'rejected' && (droppedRow(row) || issueOf.get(row.seq)?.kind === 'quarantine'))) {
        // never reached the server: given up on (shown as an issue) or moot after a dropped insert
      } else if (!(SYNC_POLICIES[row.entity] === 'append-only' && view.records[`${row.entity}:${row.entity_id}`])) {
        out.push(`(1) ${what}: acknowledged (last_mid ${lastMid}) but neither applied nor rejected`);
      }
    } else if (row.state === 'sent') {
      out.push(`(1) ${what}: marked sent but the server never acknowledged it (last_mid ${lastMid})`);
    } else if (change || rejection) {
      out.push(`(2) ${what}: the server holds it above the device's last_mid ${lastMid}`);
    }
    if (row.state === 'pending') out.push(`(4) ${what}: still pending after the drain`);
    if (row.state === 'quarantined' && issueOf.get(row.seq)?.kind !== 'quarantine') out.push(`(4) ${what}: quarantined without an issue`);
    if (row.state === 'rejected' && !shown(row)) out.push(`(4) ${what}: rejected without an issue`);
    const issue = issueOf.get(row.seq);
    if (issue && commandId(issue.command) !== commandId(row.command)) {
      out.push(`(6) ${what}: its ${issue.kind} issue names command ${String(commandId(issue.command))}, the outbox ${String(commandId(row.command))}`);
    }
  }
  for (const [command, mids] of commandsOf(outbox)) {
    const taken = mids.filter((mid) => applied.has(mid)).length;
    // an append-only insert the server already held is neither applied again nor refused
    if (taken > 0 && mids.some((mid) => rejected.has(mid))) out.push(`(6) ${name} command ${command.slice(-6)} (mids ${mids.join(', ')}): ${taken} applied, the rest refused`);
  }
  return out;
}

const commandId = (tag: string | null): string | null => (tag === null ? null : (JSON.parse(tag) as { id: string }).id);

/** The mids of each command in a station's outbox. */
function commandsOf(outbox: readonly OutboxRow[]): Map<string, number[]> {
  const commands = new Map<string, number[]>();
  for (const row of outbox) {
    const id = commandId(row.command);
    if (id === null) continue;
    commands.set(id, [...(commands.get(id) ?? []), row.seq]);
  }
  return commands;
}

/** (3): the replica, restricted to the fields the server holds, equals the server's records. */
export function checkReplica(name: string, s: SyncStation, view: ServerView, cursorExpected: number): string[] {
  const out: string[] = [];
  const replica = replicaDump(s);
  const seen = asServerSees(replica, view.records);
  for (const k of Object.keys(view.records)) if (!replica[k]) out.push(`(3) ${name} lacks ${k}`);
  for (const [k, row] of Object.entries(seen)) {
    const server = view.records[k];
    if (!server) out.push(`(3) ${name} holds ${k} the server does not have: ${JSON.stringify(row.fields)}`);
    else if (!isDeepStrictEqual(row, server)) out.push(`(3) ${name} ${k}: replica v${row.version} ${JSON.stringify(row.fields)} != server v${server.version} ${JSON.stringify(server.fields)}`);
  }
  const cursor = s.engine.status().cursor;
  if (cursor !== cursorExpected) out.push(`(3) ${name} cursor ${cursor} != street seq ${cursorExpected}`);
  return out;
}

/** (5): nothing of this street (its own records, not the shared reference data) in another street's replica. */
export function checkIsolation(other: SyncStation, street: ServerView, otherStreet: ServerView): string[] {
  const out: string[] = [];
  const replica = replicaDump(other);
  for (const k of Object.keys(replica)) {
    if (street.records[k] && !otherStreet.records[k]) out.push(`(5) the other street's station holds ${k} of this street`);
  }
  return out;
}

export function openIssues(s: SyncStation): number {
  return (s.ctx.db.prepare('SELECT count(*) AS n FROM sync_issue WHERE resolved_at IS NULL').get() as { n: number }).n;
}
