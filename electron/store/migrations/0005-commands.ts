import type { Migration } from '../migrate';

// Commands (docs/sync-protocol.md "Commands"): the change_log rows one user action wrote (a
// grid's move or retirement) carry the command's tag, the same JSON on each, and travel and are
// refused together. A refusal's issues carry it too, so the sync page shows one card for them.
export const commands: Migration = {
  version: 5,
  name: 'commands',
  up(db) {
    db.exec(`
      ALTER TABLE change_log ADD COLUMN command TEXT;
      ALTER TABLE sync_issue ADD COLUMN command TEXT;
    `);
  },
};
