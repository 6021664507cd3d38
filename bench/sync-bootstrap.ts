import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDevice, benchStreet, type SyncEnv } from './sync-env';

// Bootstrap of a large street: `n` people written straight into the server's record table
// (bench-only setup, one INSERT … SELECT generate_series; no pushes), then a fresh station
// (its own process: sync-bootstrap-child.ts) takes the snapshot with the engine's bootstrap —
// create, fetch and verify every chunk (5,000 records: the server's default), write each into
// the replica, check references and rebuild the indexes at the end.

export interface BootstrapResult {
  ms: number;
  records: number;
  rssBefore: number;
  peakRss: number;
  seedMs: number;
}

export async function seedStreet(env: SyncEnv, n: number): Promise<{ device: Awaited<ReturnType<typeof benchDevice>>; seedMs: number }> {
  const street = await benchStreet(env);
  const device = await benchDevice(env, street);
  const started = performance.now();
  // ids shaped like the stations' UUIDv7s: a millisecond time prefix (one record a minute over
  // a year, 2025 on), random bits after it — so, as in a real street, key order follows the
  // order records were created in; resident IDs unique (the check character is not computed here)
  await env.owner.query(
    `INSERT INTO record (entity, id, street_id, data, version, created_seq, updated_seq)
     SELECT 'person',
            substr(k.t, 1, 8) || '-' || substr(k.t, 9, 4) || '-7' || substr(k.h, 1, 3) || '-8' || substr(k.h, 4, 3) || '-' || substr(k.h, 7, 12),
            $1::text,
            jsonb_build_object(
              'name', '居民' || i, 'gender', CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END,
              'phone', '138' || lpad((i::bigint * 7919 % 100000000)::text, 8, '0'),
              'residentId', CASE WHEN i % 3 = 0 THEN NULL
                            ELSE '110105' || to_char(date '1950-01-01' + i / 1000, 'YYYYMMDD') || lpad((i % 1000)::text, 3, '0') || 'X' END,
              'partyMember', i % 7 = 0, 'partyBranch', NULL, 'status', 'active',
              'orgUnitId', $1::text, 'streetId', $1::text, 'note', CASE WHEN i % 5 = 0 THEN '独居老人，每周走访' ELSE NULL END),
            1, s.seq, s.seq
       FROM generate_series(1, $2::int) AS i
            CROSS JOIN LATERAL (SELECT lpad(to_hex(1735689600000 + i::bigint * 60000), 12, '0') AS t, md5('bp' || i) AS h) k,
            street_seq s
      WHERE s.street_id = $1`,
    [street.id, n],
  );
  await env.owner.query('ANALYZE record');
  return { device, seedMs: performance.now() - started };
}

export function bootstrapInChild(serverUrl: string, device: Awaited<ReturnType<typeof benchDevice>>): Promise<Omit<BootstrapResult, 'seedMs'>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sync-bootstrap-child.ts', import.meta.url)), JSON.stringify({ serverUrl, device })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bootstrap child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Omit<BootstrapResult, 'seedMs'>);
    });
  });
}
