import type { Migration } from '../migrate';

// Sync protocol 2 writes snapshot chunks straight into the replica (electron/sync/bootstrap.ts),
// so the staging table goes. A bootstrap that an older build left half-staged counted its staged
// chunks as done although none of them reached the replica: its progress is dropped, and the
// next sync takes a new snapshot.
export const snapshotInPlace: Migration = {
  version: 3,
  name: 'snapshot-in-place',
  up(db) {
    const staged = db.prepare('SELECT 1 FROM sync_snapshot_record LIMIT 1').get() !== undefined;
    if (staged) db.prepare("DELETE FROM sync_state WHERE key = 'snapshot'").run();
    db.exec('DROP TABLE sync_snapshot_record');
  },
};
