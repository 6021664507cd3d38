import type { Migration } from '../migrate';

// An edit keeps the values its fields held before it (`base_fields`, JSON in the wire's field
// names; null for inserts and for edits made before this version). The server reports a stale
// edit with every field whose server value differs from the edit's, including fields nobody
// else touched; with the base at hand the station shows only the fields another station really
// changed (electron/sync/issues.ts conflictIssue).
export const editBase: Migration = {
  version: 7,
  name: 'edit-base',
  up(db) {
    db.exec('ALTER TABLE change_log ADD COLUMN base_fields TEXT');
  },
};
