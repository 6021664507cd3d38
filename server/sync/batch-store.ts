import type { Mutation, SyncedEntity } from '../../core/sync/protocol';
import type { Queryable } from '../db/db';
import { num } from '../db/db';
import { REFERENCES, UNIQUE_FIELD, type StreetScope } from './checks';
import { HAS_CONTROL, type Doc } from './entities';
import { asServerRecord, loadRecord, type ChangeEntry, type StoredRecord } from './records';
import { REASONS, Rejection } from './rejection';
import type { ApplyStore, ConflictEntry } from './store';

// The batch path's view of the database (docs/performance.md "Sync"): every record a batch
// touches or references, and every holder of a unique value it sets, is read up front in two
// queries; apply-one.ts then decides each mutation against this view, whose writes only
// update the view and are flushed afterwards by batch-write.ts. The view must answer exactly
// what the database would have answered at that point of the batch; where it cannot be sure,
// it throws PlanMiss and the batch is applied the old way, one mutation at a time.

export class PlanMiss extends Error {}

/** The final state of a record the batch wrote. */
export interface RecordWrite {
  entity: SyncedEntity;
  id: string;
  streetId: string;
  data: Doc;
  version: number;
  createdSeq: number;
  updatedSeq: number;
  /** Not in the database before this batch: INSERT, else UPDATE. */
  isNew: boolean;
  /** For an UPDATE: the document as the database holds it (the flush sends only what differs). */
  stored: Doc | null;
}

const key = (entity: SyncedEntity, id: string): string => `${entity}\u0000${id}`;
const uniqueKey = (entity: SyncedEntity, value: string): string => `${entity}\u0000${value}`;
// PostgreSQL text cannot hold NUL: the database path fails such a lookup with a data error,
// which becomes validation.bad_value. The view answers the same.
const hasNul = (s: string): boolean => s.includes('\u0000');

/**
 * What `data->>'field'` gives for a JSON value: text as is, other scalars as JSON, null for
 * none; undefined for an object or array, whose PostgreSQL text form differs from JSON.stringify.
 */
function textOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  return undefined;
}

interface Row {
  entity: SyncedEntity;
  id: string;
  street_id: string | null;
  data: Doc;
  version: unknown;
}

export class BatchStore implements ApplyStore {
  private readonly cache = new Map<string, StoredRecord | null>();
  /** unique value → ids of the street's records holding it, for every value the batch sets. */
  private readonly holders = new Map<string, Set<string>>();
  readonly writes = new Map<string, RecordWrite>();
  readonly changes: ChangeEntry[] = [];
  readonly conflicts: ConflictEntry[] = [];

  private constructor(
    private readonly tx: Queryable,
    private readonly scope: StreetScope,
  ) {}

  /** Two queries: the records the batch names or references, and the holders of the unique values it sets. */
  static async preload(tx: Queryable, scope: StreetScope, mutations: readonly Mutation[]): Promise<BatchStore> {
    const store = new BatchStore(tx, scope);
    const wanted = new Map<string, [SyncedEntity, string]>();
    const values = new Map<SyncedEntity, Set<string>>();
    const want = (entity: SyncedEntity, id: unknown): void => {
      if (typeof id === 'string' && !HAS_CONTROL.test(id)) wanted.set(key(entity, id), [entity, id]);
    };
    for (const m of mutations) {
      want(m.entity, m.id);
      for (const [field, target] of REFERENCES[m.entity]) want(target, m.fields[field]);
      const unique = UNIQUE_FIELD[m.entity];
      const value = unique ? m.fields[unique] : undefined;
      if (typeof value === 'string' && !hasNul(value)) {
        let set = values.get(m.entity);
        if (!set) values.set(m.entity, (set = new Set()));
        set.add(value);
      }
    }
    if (wanted.size > 0) {
      const keys = [...wanted.values()];
      // One primary-key probe per key (LATERAL … OFFSET 0 keeps the planner from flattening it):
      // a plain join was planned as a scan of the whole street hashed against the keys, because
      // the row-level security condition makes a street look like a few hundred rows: O(street)
      // per batch instead of O(batch).
      const rows = await tx.query<Row>(
        `SELECT r.entity, r.id, r.street_id, r.data, r.version
           FROM unnest($1::text[], $2::text[]) AS k(entity, id)
           CROSS JOIN LATERAL (SELECT * FROM record x WHERE x.entity = k.entity COLLATE "C" AND x.id = k.id COLLATE "C" OFFSET 0) r`,
        [keys.map((k) => k[0]), keys.map((k) => k[1])],
        { prepared: true },
      );
      for (const [k] of wanted) store.cache.set(k, null);
      for (const r of rows.rows) store.cache.set(key(r.entity, r.id), { streetId: r.street_id, data: r.data, version: num(r.version) });
    }
    if (values.size > 0) await store.preloadHolders(values);
    return store;
  }

  private async preloadHolders(values: Map<SyncedEntity, Set<string>>): Promise<void> {
    const list = (entity: SyncedEntity): string[] => [...(values.get(entity) ?? [])];
    for (const [entity, set] of values) for (const v of set) this.holders.set(uniqueKey(entity, v), new Set());
    // each branch matches one partial unique index (record_grid_code, record_org_code, record_person_resident_id)
    const rows = await this.tx.query<Row & { value: string }>(
      `SELECT entity, id, street_id, data, version, unique_value AS value FROM record
        WHERE street_id = $1 AND entity = 'gridUnit' AND unique_value = ANY($2::text[])
       UNION ALL
       SELECT entity, id, street_id, data, version, unique_value FROM record
        WHERE street_id = $1 AND entity = 'orgUnit' AND unique_value = ANY($3::text[])
       UNION ALL
       SELECT entity, id, street_id, data, version, unique_value FROM record
        WHERE street_id = $1 AND entity = 'person' AND unique_value IS NOT NULL AND unique_value = ANY($4::text[])`,
      // not prepared: a generic plan cannot see the value lists and scans the street instead of the partial indexes
      [this.scope.streetId, list('gridUnit'), list('orgUnit'), list('person')],
    );
    for (const r of rows.rows) {
      this.holders.get(uniqueKey(r.entity, r.value))?.add(r.id);
      const k = key(r.entity, r.id);
      if (!this.cache.get(k)) this.cache.set(k, { streetId: r.street_id, data: r.data, version: num(r.version) });
    }
  }

  /**
   * Whether this view, read when the street's seq was `readSeq`, still holds at `lockedSeq`
   * (the caller holds the street lock): no change committed in between wrote a record the view
   * holds (named, referenced or a holder) or set one of the unique values it looked up. Every
   * record write appends to its street's log under that lock (pushes and admin commands
   * alike), so the log between the two is the whole difference. Over-approximates: a `code`
   * or `residentId` of any entity counts. The values are matched by `IN (SELECT unnest(...))`,
   * a hashed subplan: `= ANY($6)` is hashed only while the array is a constant, so once
   * PostgreSQL switched this prepared statement to its generic plan every change row compared
   * its values with each of the batch's one by one (~10–15 ms of a 1,000-insert batch, inside
   * the street lock).
   */
  async stillCurrent(readSeq: number, lockedSeq: number): Promise<boolean> {
    if (lockedSeq === readSeq) return true;
    const entities: string[] = [];
    const ids: string[] = [];
    for (const k of this.cache.keys()) {
      const cut = k.indexOf('\u0000');
      entities.push(k.slice(0, cut));
      ids.push(k.slice(cut + 1));
    }
    const values = [...this.holders.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1));
    const touched = await this.tx.query(
      `SELECT 1 FROM change c
        WHERE c.street_id = $1 AND c.seq > $2 AND c.seq <= $3
          AND ((c.entity, c.id) IN (SELECT * FROM unnest($4::text[], $5::text[]))
               OR c.fields->>'code' IN (SELECT unnest($6::text[])) OR c.fields->>'residentId' IN (SELECT unnest($6::text[])))
        LIMIT 1`,
      [this.scope.streetId, readSeq, lockedSeq, entities, ids, values],
      { prepared: true },
    );
    return touched.rows.length === 0;
  }

  /** The batch's final write of a record, if it wrote one. */
  written(entity: SyncedEntity, id: string): RecordWrite | undefined {
    return this.writes.get(key(entity, id));
  }

  /** Writes so far (a rejection must not follow one: see apply-one.ts). */
  get writeCount(): number {
    return this.changes.length + this.conflicts.length;
  }

  async load(entity: SyncedEntity, id: string): Promise<StoredRecord | null> {
    const k = key(entity, id);
    const cached = this.cache.get(k);
    if (cached !== undefined) return cached;
    // not preloaded (never expected): nothing in this batch wrote it, so the database is current
    const loaded = await loadRecord(this.tx, entity, id);
    this.cache.set(k, loaded);
    return loaded;
  }

  async inStreet(entity: SyncedEntity, id: string): Promise<Doc | null> {
    if (hasNul(id)) throw new Rejection(REASONS.badValue);
    const r = await this.load(entity, id);
    return r && r.streetId === this.scope.streetId ? r.data : null;
  }

  async sameValue(entity: SyncedEntity, value: string, exceptId: string): Promise<Doc | null> {
    if (hasNul(value)) throw new Rejection(REASONS.badValue);
    if (!UNIQUE_FIELD[entity]) throw new PlanMiss(`no unique index for ${entity}`);
    const ids = this.holders.get(uniqueKey(entity, value));
    if (!ids) throw new PlanMiss(`unique value not preloaded: ${entity}`);
    for (const id of ids) {
      if (id === exceptId) continue;
      const r = this.cache.get(key(entity, id));
      if (!r) throw new PlanMiss(`holder not cached: ${entity}`);
      return asServerRecord(id, r.data, r.version);
    }
    return null;
  }

  /** Keeps `holders` true after a write changes a record's unique value. */
  private reindex(entity: SyncedEntity, id: string, before: Doc | null, after: Doc): void {
    const field = UNIQUE_FIELD[entity];
    if (!field) return;
    const old = before ? before[field] : undefined;
    const now = after[field];
    if (old === now) return;
    const oldText = textOf(old);
    const newText = textOf(now);
    if (oldText === undefined || newText === undefined) throw new PlanMiss('unique field holds a structured value');
    if (oldText !== null) this.holders.get(uniqueKey(entity, oldText))?.delete(id);
    if (newText !== null) {
      const set = this.holders.get(uniqueKey(entity, newText));
      if (!set) throw new PlanMiss('unique value not preloaded');
      set.add(id);
    }
  }

  async insert(r: { entity: SyncedEntity; id: string; streetId: string; data: Doc; seq: number }): Promise<void> {
    const k = key(r.entity, r.id);
    if (this.cache.get(k)) throw new PlanMiss('insert of a known record');
    this.reindex(r.entity, r.id, null, r.data);
    this.cache.set(k, { streetId: r.streetId, data: r.data, version: 1 });
    // a literal, not `{...r, version: 1, …}`: see the change entries in apply-one.ts
    this.writes.set(k, { entity: r.entity, id: r.id, streetId: r.streetId, data: r.data, version: 1, createdSeq: r.seq, updatedSeq: r.seq, isNew: true, stored: null });
  }

  async update(r: { entity: SyncedEntity; id: string; data: Doc; version: number; seq: number }): Promise<void> {
    const k = key(r.entity, r.id);
    const current = this.cache.get(k);
    if (!current || current.streetId === null) throw new PlanMiss('update of an unknown record');
    this.reindex(r.entity, r.id, current.data, r.data);
    this.cache.set(k, { streetId: current.streetId, data: r.data, version: r.version });
    const w = this.writes.get(k);
    if (w) Object.assign(w, { data: r.data, version: r.version, updatedSeq: r.seq });
    else {
      this.writes.set(k, {
        entity: r.entity,
        id: r.id,
        streetId: current.streetId,
        data: r.data,
        version: r.version,
        createdSeq: r.seq,
        updatedSeq: r.seq,
        isNew: false,
        stored: current.data,
      });
    }
  }

  async appendChange(c: ChangeEntry): Promise<void> {
    this.changes.push(c);
  }

  async logConflict(c: ConflictEntry): Promise<void> {
    this.conflicts.push(c);
  }
}
