import type { SyncedEntity } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import type { RecordLookup, StreetScope } from './checks';
import type { CommandLookup } from './commands';
import type { Doc } from './entities';
import { appendChange, findByGrid, findSameValue, insertRecord, loadInStreet, loadRecord, updateRecord, type ChangeEntry, type StoredRecord } from './records';

// What applying one mutation reads and writes. Two implementations run the SAME decision code
// (apply-one.ts): the database itself, one statement per step, under a savepoint per mutation
// (the reference path, and the fallback), and the batch path's in-memory view
// (batch-store.ts) whose writes are flushed with a few multi-row statements.

export interface ConflictEntry {
  mid: number;
  entity: SyncedEntity;
  id: string;
  baseVersion: number;
  serverVersion: number;
  overwritten: Doc;
}

export interface ApplyStore extends RecordLookup {
  load(entity: SyncedEntity, id: string): Promise<StoredRecord | null>;
  insert(r: { entity: SyncedEntity; id: string; streetId: string; data: Doc; seq: number }): Promise<void>;
  update(r: { entity: SyncedEntity; id: string; data: Doc; version: number; seq: number }): Promise<void>;
  appendChange(c: ChangeEntry): Promise<void>;
  logConflict(c: ConflictEntry): Promise<void>;
}

/** The database itself also answers what a command's checks ask (the batch path never runs a command). */
export function dbStore(tx: Queryable, scope: StreetScope & { deviceId: string }): ApplyStore & CommandLookup {
  return {
    byGrid: (entity, gridId) => findByGrid(tx, entity, scope.streetId, gridId),
    load: (entity, id) => loadRecord(tx, entity, id),
    inStreet: (entity, id) => loadInStreet(tx, entity, id, scope.streetId),
    sameValue: (entity, value, exceptId) => findSameValue(tx, entity, scope.streetId, value, exceptId),
    insert: (r) => insertRecord(tx, r),
    update: (r) => updateRecord(tx, r),
    appendChange: (c) => appendChange(tx, c),
    async logConflict(c) {
      await tx.query(
        `INSERT INTO conflict (street_id, device_id, mid, entity, record_id, base_version, server_version, overwritten)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [scope.streetId, scope.deviceId, c.mid, c.entity, c.id, c.baseVersion, c.serverVersion, JSON.stringify(c.overwritten)],
      );
    },
  };
}
