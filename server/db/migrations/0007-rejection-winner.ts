import type { Migration } from '../migrate';

// A refusal for a business-unique value taken by another record (a grid code, a resident ID)
// names that record, the winner of the race: a refused insert shows it as the server's record,
// a refused edit beside its own. A reply lost on the way is answered again from the stored
// refusal (server/sync/resent.ts), which kept only the reason: the winner is kept too, so
// the station that asks again sees what it would have seen the first time.
export const rejectionWinner: Migration = {
  version: 7,
  name: 'rejection-winner',
  sql: `ALTER TABLE rejection ADD COLUMN winner_id text;`,
};
