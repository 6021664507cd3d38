import type { Migration } from '../migrate';

// An admin looks at a device's last_seen_at to find a station that has gone quiet. Only a push
// set it, so a station that mostly reads (it polls every 30 s) looked dead. The pull (0005)
// now sets it too, at most once a minute per device: a pull is most of the server's work and
// should not write a row each time. SKIP LOCKED: a push of the same device holds its row until
// it commits, and sets last_seen_at itself; the pull does not wait for it.
// The function is restated whole (PostgreSQL replaces a function, it does not patch one), and
// 0005 stays as released: a database is migrated through every version in order.
export const pullMarksSeen: Migration = {
  version: 6,
  name: 'pull-marks-seen',
  sql: `
    CREATE OR REPLACE FUNCTION griddesk_pull(p_token_hash text, p_after bigint, p_limit integer)
    RETURNS TABLE (
      device_id text, device_street_id text, scope_kind text, revoked_at timestamptz, street_code text, street_name text,
      seq bigint, entity text, id text, op text, fields jsonb, version integer, change_device_id text, mid bigint, server_time timestamptz
    )
    LANGUAGE plpgsql AS $$
    DECLARE
      d record;
    BEGIN
      PERFORM set_config('role', 'griddesk_app', true), set_config('griddesk.token_hash', p_token_hash, true);
      SELECT dv.id, dv.street_id, dv.scope_kind, dv.revoked_at, dv.last_seen_at, s.code, s.name INTO d
        FROM device dv LEFT JOIN street s ON s.id = dv.street_id
       WHERE dv.token_hash = p_token_hash;
      IF NOT FOUND THEN
        RETURN;
      END IF;
      PERFORM set_config('griddesk.street_id', CASE WHEN d.revoked_at IS NULL AND d.scope_kind = 'street' THEN d.street_id ELSE '' END, true);
      IF d.revoked_at IS NULL AND d.scope_kind = 'street' AND (d.last_seen_at IS NULL OR d.last_seen_at < now() - interval '1 minute') THEN
        UPDATE device SET last_seen_at = now()
         WHERE device.id = (SELECT dl.id FROM device dl WHERE dl.id = d.id FOR UPDATE SKIP LOCKED);
      END IF;
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
