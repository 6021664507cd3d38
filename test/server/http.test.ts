import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, MIN_PROTOCOL_VERSION, MIN_STATION_SCHEMA, syncError } from '../../core/sync/protocol';
import { MIGRATIONS } from '../../server/db/migrations';
import type { Db } from '../../server/db/db';
import {
  call,
  community,
  enrollDevice,
  FACTORIES,
  mutation,
  newStreet,
  person,
  pushBody,
  serverFixture,
  uid,
  type Device,
} from './harness';

describe.each(FACTORIES)('HTTP surface on $name', (factory) => {
  const fx = serverFixture(factory, { maxBodyBytes: 64 * 1024, enrollRateLimit: { max: 1000, timeWindowMs: 60_000 } });
  let device: Device;

  beforeAll(async () => {
    device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
  }, 30_000);

  it('GET /health answers without versions or a token', async () => {
    const reply = await call<{ ok: boolean; schema: number }>(fx.server.url, '/health', { headers: {} });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ok: true, schema: MIGRATIONS.at(-1)!.version, database: factory.name, stationSchema: { min: MIN_STATION_SCHEMA } });
  });

  it('every /v1 route checks the version headers: an old protocol or station schema → 426 with the minimum', async () => {
    for (const [method, path] of [
      ['GET', '/v1/pull?after=0'],
      ['POST', '/v1/push'],
      ['POST', '/v1/enroll'],
      ['POST', '/v1/snapshot'],
      ['POST', '/v1/records'],
      ['GET', '/v1/events'],
    ] as const) {
      const old = await call(fx.server.url, path, { method, token: device.token, headers: { 'x-griddesk-protocol': '0' } });
      expect(old.status, path).toBe(426);
      expect(syncError.parse(old.body).error).toEqual({ code: 'client_too_old', reason: 'protocol_too_old', minProtocol: MIN_PROTOCOL_VERSION });
      const oldSchema = await call(fx.server.url, path, { method, token: device.token, headers: { 'x-griddesk-schema': String(MIN_STATION_SCHEMA - 1) } });
      expect(oldSchema.status, path).toBe(426);
      expect(syncError.parse(oldSchema.body).error).toEqual({ code: 'client_too_old', reason: 'schema_too_old', minSchema: MIN_STATION_SCHEMA });
      const missing = await fetch(`${fx.server.url}${path}`, { method, headers: { authorization: `Bearer ${device.token}` } });
      expect(missing.status, path).toBe(400);
      expect(syncError.parse(await missing.json()).error.code).toBe('bad_request');
    }
    // the body's versions too, where it has them
    for (const versions of [{ protocol: 0 }, { schemaVersion: MIN_STATION_SCHEMA - 1 }]) {
      const inBody = await call(fx.server.url, '/v1/push', { token: device.token, body: { ...pushBody([mutation(1, 'orgUnit', uid(), {})]), ...versions } });
      expect(inBody.status, JSON.stringify(versions)).toBe(426);
    }
  });

  it('accepts gzip and plain JSON bodies; rejects broken ones with 400', async () => {
    const street = device.street;
    const plain = await call(fx.server.url, '/v1/push', { token: device.token, body: pushBody([mutation(1, 'orgUnit', uid('org'), community(street, 11))]) });
    expect(plain.status).toBe(200);
    const zipped = await call(fx.server.url, '/v1/push', { token: device.token, gzip: true, body: pushBody([mutation(2, 'orgUnit', uid('org'), community(street, 12))]) });
    expect(zipped.status).toBe(200);
    const cases: { raw: Buffer; headers: Record<string, string>; reason: string }[] = [
      { raw: Buffer.from('{not json'), headers: { 'content-type': 'application/json' }, reason: 'invalid_json' },
      { raw: Buffer.from('not gzip at all'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, reason: 'bad_gzip' },
      { raw: gzipSync('{}'), headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, reason: 'unsupported_content_encoding' },
      { raw: Buffer.from('{}'), headers: { 'content-type': 'text/plain' }, reason: 'invalid_push:protocol:invalid_type' },
    ];
    for (const c of cases) {
      const reply = await call(fx.server.url, '/v1/push', { token: device.token, raw: c.raw, headers: c.headers });
      expect(reply.status, c.reason).toBe(400);
      expect(syncError.parse(reply.body).error).toEqual({ code: 'bad_request', reason: c.reason });
    }
    const none = await call(fx.server.url, '/v1/push', { token: device.token, method: 'POST' });
    expect(none.status).toBe(400);
  });

  it('413 payload_too_large is measured on the decoded body (a small gzip bomb too)', async () => {
    const street = device.street;
    const big = pushBody([mutation(3, 'person', uid('p'), { ...person(street, street.id, '大'), note: 'x'.repeat(70 * 1024) })]);
    const zipped = gzipSync(JSON.stringify(big));
    expect(zipped.length).toBeLessThan(4096); // small on the wire
    const reply = await call(fx.server.url, '/v1/push', { token: device.token, raw: zipped, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(reply.status).toBe(413);
    expect(syncError.parse(reply.body).error.code).toBe('payload_too_large');
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const bombed = await call(fx.server.url, '/v1/push', { token: device.token, raw: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(bombed.status).toBe(413);
    const plainBig = await call(fx.server.url, '/v1/push', { token: device.token, body: big });
    expect(plainBig.status).toBe(413);
    // just under the cap is fine
    const fits = pushBody([mutation(3, 'person', uid('p'), { ...person(street, street.id, '小'), note: 'x'.repeat(400) })]);
    expect((await call(fx.server.url, '/v1/push', { token: device.token, body: fits, gzip: true })).status).toBe(200);
    expect(MAX_BATCH_BYTES).toBe(1024 * 1024);
  });

  it('unknown routes and bad tokens answer in the error shape', async () => {
    const notFound = await call(fx.server.url, '/v1/nope', { token: device.token });
    expect(notFound.status).toBe(404);
    expect(syncError.safeParse(notFound.body).success).toBe(true);
    // a station given the address with /v1 on it asks for /v1/v1/…: no such route, whatever it sends
    const doubled = await call(fx.server.url, '/v1/v1/enroll', { body: { code: 'ABCDEFGH', deviceName: 'x' } });
    expect(doubled.status).toBe(404);
    expect(syncError.parse(doubled.body).error).toEqual({ code: 'not_found', reason: 'no_such_route' });
    const badToken = await call(fx.server.url, '/v1/pull?after=0', { headers: { authorization: 'Basic abc' } });
    expect(badToken.status).toBe(401);
    expect(syncError.parse(badToken.body).error).toEqual({ code: 'unauthorized', reason: 'missing_token' });
  });

});

describe.each(FACTORIES)('rate limit on $name', (factory) => {
  const fx = serverFixture(factory, { rateLimit: { max: 5, timeWindowMs: 60_000 }, enrollRateLimit: { max: 3, timeWindowMs: 60_000 } });

  it('429 rate_limited with Retry-After, per device', async () => {
    const street = await newStreet(fx.t.db);
    const a = await enrollDevice(fx.t.db, fx.server.url, street, 'A');
    const b = await enrollDevice(fx.t.db, fx.server.url, street, 'B');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(fx.server.url, '/v1/pull?after=0', { token: a.token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await call(fx.server.url, '/v1/pull?after=0', { token: a.token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(syncError.parse(limited.body).error.code).toBe('rate_limited');
    // another device of the same street (same IP) has its own budget
    expect((await call(fx.server.url, '/v1/pull?after=0', { token: b.token })).status).toBe(200);
    // enrollment is limited per address
    const tries: number[] = [];
    for (let i = 0; i < 3; i++) {
      tries.push((await call(fx.server.url, '/v1/enroll', { body: { protocol: 1, schemaVersion: 1, code: 'ZZZZ-ZZZZ-ZZZZ', deviceName: 'x' } })).status);
    }
    expect(tries).toEqual([401, 429, 429]); // two enrolls above used the budget
    expect((await call(fx.server.url, '/health', { headers: {} })).status).toBe(200);
  });
});

describe.each(FACTORIES)('one transaction per request on $name', (factory) => {
  const counted = { transactions: 0, calls: 0, queries: 0 };
  // the server sees the same database through a wrapper that counts what each request opens
  const fx = serverFixture(factory, { snapshotChunkSize: 2 }, (inner): Db => ({
    ...inner,
    kind: inner.kind,
    query: (sql, params) => ((counted.queries += 1), inner.query(sql, params)),
    script: (sql) => ((counted.calls += 1), inner.script(sql)),
    transaction: (fn) => ((counted.transactions += 1), inner.transaction(fn)),
  }));

  const measure = async <T>(request: () => Promise<{ status: number; body: T }>) => {
    Object.assign(counted, { transactions: 0, calls: 0, queries: 0 });
    const reply = await request();
    return { ...reply, used: { ...counted } };
  };

  it('push, snapshot and chunk each run in ONE transaction, authentication included, and a pull is ONE call; refusals too', async () => {
    const street = await newStreet(fx.t.db);
    const device = await enrollDevice(fx.t.db, fx.server.url, street);
    const push = await measure(() =>
      call(fx.server.url, '/v1/push', { token: device.token, gzip: true, body: pushBody([mutation(1, 'orgUnit', uid('org'), community(street, 21))]) }),
    );
    const pull = await measure(() => call(fx.server.url, '/v1/pull?after=0', { token: device.token }));
    const snapshot = await measure(() => call<{ snapshotId: string }>(fx.server.url, '/v1/snapshot', { method: 'POST', token: device.token }));
    const chunk = await measure(() => call(fx.server.url, `/v1/snapshot/${snapshot.body.snapshotId}/0`, { token: device.token }));
    const unknown = await measure(() => call(fx.server.url, '/v1/pull?after=0', { token: 'A'.repeat(43) }));
    const badQuery = await measure(() => call(fx.server.url, '/v1/pull?after=x', { token: 'A'.repeat(43) }));
    const oneTransaction = { transactions: 1, calls: 0, queries: 0 };
    const oneCall = { transactions: 0, calls: 1, queries: 0 };
    for (const [name, r, status, used] of [
      ['push', push, 200, oneTransaction],
      ['pull', pull, 200, oneCall],
      ['snapshot', snapshot, 200, oneTransaction],
      ['chunk', chunk, 200, oneTransaction],
      ['unknown token', unknown, 401, oneCall],
      // a bad query with a bad token is still 401: authenticated in a transaction first
      ['bad query, unknown token', badQuery, 401, oneTransaction],
    ] as const) {
      expect(r.status, name).toBe(status);
      expect(r.used, name).toEqual(used);
    }
  });
});
