import { AppError, notFound } from '../../core/api/errors';
import type { SyncIssue, SyncResolution } from '../../core/api/sync';
import { COMMAND_ARGS } from '../../core/sync/commands';
import type { RecordRef, SnapshotRecord } from '../../core/sync/protocol';
import { CODE_TAKEN_REASONS } from '../../core/sync/policies';
import { applyRemoteRecord, localFields, reapplyPending, type Fields } from '../store/apply-remote';
import type { Db } from '../store/db';
import { ENTITIES, type EntitySpec } from '../store/entities';
import { cachedStatement } from '../store/statements';
import { recordChange, updateEntity, writeCommand } from '../store/write';
import { getIssue, markResolved, openIssuesOfCommand } from './issues';
import { baseFieldsOf, markRefused, outboxEntry, waitingUpdates } from './outbox';
import { displacedRecorder } from './pull';

// What a person decides about an issue:
// - accept_server: drop my change locally. A conflict (my stale edit won on the server) writes
//   the overwritten values back as a new mutation; a rejected update takes the server's values
//   of the fields it set, and so does a quarantined one, from its record as the server holds it
//   now, asked for first (recordsToAsk); a rejected or quarantined insert never existed on the
//   server, so the local row (and its local-only history) is removed.
// - reapply_mine: send my change again as a NEW mutation (the old mid is spent). A rejected
//   insert is re-sent as an insert of the row as it is now (after the person fixed it).
// - dismiss: a conflict is acknowledged; nothing changes.
// The refusals and quarantines of one command are settled together (settleCommand). A conflict
// is settled alone; one of a command's mutations can only be dismissed.

type Json = Record<string, unknown>;

function knownOnly(spec: EntitySpec, fields: Json | null): Json {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([f]) => f in spec.fields));
}

/** The issue's record as the server holds it; null when it shows another record, a conflict's summary, or none. */
function ownServerRecord(issue: SyncIssue): (Json & { version: number }) | null {
  const server = issue.serverRecord;
  return server?.['id'] === issue.entityId && typeof server['version'] === 'number' ? (server as Json & { version: number }) : null;
}

function wasInsert(db: Db, issue: SyncIssue): boolean {
  return issue.mid !== null && outboxEntry(db, issue.mid)?.mutation.op === 'insert';
}

/** Whether an insert of this record was acknowledged: the server has it, whatever became of other inserts of it. */
function serverHasInsert(db: Db, entity: SyncIssue['entity'], id: string): boolean {
  return cachedStatement(db, "SELECT 1 FROM change_log WHERE entity = ? AND entity_id = ? AND op = 'insert' AND state = 'sent'").get(entity, id) !== undefined;
}

/** Local-only grid history of a grid whose insert the server refused: it goes (or comes back) with it. */
function unsentHistory(db: Db, gridId: string): string[] {
  const rows = cachedStatement(
    db,
    "SELECT DISTINCT h.id FROM grid_history h JOIN change_log c ON c.entity = 'gridHistory' AND c.entity_id = h.id AND c.op = 'insert' WHERE h.grid_id = ? AND c.state <> 'sent' ORDER BY h.id",
  ).all(gridId) as { id: string }[];
  return rows.map((r) => r.id).filter((id) => !serverHasInsert(db, 'gridHistory', id));
}

function resolveIssuesOf(db: Db, entity: SyncIssue['entity'], entityId: string, resolution: SyncResolution, at: string): void {
  cachedStatement(db, 'UPDATE sync_issue SET resolved_at = ?, resolution = ? WHERE entity = ? AND entity_id = ? AND resolved_at IS NULL').run(
    at,
    resolution,
    entity,
    entityId,
  );
}

/** A fresh insert mutation of the row as it is now: the server has not seen these values. */
function recordInsertAgain(db: Db, entity: SyncIssue['entity'], id: string, at: string): void {
  const current = localFields(db, entity, id);
  if (!current) throw notFound(entity, id);
  const { version: _version, ...fields } = current;
  recordChange(db, { entity, id, op: 'insert', fields: fields satisfies Fields, baseVersion: null, at });
}

function resendInsert(db: Db, issue: SyncIssue, at: string): void {
  // The insert carries the row as it is now, edits included. Edits of a record the server
  // refused still waiting to go would reach it first and be refused (record.not_found: it has
  // no such record yet), leaving a card for nothing: they go with the insert instead. (After a
  // quarantine the server may have the record, its reply lost: then they go as they are.)
  const refused = issue.kind === 'rejection';
  if (refused) {
    const waiting = cachedStatement(
      db,
      "SELECT seq, state FROM change_log WHERE entity = ? AND entity_id = ? AND op = 'update' AND state IN ('pending', 'quarantined')",
    ).all(issue.entity, issue.entityId) as { seq: number; state: 'pending' | 'quarantined' }[];
    for (const edit of waiting) markRefused(db, edit.seq, edit.state);
  }
  recordInsertAgain(db, issue.entity, issue.entityId, at);
  // the refusals of edits made to it meanwhile are settled with it, and the quarantines of those that went with it
  const kinds = refused ? "'rejection', 'quarantine'" : "'rejection'";
  cachedStatement(
    db,
    `UPDATE sync_issue SET resolved_at = ?, resolution = 'reapply_mine' WHERE entity = ? AND entity_id = ? AND kind IN (${kinds}) AND id <> ? AND resolved_at IS NULL`,
  ).run(at, issue.entity, issue.entityId, issue.id);
  if (issue.entity !== 'gridUnit') return;
  for (const historyId of unsentHistory(db, issue.entityId)) {
    recordInsertAgain(db, 'gridHistory', historyId, at);
    resolveIssuesOf(db, 'gridHistory', historyId, 'reapply_mine', at);
  }
}

function dropLocalInsert(db: Db, issue: SyncIssue, at: string): void {
  const spec: EntitySpec = ENTITIES[issue.entity];
  if (issue.entity === 'gridUnit') {
    // its history rows were created with it and were refused with it
    for (const historyId of unsentHistory(db, issue.entityId)) {
      cachedStatement(db, 'DELETE FROM grid_history WHERE id = ?').run(historyId);
      cachedStatement(db, "UPDATE change_log SET state = 'rejected' WHERE entity = 'gridHistory' AND entity_id = ? AND state IN ('pending', 'quarantined')").run(historyId);
      resolveIssuesOf(db, 'gridHistory', historyId, 'accept_server', at);
    }
  }
  try {
    cachedStatement(db, `DELETE FROM ${spec.table} WHERE id = ?`).run(issue.entityId);
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT')) {
      throw new AppError('rule_violation', 'sync.issue_has_dependents', { entity: issue.entity, id: issue.entityId });
    }
    throw error;
  }
  // later edits of the same local-only row are moot now
  cachedStatement(db, "UPDATE change_log SET state = 'rejected' WHERE entity = ? AND entity_id = ? AND state IN ('pending', 'quarantined')").run(
    issue.entity,
    issue.entityId,
  );
}

function acceptServer(db: Db, issue: SyncIssue, at: string): void {
  const spec: EntitySpec = ENTITIES[issue.entity];
  if (issue.kind === 'conflict') {
    if (issue.overwritten && Object.keys(issue.overwritten).length > 0) updateEntity(db, issue.entity, issue.entityId, knownOnly(spec, issue.overwritten), at);
    return;
  }
  if (wasInsert(db, issue)) {
    // A later insert of the same record (re-sent after a quarantine) may have gone through
    // although this one was refused: then the row is the server's and stays (test/faults
    // seed 1811887545).
    if (!serverHasInsert(db, issue.entity, issue.entityId)) dropLocalInsert(db, issue, at);
    return;
  }
  const server = ownServerRecord(issue);
  if (!server) return; // nothing better known than what we hold
  const local = localFields(db, issue.entity, issue.entityId);
  if (!local) return;
  const pulled = heldVersion(db, issue.entity, issue.entityId, local);
  const mine = issue.localFields ?? {};
  // The issue's server record follows the pulls (followServer), so it is the newest server
  // state this replica knows: every refused field goes back to it, whatever it holds now (my
  // value, or null where a pulled record took a unique value from it, test/faults seeds
  // 1323422819 and 521440928). The pulls still to come patch the fields they change. Only a
  // refusal recorded by a build before that can show an older version than the row holds: then
  // only a field still holding my value goes back.
  const current = pulled <= server.version;
  // A field the server's record lacks was never set there: it goes back to empty (a retirement
  // date the server refused, say).
  const fields = Object.fromEntries(
    Object.keys(mine)
      .filter((f) => current || JSON.stringify(local[f]) === JSON.stringify(mine[f]))
      .map((f) => [f, server[f] ?? null]),
  );
  if (Object.keys(fields).length === 0) return;
  // A server value taken back may be one a local-only row holds now: it steps aside, shown as
  // after a pull, with the whole server record as the one that took it.
  const { id: _id, version: _version, ...serverFields } = server;
  const winner = { entity: issue.entity, id: issue.entityId, fields: serverFields, version: server.version, at };
  const recordDisplaced = displacedRecorder(db, at);
  applyRemoteRecord(db, { entity: issue.entity, id: issue.entityId, fields, version: pulled, at }, 'update', (entity, displaced, field, original) =>
    recordDisplaced(entity, displaced, field, original, winner),
  );
  // edits made after the refused one stay on top, as after a pull
  reapplyPending(db, issue.entity, issue.entityId);
}

/** The server version a row holds: its local version less the edits still waiting (a refused one gave its count back, see markRefused). */
function heldVersion(db: Db, entity: SyncIssue['entity'], id: string, local: { version: number }): number {
  return local.version - waitingUpdates(db, entity, id);
}

/**
 * What a quarantined edit given up goes back to, given what the server answered to
 * `POST /v1/records` (`held`): its record as the server holds it now; for a record the server
 * does not hold (its insert has not reached it), the values the edit started from, all of them
 * this replica's own (null when an edit older than client migration 0007 kept none). Call after
 * the edit was marked refused.
 */
function goingBackTo(db: Db, issue: SyncIssue, held: readonly SnapshotRecord[]): Json | null {
  const local = localFields(db, issue.entity, issue.entityId);
  const pulled = local ? heldVersion(db, issue.entity, issue.entityId, local) : null;
  const record = held.find((r) => r.entity === issue.entity && r.id === issue.entityId);
  if (record) {
    // a pull that came in after the server answered holds a newer state than the answer
    if (pulled !== null && pulled > record.version) throw new AppError('conflict', 'sync.record_moved_on', { entity: issue.entity });
    return { ...record.data, id: record.id, version: record.version };
  }
  const base = issue.mid === null ? null : baseFieldsOf(db, issue.mid);
  return base && pulled !== null ? { ...base, id: issue.entityId, version: pulled } : null;
}

/** Whether the person changed `field` of the record after the refused mutation `mid`. */
function editedSince(db: Db, issue: SyncIssue, field: string): boolean {
  const edits = cachedStatement(db, "SELECT fields FROM change_log WHERE entity = ? AND entity_id = ? AND seq > ? AND op = 'update'").all(
    issue.entity,
    issue.entityId,
    issue.mid ?? 0,
  ) as { fields: string }[];
  return edits.some((e) => field in (JSON.parse(e.fields) as Fields));
}

/**
 * A new record the server refused because another one holds its code or resident ID goes again
 * only when it would not be refused the same way, nor lose what the clerk typed. A grid or unit
 * refused for its code never goes again (CODE_TAKEN_REASONS). A person goes once the clerk gave
 * it a resident ID of its own: not the value this replica left when the server's person took
 * the ID (emptied, unless the clerk emptied it), and not the refused one while nothing here
 * shows that the server's person gave it up (it is pulled here with another).
 */
function requireNewValue(db: Db, issue: SyncIssue): void {
  if (issue.kind !== 'rejection') return;
  if (CODE_TAKEN_REASONS.has(issue.reason)) throw new AppError('rule_violation', 'sync.code_still_taken', { reason: issue.reason });
  if (issue.reason !== 'person.resident_id_taken') return;
  const now = localFields(db, issue.entity, issue.entityId)?.['residentId'] ?? null;
  const leftOver = now === null && !editedSince(db, issue, 'residentId');
  const holder = issue.serverRecord?.['id'];
  const holderGaveItUp = typeof holder === 'string' && holder !== issue.entityId && localFields(db, issue.entity, holder) !== null;
  const stillHeld = now !== null && now === issue.localFields?.['residentId'] && !holderGaveItUp;
  if (leftOver || stillHeld) throw new AppError('rule_violation', 'sync.resident_id_still_taken', { reason: issue.reason });
}

function reapplyMine(db: Db, issue: SyncIssue, at: string): void {
  if (issue.kind === 'conflict') return; // my value already won on the server
  if (wasInsert(db, issue)) {
    requireNewValue(db, issue);
    resendInsert(db, issue, at);
    return;
  }
  const spec: EntitySpec = ENTITIES[issue.entity];
  updateEntity(db, issue.entity, issue.entityId, knownOnly(spec, issue.localFields), at);
}

/** One issue's own settlement, for its record alone. */
function settle(db: Db, issue: SyncIssue, action: SyncResolution, at: string): void {
  switch (action) {
    case 'dismiss':
      if (issue.kind !== 'conflict') throw new AppError('rule_violation', 'sync.dismiss_only_conflicts', { id: issue.id });
      break;
    case 'accept_server':
      // Writing the overwritten parent, code or retirement back would move or un-retire the
      // grid as a plain edit, without a command's checks or its history entry.
      if (issue.kind === 'conflict' && issue.command) throw new AppError('rule_violation', 'sync.command_undo', { command: issue.command.name });
      acceptServer(db, issue, at);
      break;
    case 'reapply_mine':
      reapplyMine(db, issue, at);
      break;
  }
}

/**
 * A command's mutations (docs/sync-protocol.md "Commands") are settled together, as they
 * travel. A refused command is undone whole by taking the server's values, which the refusal
 * carries for each record; it is never sent again as it was: the server checked it against a
 * state that has not gone away (a grid put under the one to retire, a parent retired), so the
 * person does it again on the grid page, where this replica's rules (by then pulled up to date)
 * say what stands in the way. A quarantined command, which the server never judged, is sent
 * again as a new command of the same mutations, or given up whole like a refused one: its edits
 * take the values of their records as the server holds them now (asked for first), its history
 * entry goes.
 */
function settleCommand(db: Db, issue: SyncIssue, command: NonNullable<SyncIssue['command']>, members: SyncIssue[], action: SyncResolution, at: string): void {
  if (action === 'dismiss') throw new AppError('rule_violation', 'sync.dismiss_only_conflicts', { id: issue.id });
  if (action === 'accept_server') {
    // the last change first: history goes before the grid it describes
    for (const member of [...members].reverse()) acceptServer(db, member, at);
    return;
  }
  if (issue.kind === 'rejection') throw new AppError('rule_violation', 'sync.command_redo', { command: command.name });
  const { name, args } = command;
  writeCommand(db, name, COMMAND_ARGS[name].parse(args), () => {
    for (const member of members) reapplyMine(db, member, at);
  });
}

/** The issues settled with this one: its command's refusals or quarantines, or itself. */
function settledWith(db: Db, issue: SyncIssue): SyncIssue[] {
  const command = issue.kind === 'conflict' ? null : issue.command;
  return command ? openIssuesOfCommand(db, command.id) : [issue];
}

/**
 * The records `action` on the issue needs as the server holds them now, asked for before
 * resolveIssue: giving up a quarantined edit puts back what the server holds, which this replica
 * cannot know (its own values lie over the server's until the server takes them, and the values
 * an edit started from may be ones the server never took either).
 */
export function recordsToAsk(db: Db, id: number, action: SyncResolution): RecordRef[] {
  const issue = getIssue(db, id);
  if (action !== 'accept_server' || !issue || issue.resolvedAt || issue.kind !== 'quarantine') return [];
  const refs = new Map<string, RecordRef>();
  for (const m of settledWith(db, issue)) {
    if (m.kind === 'quarantine' && !wasInsert(db, m)) refs.set(`${m.entity}\u0000${m.entityId}`, { entity: m.entity, id: m.entityId });
  }
  return [...refs.values()];
}

/**
 * `held`: what the server answered to `POST /v1/records` for the records recordsToAsk named
 * (one it does not hold is absent); null when that named none.
 */
export function resolveIssue(db: Db, id: number, action: SyncResolution, at: string, held: readonly SnapshotRecord[] | null): SyncIssue {
  return db.transaction(() => {
    const found = getIssue(db, id);
    if (!found) throw notFound('sync_issue', String(id));
    if (found.resolvedAt) throw new AppError('conflict', 'sync.issue_resolved', { id });
    const members = settledWith(db, found);
    // A quarantined mutation is spent once a person decides (it is re-sent as a new mutation,
    // or given up), and before the decision is carried out: left 'quarantined', its values go
    // back on top of the server's with every write of its record (reapplyPending), the one that
    // gives it up included, so the replica never matched (test/faults seed 47); and its row's
    // version counts it until then, where the server's is wanted.
    for (const each of members) if (each.kind === 'quarantine' && each.mid !== null) markRefused(db, each.mid, 'quarantined');
    const withServer = (issue: SyncIssue): SyncIssue =>
      held && issue.kind === 'quarantine' && !wasInsert(db, issue) ? { ...issue, serverRecord: goingBackTo(db, issue, held) } : issue;
    const issue = withServer(found);
    const settled = members.map(withServer);
    const command = issue.kind === 'conflict' ? null : issue.command;
    if (command) settleCommand(db, issue, command, settled, action, at);
    else settle(db, issue, action, at);
    for (const each of settled) markResolved(db, each.id, action, at);
    return getIssue(db, id)!;
  })();
}
