import type { Migration } from '../migrate';

// Commands are checked against the street's current state (server/sync/commands.ts): a grid's
// retirement needs its current children and the duties on it, a grid's move its parent. Those
// are found by the grid they point at: a grid's parent, an assignment's grid. As with
// `unique_value` (0003), the reference is a stored column of its own and not an expression
// index over `data`, so an edit that leaves it alone stays a HOT update. Only grids and
// assignments have it; the index leaves every other record out.
export const recordGridRef: Migration = {
  version: 4,
  name: 'record-grid-ref',
  sql: `
    ALTER TABLE record
      ADD COLUMN grid_ref text GENERATED ALWAYS AS (
        CASE entity WHEN 'gridUnit' THEN data->>'parentId' WHEN 'assignment' THEN data->>'gridId' END
      ) STORED;
    CREATE INDEX record_grid_ref ON record (street_id, entity, grid_ref) WHERE grid_ref IS NOT NULL;
  `,
};
