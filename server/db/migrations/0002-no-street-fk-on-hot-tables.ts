import type { Migration } from '../migrate';

// A push writes a record row and a change row per mutation, and each of their foreign keys to
// street ran a referential-integrity query per row: ~4 µs a row, about a tenth of the time a
// batch holds its street's lock (docs/performance.md "Sync"). The reference is guaranteed
// without them: app transactions may only write rows of the street set from their device
// (row-level security WITH CHECK), a device row references its street, admin code creates a
// street before its rows, and streets are never deleted.
export const noStreetFkOnHotTables: Migration = {
  version: 2,
  name: 'no-street-fk-on-hot-tables',
  sql: `
    ALTER TABLE record DROP CONSTRAINT record_street_id_fkey;
    ALTER TABLE change DROP CONSTRAINT change_street_id_fkey;
  `,
};
