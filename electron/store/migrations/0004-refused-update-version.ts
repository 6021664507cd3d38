import type { Migration } from '../migrate';

// From this version a refused update gives back its +1 on the row's version when it is marked
// rejected (electron/sync/outbox.ts markRefused), and accepting the server's values relies on
// that. An older build left the +1 in place and took it back only when a person accepted the
// server's values, if nothing else had moved the version. That same rule is applied here, once,
// to the refusals still waiting for a person.
/** Frozen here: a migration must not follow later changes to electron/store/entities.ts. */
const TABLES: Record<string, string> = {
  orgUnit: 'org_unit',
  gridUnit: 'grid_unit',
  gridHistory: 'grid_history',
  person: 'person',
  assignment: 'assignment',
};

export const refusedUpdateVersion: Migration = {
  version: 4,
  name: 'refused-update-version',
  up(db) {
    const open = db
      .prepare(
        `SELECT i.entity, i.entity_id AS id, i.server_record AS server FROM sync_issue i JOIN change_log c ON c.seq = i.mid
          WHERE i.kind = 'rejection' AND i.resolved_at IS NULL AND c.op = 'update' AND c.state = 'rejected'`,
      )
      .all() as { entity: string; id: string; server: string | null }[];
    const waiting = db.prepare("SELECT count(*) AS n FROM change_log WHERE entity = ? AND entity_id = ? AND op = 'update' AND state IN ('pending', 'quarantined')");
    for (const row of open) {
      const version = (JSON.parse(row.server ?? 'null') as { version?: unknown } | null)?.version;
      const table = TABLES[row.entity];
      if (typeof version !== 'number' || !table) continue;
      const { n } = waiting.get(row.entity, row.id) as { n: number };
      db.prepare(`UPDATE ${table} SET version = version - 1 WHERE id = ? AND version = ?`).run(row.id, version + 1 + n);
    }
  },
};
