import type { Migration } from '../migrate';

// An update of a record rewrote an entry in each of its indexes: the three unique indexes were
// expressions over `data`, so any change to the document counted as a change to an indexed
// column and PostgreSQL could never update in place (a HOT update). ~14 µs of the ~18 a pushed
// update cost inside the street lock went to new index entries (docs/performance.md "Sync").
//
// - `unique_value` is the business-unique field stored as its own column (UNIQUE_FIELD in
//   server/sync/checks.ts: an org unit's or grid's code, a person's resident ID), and the
//   unique indexes, under their old names, cover it instead: an edit that leaves it alone
//   touches no indexed column.
// - fillfactor 50: a record is edited over its life (the roster, a case's every step), so each
//   page keeps room for a new version of each of its rows; PostgreSQL prunes the dead versions
//   when it next reads the page, so the room comes back without a vacuum.
// Adding the column rewrites the table (with the new fill) and rebuilds its indexes under an
// exclusive lock: the server is down for that long on a large district (docs/server.md).
export const hotRecordUpdates: Migration = {
  version: 3,
  name: 'hot-record-updates',
  sql: `
    -- fillfactor first: adding the stored column rewrites the table, which then leaves the room
    ALTER TABLE record SET (fillfactor = 50);
    ALTER TABLE record
      ADD COLUMN unique_value text GENERATED ALWAYS AS (
        CASE entity WHEN 'orgUnit' THEN data->>'code' WHEN 'gridUnit' THEN data->>'code' WHEN 'person' THEN data->>'residentId' END
      ) STORED;
    DROP INDEX record_grid_code, record_org_code, record_person_resident_id;
    CREATE UNIQUE INDEX record_grid_code ON record (street_id, unique_value) WHERE entity = 'gridUnit';
    CREATE UNIQUE INDEX record_org_code ON record (street_id, unique_value) WHERE entity = 'orgUnit';
    CREATE UNIQUE INDEX record_person_resident_id ON record (street_id, unique_value)
      WHERE entity = 'person' AND unique_value IS NOT NULL;
  `,
};
