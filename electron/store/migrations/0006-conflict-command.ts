import type { Migration } from '../migrate';

// A conflict now carries the command tag of the mutation it is about, as a refusal always did:
// a command's stale edit can only be dismissed (electron/sync/resolve.ts), since accepting the
// server's values back would move or un-retire a grid as a plain edit. Conflicts recorded by
// builds before this one (from 0005 on) left the tag out; their outbox row still holds it.
export const conflictCommand: Migration = {
  version: 6,
  name: 'conflict-command',
  up(db) {
    db.exec(`
      UPDATE sync_issue SET command = (SELECT c.command FROM change_log c WHERE c.seq = sync_issue.mid)
       WHERE kind = 'conflict' AND command IS NULL AND mid IS NOT NULL;
    `);
  },
};
