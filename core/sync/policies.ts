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
