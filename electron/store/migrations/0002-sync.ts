import type { Migration } from '../migrate';

// The station side of sync (docs/sync-protocol.md): change_log becomes the outbox (each row
// carries its delivery state), sync_state holds enrollment, cursor and snapshot progress,
// sync_issue holds what a person must review (rejections, conflicts, quarantined mutations),
// sync_snapshot_record stages a bootstrap until every chunk is in, and every synced table gets
// an `extra` JSON column so fields from a newer schema are kept, not dropped.
const SYNCED_TABLES = ['org_unit', 'grid_unit', 'grid_history', 'person', 'assignment'] as const;

export const sync: Migration = {
  version: 2,
  name: 'sync',
  up(db) {
    db.exec(`
      ALTER TABLE change_log ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'rejected', 'quarantined'));
      ALTER TABLE change_log ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      -- the push loop reads "pending in mid order"; re-applying pending fields looks up one record
      CREATE INDEX change_log_state ON change_log (state, seq);
      CREATE INDEX change_log_entity ON change_log (entity, entity_id, seq);

      CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sync_issue (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('rejection', 'conflict', 'quarantine')),
        mid INTEGER,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        local_fields TEXT,
        server_record TEXT,
        overwritten TEXT,
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT CHECK (resolution IN ('accept_server', 'reapply_mine', 'dismiss'))
      ) STRICT;
      CREATE INDEX sync_issue_open ON sync_issue (resolved_at, kind);

      CREATE TABLE sync_snapshot_record (
        entity TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (entity, id)
      ) STRICT;
    `);
    for (const table of SYNCED_TABLES) db.exec(`ALTER TABLE ${table} ADD COLUMN extra TEXT`);
    // Rows written before this version were never sent anywhere: they stay pending.
  },
};
