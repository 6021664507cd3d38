import type { SyncedEntity } from './protocol';

// How the server merges each entity (docs/sync-protocol.md, "Policies"). Declared once here;
// the server's apply step and the station's conflict display both read it. The third policy,
// commands, belongs to a user action rather than an entity: core/sync/commands.ts.
export type SyncPolicy =
  /** Last writer wins per field in server arrival order; a stale base version is logged as a conflict. */
  | 'fields-lww'
  /** Insert-only, idempotent by id: never conflicts. */
  | 'append-only';

export const SYNC_POLICIES: Record<SyncedEntity, SyncPolicy> = {
  orgUnit: 'fields-lww',
  gridUnit: 'fields-lww',
  gridHistory: 'append-only',
  person: 'fields-lww',
  assignment: 'fields-lww',
};

/**
 * The server's refusals of a new grid or unit because another record holds its code. A code
 * is what the record is (a unit's is its official statistical code), so such a record is never
 * sent again as it was: it is given up for the server's, and drawn again if it was another grid.
 */
export const CODE_TAKEN_REASONS: ReadonlySet<string> = new Set(['grid.code_taken', 'org.code_taken']);
