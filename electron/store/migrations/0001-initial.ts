import type { Migration } from '../migrate';

// The administrative tree, the grid tree with its history, people and assignments, the
// local change log (the one place every mutation is recorded; sync reads it later) and
// app settings.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE org_unit (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')),
        kind TEXT CHECK (kind IN ('village', 'urban_community')),
        parent_id TEXT REFERENCES org_unit (id),
        hosts_center INTEGER NOT NULL DEFAULT 0 CHECK (hosts_center IN (0, 1)),
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX org_unit_parent ON org_unit (parent_id);

      CREATE TABLE grid_unit (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('large', 'medium', 'small', 'micro')),
        kind TEXT NOT NULL CHECK (kind IN ('basic', 'dedicated')),
        dedicated_type TEXT,
        category TEXT NOT NULL CHECK (category IN ('village', 'urban_community', 'general_rural', 'mountain')),
        parent_id TEXT REFERENCES grid_unit (id),
        org_unit_id TEXT NOT NULL REFERENCES org_unit (id),
        -- the street of org_unit_id, kept so a street's subtree is one index range
        street_id TEXT NOT NULL REFERENCES org_unit (id),
        household_count INTEGER NOT NULL DEFAULT 0 CHECK (household_count >= 0),
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        predecessor_id TEXT REFERENCES grid_unit (id),
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX grid_unit_street ON grid_unit (street_id, code);
      CREATE INDEX grid_unit_org ON grid_unit (org_unit_id, code);
      CREATE INDEX grid_unit_parent ON grid_unit (parent_id);

      CREATE TABLE grid_history (
        id TEXT PRIMARY KEY,
        grid_id TEXT NOT NULL REFERENCES grid_unit (id),
        action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'moved', 'retired')),
        detail TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX grid_history_grid ON grid_history (grid_id, id);

      CREATE TABLE person (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        gender TEXT CHECK (gender IN ('male', 'female')),
        phone TEXT,
        resident_id TEXT UNIQUE,
        party_member INTEGER NOT NULL DEFAULT 0 CHECK (party_member IN (0, 1)),
        party_branch TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'left')),
        org_unit_id TEXT NOT NULL REFERENCES org_unit (id),
        street_id TEXT NOT NULL REFERENCES org_unit (id),
        note TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX person_street_name ON person (street_id, name);
      -- roster pages filter by street + status and sort by name or last change: each count
      -- and page is then one covering index range, no table lookups and no temp B-tree
      CREATE INDEX person_street_status_name ON person (street_id, status, name, id);
      CREATE INDEX person_street_status_updated ON person (street_id, status, updated_at, id);
      CREATE INDEX person_org_name ON person (org_unit_id, name);
      CREATE INDEX person_phone ON person (phone);

      CREATE TABLE assignment (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES person (id),
        grid_id TEXT REFERENCES grid_unit (id),
        org_unit_id TEXT REFERENCES org_unit (id),
        role TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((grid_id IS NULL) <> (org_unit_id IS NULL)),
        CHECK (end_date IS NULL OR end_date >= start_date)
      ) STRICT;
      CREATE INDEX assignment_person ON assignment (person_id);
      CREATE INDEX assignment_grid ON assignment (grid_id, role);
      CREATE INDEX assignment_org ON assignment (org_unit_id, role);
      CREATE INDEX assignment_role ON assignment (role, person_id);

      -- AUTOINCREMENT: seq is the mutation id the server deduplicates on, so it must never
      -- be reused — not after a delete, not after restoring an older backup (see backup.ts)
      CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('insert', 'update')),
        fields TEXT NOT NULL,
        base_version INTEGER,
        at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};
