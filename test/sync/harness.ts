import { afterAll, beforeAll } from 'vitest';
import type { Db as ServerDb } from '../../server/db/db';
import { openPglite } from '../../server/db/pglite';
import { migrate } from '../../server/db/migrate';
import { withAdmin } from '../../server/db/scope';
import { issueEnrollmentCode } from '../../server/admin/admin';
import type { ServerOptions } from '../../server/http/app';
import { localFields } from '../../electron/store/apply-remote';
import { ENTITIES, type EntityName } from '../../electron/store/entities';
import { syncEngineFor, type SyncEngine } from '../../electron/sync';
import type { EngineOptions } from '../../electron/sync/engine';
import { openStation, type Station } from '../helpers/station';
import { newStreet, startServer, type StreetFixture, type TestServer } from '../server/harness';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

// The real district server (PGlite in memory, Fastify on a loopback port) and stations on real
// SQLite files, each with its own sync engine. Backoff is shortened so retries fit a test.

export const FAST: Partial<EngineOptions> = { backoff: { baseMs: 5, capMs: 40 }, pokeDelayMs: 10, quarantineAfter: 3 };

export interface District {
  db: ServerDb;
  server: TestServer;
  url: string;
  close(): Promise<void>;
}

export async function startDistrict(options: Omit<ServerOptions, 'db'> = {}): Promise<District> {
  const db = await openPglite(null);
  await migrate(db);
  const server = await startServer(db, { rateLimit: { max: 100_000, timeWindowMs: 60_000 }, enrollRateLimit: { max: 10_000, timeWindowMs: 60_000 }, heartbeatMs: 500, ...options });
  return {
    db,
    server,
    url: server.url,
    async close() {
      await server.close();
      await db.close();
    },
  };
}

export { newStreet, type StreetFixture };

/**
 * A server behind a fault proxy for one test file, and the stations its tests open (pushed onto
 * `stations`): all stopped and closed in afterAll.
 */
export function behindFaultProxy<S extends { url: string; close(): Promise<void> }>(
  start: () => Promise<S>,
): { readonly server: S; readonly proxy: FaultProxy; readonly stations: SyncStation[] } {
  const fixture = { stations: [] as SyncStation[] } as { server: S; proxy: FaultProxy; stations: SyncStation[] };
  // PGlite's first start (WASM, initdb) can take over vitest's 10 s on a busy two-core machine
  beforeAll(async () => {
    fixture.server = await start();
    fixture.proxy = await startFaultProxy(fixture.server.url);
  }, 60_000);
  afterAll(async () => {
    for (const s of fixture.stations) {
      await s.engine.stop();
      s.close();
    }
    await fixture.proxy?.close();
    await fixture.server?.close();
  });
  return fixture;
}

export async function enrollmentCode(db: ServerDb, street: StreetFixture): Promise<string> {
  return (await issueEnrollmentCode(db, street.code)).code;
}

export interface SyncStation extends Station {
  engine: SyncEngine;
}

export function openSyncStation(options: Partial<EngineOptions> = {}): SyncStation {
  const station = openStation();
  const engine = syncEngineFor(station.ctx, { ...FAST, ...options });
  return { ...station, engine };
}

export async function enrolledStation(
  district: District,
  street: StreetFixture,
  options: Partial<EngineOptions> & { serverUrl?: string; name?: string } = {},
): Promise<SyncStation> {
  const { serverUrl, name, ...engineOptions } = options;
  const station = openSyncStation(engineOptions);
  await station.engine.enroll({ serverUrl: serverUrl ?? district.url, code: await enrollmentCode(district.db, street), deviceName: name ?? '工作站' });
  await station.engine.syncNow();
  return station;
}

type Dump = Record<string, { version: number; fields: Record<string, unknown> }>;

/** Every synced row of a replica, by `entity:id`, with fields in the wire's names. */
export function replicaDump(station: Station): Dump {
  const dump: Dump = {};
  for (const entity of Object.keys(ENTITIES) as EntityName[]) {
    const ids = station.ctx.db.prepare(`SELECT id FROM ${ENTITIES[entity].table} ORDER BY id`).all() as { id: string }[];
    for (const { id } of ids) {
      const { version, ...fields } = localFields(station.ctx.db, entity, id)!;
      dump[`${entity}:${id}`] = { version, fields };
    }
  }
  return dump;
}

/** The records a street's stations should hold: the street's own and the district reference data. */
export async function serverDump(db: ServerDb, streetId: string): Promise<Dump> {
  return withAdmin(db, async (tx) => {
    const rows = await tx.query<{ entity: string; id: string; data: Record<string, unknown>; version: number | string }>(
      'SELECT entity, id, data, version FROM record WHERE street_id = $1 OR street_id IS NULL ORDER BY entity, id',
      [streetId],
    );
    const dump: Dump = {};
    for (const r of rows.rows) dump[`${r.entity}:${r.id}`] = { version: Number(r.version), fields: r.data };
    return dump;
  });
}

/**
 * The replica restricted to the fields the server holds (a replica row also has columns nobody
 * set), plus any field the server never set that holds a value here: the server's side of it is
 * empty, so that is a difference.
 */
export function asServerSees(replica: Dump, server: Dump): Dump {
  const out: Dump = {};
  for (const [key, row] of Object.entries(replica)) {
    const serverFields = server[key]?.fields ?? row.fields;
    const fields = new Set([...Object.keys(serverFields), ...Object.keys(row.fields).filter((f) => !unset(row.fields[f]))]);
    out[key] = { version: row.version, fields: Object.fromEntries([...fields].map((f) => [f, row.fields[f] ?? null])) };
  }
  return out;
}

/** A column's value when nobody set it: SQL NULL, or a boolean column's default. */
const unset = (value: unknown): boolean => value === null || value === undefined || value === false;

/** Org code of community n under a street (12 digits, street's first 9). */
export const communityCode = (street: StreetFixture, n: number): string => `${street.code.slice(0, 9)}${String(n).padStart(3, '0')}`;

export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
