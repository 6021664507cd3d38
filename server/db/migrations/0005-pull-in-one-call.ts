import type { Migration } from '../migrate';

// A pull is most of what the server does: every station asks every 30 s and after every
// change of its street. In a request transaction it took five round trips (BEGIN, scope, device,
// changes, COMMIT), and on a two-core server under 125 polling stations each one was another
// wait for the Node process and a PostgreSQL backend to be scheduled. This function does the
// same in one call (server/sync/pull.ts): it switches to griddesk_app, finds the token's
// device, sets the device's street for row-level security only if the device may read it (a
// live street device: a revoked one reads nothing), and returns the device with the street's
// changes after the cursor, one row per change, or one row with null change columns when there
// are none. No row: no such device. The caller checks the device as withDevice would.
export const pullInOneCall: Migration = {
  version: 5,
  name: 'pull-in-one-call',
  sql: `
    CREATE FUNCTION griddesk_pull(p_token_hash text, p_after bigint, p_limit integer)
    RETURNS TABLE (
      device_id text, device_street_id text, scope_kind text, revoked_at timestamptz, street_code text, street_name text,
      seq bigint, entity text, id text, op text, fields jsonb, version integer, change_device_id text, mid bigint, server_time timestamptz
    )
    LANGUAGE plpgsql AS $$
    DECLARE
      d record;
    BEGIN
      PERFORM set_config('role', 'griddesk_app', true), set_config('griddesk.token_hash', p_token_hash, true);
      SELECT dv.id, dv.street_id, dv.scope_kind, dv.revoked_at, s.code, s.name INTO d
        FROM device dv LEFT JOIN street s ON s.id = dv.street_id
       WHERE dv.token_hash = p_token_hash;
      IF NOT FOUND THEN
        RETURN;
      END IF;
      PERFORM set_config('griddesk.street_id', CASE WHEN d.revoked_at IS NULL AND d.scope_kind = 'street' THEN d.street_id ELSE '' END, true);
      RETURN QUERY
        SELECT d.id, d.street_id, d.scope_kind, d.revoked_at, d.code, d.name,
               c.seq, c.entity, c.id, c.op, c.fields, c.version, c.device_id, c.mid, c.server_time
          FROM (SELECT 1) AS one
          LEFT JOIN LATERAL (
            SELECT ch.seq, ch.entity, ch.id, ch.op, ch.fields, ch.version, ch.device_id, ch.mid, ch.server_time
              FROM change ch
             WHERE ch.street_id = current_setting('griddesk.street_id') AND ch.seq > p_after
             ORDER BY ch.seq
             LIMIT p_limit
          ) AS c ON true;
    END
    $$;
  `,
};
