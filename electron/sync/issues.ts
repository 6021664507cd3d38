import type { SyncIssue, SyncIssueKind } from '../../core/api/sync';
import type { CommandTag } from '../../core/sync/commands';
import type { Change, Conflict, Mutation, Rejection, SyncedEntity } from '../../core/sync/protocol';
import type { Db } from '../store/db';
import { cachedStatement } from '../store/statements';

// What a person must look at: rejected and quarantined mutations, and conflicts (a stale edit
// that won by last-writer-wins, with the values it overwrote). Never dropped silently.

type Json = Record<string, unknown>;

interface IssueRow {
  id: number;
  kind: SyncIssueKind;
  mid: number | null;
  entity: SyncedEntity;
  entity_id: string;
  reason: string;
  local_fields: string | null;
  server_record: string | null;
  overwritten: string | null;
  created_at: string;
  resolved_at: string | null;
  resolution: SyncIssue['resolution'];
  command: string | null;
}

const parse = (text: string | null): Json | null => (text === null ? null : (JSON.parse(text) as Json));
const text = (value: Json | null | undefined): string | null => (value ? JSON.stringify(value) : null);

function toIssue(row: IssueRow): SyncIssue {
  return {
    id: row.id,
    kind: row.kind,
    mid: row.mid,
    entity: row.entity,
    entityId: row.entity_id,
    reason: row.reason,
    localFields: parse(row.local_fields),
    serverRecord: parse(row.server_record),
    overwritten: parse(row.overwritten),
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
    command: row.command === null ? null : (JSON.parse(row.command) as CommandTag),
  };
}

export interface NewIssue {
  kind: SyncIssueKind;
  mid: number | null;
  entity: SyncedEntity;
  entityId: string;
  reason: string;
  localFields?: Json | null;
  serverRecord?: Json | null;
  overwritten?: Json | null;
  /** The command the mutation was one of: its issues are settled together. */
  command?: CommandTag | undefined;
}

/**
 * An edit refused because the server has no such record, of a record whose own insert the
 * server refused, its card still open: that card covers it. The edit is in the local row, which
 * re-sending the insert carries whole and giving the record up removes; a card of its own would
 * only greet the clerk who did what the first card asked (correct the record) with a second.
 * (A command's mutation is left to the command's card, which names the record it lacks.)
 */
export function refusedWithItsInsert(db: Db, r: Rejection, sent: Mutation | null): boolean {
  if (r.reason !== 'record.not_found' || sent?.op !== 'update' || sent.command) return false;
  const openInsertRefusal = cachedStatement(
    db,
    `SELECT 1 FROM sync_issue i JOIN change_log c ON c.seq = i.mid
      WHERE i.entity = ? AND i.entity_id = ? AND i.kind = 'rejection' AND i.resolved_at IS NULL AND c.op = 'insert'`,
  ).get(r.entity, r.id);
  return openInsertRefusal !== undefined;
}

export function recordIssue(db: Db, issue: NewIssue, at: string): number {
  const result = cachedStatement(
    db,
    `INSERT INTO sync_issue (kind, mid, entity, entity_id, reason, local_fields, server_record, overwritten, created_at, command)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    issue.kind,
    issue.mid,
    issue.entity,
    issue.entityId,
    issue.reason,
    text(issue.localFields),
    text(issue.serverRecord),
    text(issue.overwritten),
    at,
    issue.command ? JSON.stringify(issue.command) : null,
  );
  return Number(result.lastInsertRowid);
}

/** `sent`: the mutation as this station sent it, when it is still at hand. */
export function rejectionIssue(r: Rejection, sent: Mutation | null): NewIssue {
  return {
    kind: 'rejection',
    mid: r.mid,
    entity: r.entity,
    entityId: r.id,
    reason: r.reason,
    localFields: sent?.fields ?? null,
    serverRecord: r.serverRecord,
    command: sent?.command,
  };
}

/**
 * A stale edit the server took, as an issue: the server values it overwrote that another
 * station had written since the edit's base. The server lists every field whose value differs
 * from the edit's; a field still holding the value the edit started from (`base`) was changed
 * by nobody else, and nothing was lost there. Null when no field is left. `sent`: the mutation
 * as this station sent it, when it is still at hand.
 */
export function conflictIssue(c: Conflict, sent: Mutation | null, base: Json | null): NewIssue | null {
  const overwritten = base ? Object.fromEntries(Object.entries(c.overwritten).filter(([f, v]) => !(f in base && base[f] === v))) : c.overwritten;
  if (Object.keys(overwritten).length === 0) return null;
  return {
    kind: 'conflict',
    mid: c.mid,
    entity: c.entity,
    entityId: c.id,
    reason: 'sync.stale_edit',
    localFields: sent?.fields ?? null,
    serverRecord: { version: c.serverVersion, baseVersion: c.baseVersion },
    overwritten,
    command: sent?.command,
  };
}

/**
 * Keeps the server record an open issue shows the server's latest: a pulled change of that
 * record, newer than the version shown, patches it. A person then compares with what the server
 * holds now, and accept_server can take every refused field's current server value, also where
 * the pull left a field alone while this replica held a value of its own in it (test/faults seed
 * 521440928: my refused resident ID, given up locally to a pulled person, then an edit of the
 * phone from another station).
 */
export function followServer(db: Db, changes: readonly Change[]): void {
  const open = cachedStatement(db, 'SELECT id, entity, entity_id, server_record FROM sync_issue WHERE resolved_at IS NULL AND server_record IS NOT NULL').all() as Pick<
    IssueRow,
    'id' | 'entity' | 'entity_id' | 'server_record'
  >[];
  const shown = new Map<string, { id: number; record: Json }[]>();
  for (const row of open) {
    const record = parse(row.server_record)!;
    // a conflict's summary and a displaced row's winner are not this record's server state
    if (record.id !== row.entity_id || typeof record.version !== 'number') continue;
    const key = `${row.entity}\u0000${row.entity_id}`;
    shown.set(key, [...(shown.get(key) ?? []), { id: row.id, record }]);
  }
  if (shown.size === 0) return;
  const followed = new Set<{ id: number; record: Json }>();
  for (const change of changes) {
    for (const issue of shown.get(`${change.entity}\u0000${change.id}`) ?? []) {
      if (change.version <= (issue.record.version as number)) continue;
      Object.assign(issue.record, change.fields, { version: change.version });
      followed.add(issue);
    }
  }
  for (const { id, record } of followed) cachedStatement(db, 'UPDATE sync_issue SET server_record = ? WHERE id = ?').run(text(record), id);
}

export function hasOpenIssue(db: Db, entity: SyncedEntity, entityId: string): boolean {
  return cachedStatement(db, 'SELECT 1 FROM sync_issue WHERE entity = ? AND entity_id = ? AND resolved_at IS NULL LIMIT 1').get(entity, entityId) !== undefined;
}

export function getIssue(db: Db, id: number): SyncIssue | null {
  const row = cachedStatement(db, 'SELECT * FROM sync_issue WHERE id = ?').get(id) as IssueRow | undefined;
  return row ? toIssue(row) : null;
}

/** The open refusals or quarantines of a command's mutations, in mid order. */
export function openIssuesOfCommand(db: Db, commandId: string): SyncIssue[] {
  const rows = cachedStatement(
    db,
    "SELECT * FROM sync_issue WHERE json_extract(command, '$.id') = ? AND kind <> 'conflict' AND resolved_at IS NULL ORDER BY mid",
  ).all(commandId) as IssueRow[];
  return rows.map(toIssue);
}

export function listIssues(db: Db, includeResolved: boolean): SyncIssue[] {
  const rows = cachedStatement(
    db,
    `SELECT * FROM sync_issue ${includeResolved ? '' : 'WHERE resolved_at IS NULL'} ORDER BY id DESC LIMIT 1000`,
  ).all() as IssueRow[];
  return rows.map(toIssue);
}

/**
 * Open issues by kind, as a person sees them: a grid's history rows refused together with the
 * grid, and the mutations of one command, are settled together, so they count once
 * (renderer/features/sync, foldedIssues, shows them as one card).
 */
export function openIssueCounts(db: Db): Record<SyncIssueKind, number> {
  const rows = cachedStatement(
    db,
    `SELECT kind, count(*) AS n FROM sync_issue i
      WHERE resolved_at IS NULL
        AND NOT (i.entity = 'gridHistory' AND i.kind = 'rejection' AND EXISTS (
          SELECT 1 FROM sync_issue g
           WHERE g.entity = 'gridUnit' AND g.kind <> 'conflict' AND g.resolved_at IS NULL
             AND g.entity_id = json_extract(i.local_fields, '$.gridId')))
        AND NOT (i.command IS NOT NULL AND i.kind <> 'conflict' AND EXISTS (
          SELECT 1 FROM sync_issue c
           WHERE c.kind = i.kind AND c.resolved_at IS NULL AND c.id < i.id
             AND json_extract(c.command, '$.id') = json_extract(i.command, '$.id')))
      GROUP BY kind`,
  ).all() as {
    kind: SyncIssueKind;
    n: number;
  }[];
  const counts: Record<SyncIssueKind, number> = { rejection: 0, conflict: 0, quarantine: 0 };
  for (const r of rows) counts[r.kind] = r.n;
  return counts;
}

export function markResolved(db: Db, id: number, resolution: NonNullable<SyncIssue['resolution']>, at: string): void {
  cachedStatement(db, 'UPDATE sync_issue SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL').run(at, resolution, id);
}
