import type { Migration } from '../migrate';

// Streets, devices, the record store (one JSON document per synced record), the per-street
// change log with its gap-free counter, rejections, conflicts and snapshots.
//
// Row-level security is the second wall behind the code's own scope checks. Every data
// access picks a role explicitly:
//   griddesk_app   — request transactions: sees one street (griddesk.street_id) plus district
//                    reference rows (street_id IS NULL), can read the one device whose token
//                    hash it set (griddesk.token_hash) and the one enrollment code whose hash it
//                    set (griddesk.code_hash). Never deletes.
//   griddesk_admin — the admin CLI: district-wide.
// Tables are FORCE ROW LEVEL SECURITY, so even the owner (the migration login) sees nothing
// without one of these policies unless it is a superuser.
const STREET = `current_setting('griddesk.street_id', true)`;

function roleSql(role: string): string {
  return `
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        BEGIN
          CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
        EXCEPTION WHEN others THEN
          -- another database of this cluster created it at the same moment
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN RAISE; END IF;
        END;
      END IF;
      BEGIN
        EXECUTE format('GRANT ${role} TO %I', current_user);
      EXCEPTION WHEN others THEN NULL; -- superusers may SET ROLE without membership
      END;
    END $$;`;
}

function streetScoped(table: string, app: { select?: string; insert?: boolean; update?: boolean }): string {
  const read = app.select ?? `street_id = ${STREET}`;
  const grants = ['SELECT', ...(app.insert ? ['INSERT'] : []), ...(app.update ? ['UPDATE'] : [])];
  return `
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY ${table}_app_read ON ${table} FOR SELECT TO griddesk_app USING (${read});
    ${app.insert ? `CREATE POLICY ${table}_app_insert ON ${table} FOR INSERT TO griddesk_app WITH CHECK (street_id = ${STREET});` : ''}
    ${app.update ? `CREATE POLICY ${table}_app_update ON ${table} FOR UPDATE TO griddesk_app USING (street_id = ${STREET}) WITH CHECK (street_id = ${STREET});` : ''}
    CREATE POLICY ${table}_admin_all ON ${table} FOR ALL TO griddesk_admin USING (true) WITH CHECK (true);
    GRANT ${grants.join(', ')} ON ${table} TO griddesk_app;
    GRANT SELECT, INSERT, UPDATE ON ${table} TO griddesk_admin;`;
}

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    ${roleSql('griddesk_app')}
    ${roleSql('griddesk_admin')}

    CREATE TABLE district (
      id text PRIMARY KEY,
      code text NOT NULL UNIQUE CHECK (code ~ '^\\d{6}000000$'),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    GRANT SELECT ON district TO griddesk_app;
    GRANT SELECT, INSERT, UPDATE ON district TO griddesk_admin;

    -- street.id is also the id of the street's orgUnit record
    CREATE TABLE street (
      id text PRIMARY KEY,
      code text NOT NULL UNIQUE CHECK (code ~ '^\\d{12}$'),
      name text NOT NULL,
      district_id text NOT NULL REFERENCES district (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    GRANT SELECT ON street TO griddesk_app;
    GRANT SELECT, INSERT, UPDATE ON street TO griddesk_admin;

    CREATE TABLE street_seq (
      street_id text PRIMARY KEY REFERENCES street (id),
      seq bigint NOT NULL DEFAULT 0 CHECK (seq >= 0)
    );

    CREATE TABLE device (
      id text PRIMARY KEY,
      street_id text REFERENCES street (id),
      scope_kind text NOT NULL DEFAULT 'street' CHECK (scope_kind IN ('street', 'district', 'department')),
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      last_mid bigint NOT NULL DEFAULT 0,
      schema_version integer,
      enrolled_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      last_seen_at timestamptz,
      CHECK (scope_kind <> 'street' OR street_id IS NOT NULL)
    );
    CREATE INDEX device_street ON device (street_id);

    CREATE TABLE enrollment_code (
      code_hash text PRIMARY KEY,
      street_id text NOT NULL REFERENCES street (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      used_by text
    );

    -- One JSON document per synced record, with the station's field names. street_id NULL is
    -- district reference data (the district org unit), readable by every street.
    CREATE TABLE record (
      entity text COLLATE "C" NOT NULL CHECK (entity IN ('orgUnit', 'gridUnit', 'gridHistory', 'person', 'assignment')),
      id text COLLATE "C" NOT NULL,
      street_id text REFERENCES street (id),
      data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
      version integer NOT NULL CHECK (version >= 1),
      created_seq bigint,
      updated_seq bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (entity, id),
      CHECK (street_id IS NULL OR created_seq IS NOT NULL)
    );
    CREATE INDEX record_street ON record (street_id, entity, id);
    -- backstops for the uniqueness the apply step re-checks (it answers with the winner)
    CREATE UNIQUE INDEX record_grid_code ON record (street_id, (data->>'code')) WHERE entity = 'gridUnit';
    CREATE UNIQUE INDEX record_org_code ON record (street_id, (data->>'code')) WHERE entity = 'orgUnit';
    CREATE UNIQUE INDEX record_person_resident_id ON record (street_id, (data->>'residentId'))
      WHERE entity = 'person' AND data->>'residentId' IS NOT NULL;

    -- The street's change log: what pull pages through. seq is gap-free per street.
    CREATE TABLE change (
      street_id text NOT NULL REFERENCES street (id),
      seq bigint NOT NULL CHECK (seq >= 1),
      entity text NOT NULL,
      id text NOT NULL,
      op text NOT NULL CHECK (op IN ('insert', 'update')),
      fields jsonb NOT NULL,
      version integer NOT NULL,
      device_id text,
      mid bigint,
      device_at text,
      server_time timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (street_id, seq)
    );

    CREATE TABLE rejection (
      id bigserial PRIMARY KEY,
      street_id text NOT NULL REFERENCES street (id),
      device_id text NOT NULL,
      mid bigint NOT NULL,
      entity text NOT NULL,
      record_id text NOT NULL,
      reason text NOT NULL,
      server_time timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rejection_street ON rejection (street_id, id);
    -- a re-sent batch reports its rejections again (server/sync/resent.ts)
    CREATE INDEX rejection_device ON rejection (device_id, mid);

    CREATE TABLE conflict (
      id bigserial PRIMARY KEY,
      street_id text NOT NULL REFERENCES street (id),
      device_id text NOT NULL,
      mid bigint NOT NULL,
      entity text NOT NULL,
      record_id text NOT NULL,
      base_version integer NOT NULL,
      server_version integer NOT NULL,
      overwritten jsonb NOT NULL,
      server_time timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX conflict_street ON conflict (street_id, id);
    CREATE INDEX conflict_device ON conflict (device_id, mid);

    CREATE TABLE snapshot (
      id text PRIMARY KEY,
      street_id text NOT NULL REFERENCES street (id),
      device_id text NOT NULL,
      seq bigint NOT NULL,
      taken_at timestamptz NOT NULL,
      chunk_size integer NOT NULL,
      records integer NOT NULL,
      -- first (entity, id) of every chunk, so chunk i is one keyset range
      bounds jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    ${streetScoped('street_seq', { update: true })}
    ${streetScoped('device', {
      select: `street_id = ${STREET} OR token_hash = current_setting('griddesk.token_hash', true)`,
      insert: true,
      update: true,
    })}
    ${streetScoped('record', { select: `street_id = ${STREET} OR street_id IS NULL`, insert: true, update: true })}
    ${streetScoped('change', { insert: true })}
    ${streetScoped('rejection', { insert: true })}
    ${streetScoped('conflict', { insert: true })}
    ${streetScoped('snapshot', { insert: true })}

    ALTER TABLE enrollment_code ENABLE ROW LEVEL SECURITY;
    ALTER TABLE enrollment_code FORCE ROW LEVEL SECURITY;
    CREATE POLICY enrollment_code_app_read ON enrollment_code FOR SELECT TO griddesk_app
      USING (code_hash = current_setting('griddesk.code_hash', true));
    CREATE POLICY enrollment_code_app_update ON enrollment_code FOR UPDATE TO griddesk_app
      USING (code_hash = current_setting('griddesk.code_hash', true));
    CREATE POLICY enrollment_code_admin_all ON enrollment_code FOR ALL TO griddesk_admin USING (true) WITH CHECK (true);
    GRANT SELECT, UPDATE ON enrollment_code TO griddesk_app;
    GRANT SELECT, INSERT, UPDATE ON enrollment_code TO griddesk_admin;

    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO griddesk_app, griddesk_admin;
  `,
};
