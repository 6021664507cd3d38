import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { enrollResponse, PROTOCOL_VERSION } from '../core/sync/protocol';
import { createDistrict, createStreet, issueEnrollmentCode } from '../server/admin/admin';
import type { Db } from '../server/db/db';
import { migrate } from '../server/db/migrate';
import { openPg } from '../server/db/pg';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process';

// The sync bench's own district server: a fresh PostgreSQL database (dropped at the end), the
// real server as its own process (server/cli.ts, as `npm run server` runs it) on a loopback
// port, one district. In production the station and the server are different machines, so
// they do not share one Node event loop here either. Rate limits are lifted (the bench is its
// own traffic); every other server option is the production default.

export const PG_ADMIN_URL = process.env.GRIDDESK_BENCH_PG_URL ?? process.env.GRIDDESK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DISTRICT_CODE = '610116000000';

export interface SyncEnv {
  db: Db;
  /** Owner connection (bench-only setup and the raw baselines). */
  owner: pg.Pool;
  url: string;
  server: ServerProcess;
  close(): Promise<void>;
}

export interface BenchStreet {
  id: string;
  code: string;
}

export interface BenchDevice {
  deviceId: string;
  token: string;
  street: BenchStreet;
}

export async function openSyncEnv(): Promise<SyncEnv> {
  const name = `griddesk_bench_${randomBytes(5).toString('hex')}`;
  const adminUrl = new URL(PG_ADMIN_URL);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  adminUrl.pathname = `/${name}`;
  const dbUrl = adminUrl.toString();
  const db = openPg(dbUrl, { max: 10 });
  await migrate(db);
  await createDistrict(db, { code: DISTRICT_CODE, name: '长安区' });
  const server = await startServerProcess(dbUrl, ['--rate-limit', '1000000', '--enroll-rate-limit', '10000']);
  const owner = new pg.Pool({ connectionString: dbUrl, max: 2 });
  return {
    db,
    owner,
    url: server.url,
    server,
    async close() {
      await server.stop();
      await owner.end();
      await db.close();
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

let streetNo = 0;
export async function benchStreet(env: SyncEnv): Promise<BenchStreet> {
  streetNo += 1;
  const code = `610116${String(streetNo).padStart(3, '0')}000`;
  const s = await createStreet(env.db, { code, name: `基准街道${streetNo}`, districtCode: DISTRICT_CODE });
  return { id: s.id, code };
}

export const VERSION_HEADERS = { 'x-griddesk-protocol': String(PROTOCOL_VERSION), 'x-griddesk-schema': '2' };

export async function benchDevice(env: SyncEnv, street: BenchStreet, name = '基准工作站'): Promise<BenchDevice> {
  const issued = await issueEnrollmentCode(env.db, street.code);
  const response = await fetch(`${env.url}/v1/enroll`, {
    method: 'POST',
    headers: { ...VERSION_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, schemaVersion: 2, code: issued.code, deviceName: name }),
  });
  const reply = enrollResponse.parse(await response.json());
  return { deviceId: reply.deviceId, token: reply.token, street };
}
