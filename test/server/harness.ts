import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { PROTOCOL_VERSION, pullResponse, pushResponse, type Mutation, type PullResponse, type PushResponse } from '../../core/sync/protocol';
import { createDistrict, createStreet, issueEnrollmentCode } from '../../server/admin/admin';
import type { Db } from '../../server/db/db';
import { migrate } from '../../server/db/migrate';
import { openPg } from '../../server/db/pg';
import { openPglite } from '../../server/db/pglite';
import { buildApp, closeServer, type ServerOptions } from '../../server/http/app';
import { applyPush } from '../../server/sync/apply';

// Real databases for the server suites: PGlite in memory, and a fresh PostgreSQL database per
// test file (dropped afterwards). The PostgreSQL variant FAILS when PostgreSQL is unreachable,
// unless GRIDDESK_SKIP_PG=1 says to skip it on purpose.

export interface TestDb {
  db: Db;
  /** Owner connection string (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

export interface DbFactory {
  name: 'pglite' | 'pg';
  open(): Promise<TestDb>;
}

const PG_ADMIN_URL = process.env.GRIDDESK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `griddesk_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: urlFor(name),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const pgliteFactory: DbFactory = {
  name: 'pglite',
  async open() {
    const db = await openPglite(null);
    return { db, url: null, drop: () => db.close() };
  },
};

export const pgFactory: DbFactory = {
  name: 'pg',
  async open() {
    const created = await createPgDatabase();
    const db = openPg(created.url, { max: 6 });
    return {
      db,
      url: created.url,
      async drop() {
        await db.close();
        await created.drop();
      },
    };
  },
};

export const FACTORIES: DbFactory[] = process.env.GRIDDESK_SKIP_PG === '1' ? [pgliteFactory] : [pgliteFactory, pgFactory];

export async function openMigrated(factory: DbFactory): Promise<TestDb> {
  const t = await factory.open();
  await migrate(t.db);
  return t;
}

// ---- district fixtures ---------------------------------------------------------------------

export const DISTRICT_CODE = '610116000000';
let streetCounter = 0;

export interface StreetFixture {
  id: string;
  code: string;
  name: string;
}

/** Street codes of one district: three digits (100–999 here). */
const STREET_CODES = 900;

/** A new street with a unique code (tests in one file share one database). */
export async function newStreet(db: Db): Promise<StreetFixture> {
  await createDistrict(db, { code: DISTRICT_CODE, name: '长安区' });
  for (let tries = 0; tries < STREET_CODES; tries++) {
    streetCounter += 1;
    const code = `610116${String(100 + ((process.pid * 7 + streetCounter) % STREET_CODES)).padStart(3, '0')}000`;
    const s = await createStreet(db, { code, name: `测试街道${streetCounter}`, districtCode: DISTRICT_CODE });
    if (s.created) return { id: s.id, code: s.code, name: s.name };
  }
  throw new Error(`all ${STREET_CODES} street codes of the test district are taken: use a fresh database`);
}

// ---- a running server and a wire client ----------------------------------------------------

export interface TestServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startServer(db: Db, options: Omit<ServerOptions, 'db'> = {}): Promise<TestServer> {
  const { app } = await buildApp({ db, ...options });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, close: () => closeServer(app, 500) };
}

/**
 * A migrated database and a server on it for one describe block: opened in beforeAll, closed in
 * afterAll. `serveWith` lets the server see the database through a wrapper (counting, say).
 */
export function serverFixture(
  factory: DbFactory,
  options: Omit<ServerOptions, 'db'> = {},
  serveWith: (db: Db) => Db = (db) => db,
): { readonly t: TestDb; readonly server: TestServer } {
  const fixture = {} as { t: TestDb; server: TestServer };
  beforeAll(async () => {
    fixture.t = await openMigrated(factory);
    fixture.server = await startServer(serveWith(fixture.t.db), options);
  }, 30_000);
  afterAll(async () => {
    await fixture.server?.close();
    await fixture.t?.drop();
  }, 30_000);
  return fixture;
}

export interface WireReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export const VERSION_HEADERS = { 'x-griddesk-protocol': String(PROTOCOL_VERSION), 'x-griddesk-schema': '1' };

export async function call<T = unknown>(
  url: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; gzip?: boolean; headers?: Record<string, string>; raw?: Buffer } = {},
): Promise<WireReply<T>> {
  const headers: Record<string, string> = { ...VERSION_HEADERS, ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: Buffer | undefined = init.raw;
  if (init.body !== undefined) {
    const json = Buffer.from(JSON.stringify(init.body));
    body = init.gzip ? gzipSync(json) : json;
    headers['content-type'] = 'application/json';
    if (init.gzip) headers['content-encoding'] = 'gzip';
  }
  const response = await fetch(`${url}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body: body ? new Uint8Array(body) : undefined });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: leave the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface Device {
  deviceId: string;
  token: string;
  street: StreetFixture;
}

export async function enrollDevice(db: Db, url: string, street: StreetFixture, name = '工作站'): Promise<Device> {
  const issued = await issueEnrollmentCode(db, street.code);
  const reply = await call<{ deviceId: string; token: string }>(url, '/v1/enroll', {
    body: { protocol: PROTOCOL_VERSION, schemaVersion: 1, code: issued.code, deviceName: name },
  });
  if (reply.status !== 200) throw new Error(`enroll failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { deviceId: reply.body.deviceId, token: reply.body.token, street };
}

/** The versions a request body carries, as VERSION_HEADERS says them. */
export const VERSION_BODY = { protocol: PROTOCOL_VERSION, schemaVersion: 1 };

export function pushBody(mutations: Mutation[]): { protocol: number; schemaVersion: number; mutations: Mutation[] } {
  return { ...VERSION_BODY, mutations };
}

/** A station's calls to a fixture's server: `send` as it is, `push` and `pull` expecting 200 and parsed by the protocol. */
export function stationCalls(fx: { readonly t: TestDb; readonly server: TestServer }) {
  const send = (device: Device, mutations: Mutation[], options: { extra?: Record<string, unknown>; gzip?: boolean } = {}) =>
    call<unknown>(fx.server.url, '/v1/push', { token: device.token, body: { ...pushBody(mutations), ...options.extra }, gzip: options.gzip ?? true });
  const push = async (device: Device, mutations: Mutation[], options: { extra?: Record<string, unknown>; gzip?: boolean } = {}): Promise<PushResponse> => {
    const reply = await send(device, mutations, options);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return pushResponse.parse(reply.body);
  };
  const pull = async (device: Device, after = 0, limit = 1000): Promise<PullResponse> => {
    const reply = await call(fx.server.url, `/v1/pull?after=${after}&limit=${limit}`, { token: device.token });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return pullResponse.parse(reply.body);
  };
  /** A new street with a device, one community and one grid already pushed. */
  const streetWithGrid = async () => {
    const street = await newStreet(fx.t.db);
    const device = await enrollDevice(fx.t.db, fx.server.url, street);
    const mids = new MidCounter();
    const orgId = uid('org');
    const org = community(street, 1);
    const gridId = uid('grid');
    const res = await push(device, [
      mutation(mids.next(), 'orgUnit', orgId, org),
      mutation(mids.next(), 'gridUnit', gridId, grid(street, orgId, String(org.code), 1)),
    ]);
    expect(res.rejected).toEqual([]);
    return { street, device, mids, orgId, orgCode: String(org.code), gridId };
  };
  return { send, push, pull, streetWithGrid };
}

// ---- record builders with the station's field names -----------------------------------------

let idCounter = 0;
export const uid = (prefix = 'r'): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(idCounter += 1)}`;

export function community(street: StreetFixture, n: number): Record<string, unknown> {
  return {
    code: `${street.code.slice(0, 9)}${String(n).padStart(3, '0')}`,
    name: `社区${n}`,
    level: 'community',
    kind: 'urban_community',
    parentId: street.id,
    hostsCenter: false,
  };
}

export function grid(street: StreetFixture, orgUnitId: string, communityCode: string, n: number): Record<string, unknown> {
  return {
    code: `${communityCode}3${String(n).padStart(3, '0')}`,
    name: `网格${n}`,
    level: 'small',
    kind: 'basic',
    dedicatedType: null,
    category: 'urban_community',
    parentId: null,
    orgUnitId,
    streetId: street.id,
    householdCount: 120,
    validFrom: '2024-01-01',
    validTo: null,
    predecessorId: null,
  };
}

export function person(street: StreetFixture, orgUnitId: string, name: string, residentId: string | null = null): Record<string, unknown> {
  return {
    name,
    gender: 'female',
    phone: '13800138000',
    residentId,
    partyMember: false,
    partyBranch: null,
    status: 'active',
    orgUnitId,
    streetId: street.id,
    note: null,
  };
}

export class MidCounter {
  private n = 0;
  next(): number {
    return (this.n += 1);
  }
}

export function mutation(
  mid: number,
  entity: Mutation['entity'],
  id: string,
  fields: Record<string, unknown>,
  op: Mutation['op'] = 'insert',
  baseVersion: number | null = null,
): Mutation {
  return { mid, entity, id, op, fields, baseVersion, at: new Date().toISOString() };
}

/**
 * Two streets on one database, A with a device `dev-a` (token hash `tokenHashA`) that pushed a
 * community through the ordinary push path: the setting of the scope suites. Migrated before the
 * file's tests, dropped after.
 */
export function twoStreetsFixture(factory: DbFactory, tokenHashA: string): { readonly t: TestDb; readonly a: StreetFixture; readonly b: StreetFixture; readonly communityA: string } {
  const fixture = { communityA: uid('org') } as { t: TestDb; a: StreetFixture; b: StreetFixture; communityA: string };
  beforeAll(async () => {
    fixture.t = await openMigrated(factory);
    fixture.a = await newStreet(fixture.t.db);
    fixture.b = await newStreet(fixture.t.db);
    const { t, a } = fixture;
    await t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ('dev-a', $1, 'A', $2)`, [a.id, tokenHashA]);
    const result = await applyPush(t.db, { id: 'dev-a', streetId: a.id, streetCode: a.code }, pushBody([mutation(1, 'orgUnit', fixture.communityA, community(a, 1))]));
    expect(result.rejected).toEqual([]);
  }, 30_000);
  afterAll(async () => fixture.t?.drop(), 30_000);
  return fixture;
}
