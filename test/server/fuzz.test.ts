import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { pullResponse, pushResponse, SYNCED_ENTITIES, syncError, type Mutation } from '../../core/sync/protocol';
import { adminRecord } from '../../server/admin/admin';
import { withAdmin } from '../../server/db/scope';
import { sameJson } from '../../server/sync/entities';
import {
  call,
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

// Generated hostile traffic. Malformed bodies each get a clear 4xx in the error shape and
// change nothing; well-formed batches of hostile content are applied or rejected mutation by
// mutation, never half; the server keeps serving throughout.

const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
// (NaN and Infinity would serialise as null, which is a valid baseVersion)
const fraction = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));
const notInt = fc.oneof(fc.string(), fraction, fc.boolean(), fc.constant(null), fc.array(fc.integer()));

type Body = { protocol: unknown; schemaVersion: unknown; mutations: Record<string, unknown>[] };
type Corruption = (body: Body) => unknown;

const setMutationField = (key: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<Corruption> =>
  fc.tuple(value, fc.nat()).map(([v, at]) => (body: Body) => {
    const i = at % body.mutations.length;
    const mutations = body.mutations.map((m, j) => (j === i ? { ...m, [key]: v } : m));
    return { ...body, mutations };
  });

/** Numbered, so a failure names the kind of corruption. */
let labelCounter = 0;
const labeled = (a: fc.Arbitrary<Corruption>) => {
  const label = (labelCounter += 1);
  return a.map((f) => Object.assign(f, { label }));
};
const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  labeled(json.map((v) => () => v)),
  labeled(fc.constantFrom('protocol', 'schemaVersion').chain((k) => notInt.map((v) => (b: Body) => ({ ...b, [k]: v })))),
  labeled(fc.oneof(json.filter((v) => !Array.isArray(v)), fc.constant([]), fc.array(json, { minLength: 1, maxLength: 3 })).map((v) => (b: Body) => ({ ...b, mutations: v }))),
  labeled(fc.string({ unit: 'binary' }).filter((k) => !['protocol', 'schemaVersion', 'mutations'].includes(k)).map((k) => (b: Body) => ({ ...b, [k]: 1 }))),
  labeled(fc.constantFrom('mid', 'entity', 'id', 'op', 'fields', 'baseVersion', 'at').map((k) => (b: Body) => ({ ...b, mutations: b.mutations.map(({ [k]: _gone, ...rest }) => rest) }))),
  labeled(setMutationField('mid', fc.oneof(notInt, fc.integer({ max: 0 })))),
  labeled(setMutationField('entity', fc.oneof(fc.string({ unit: 'binary' }).filter((s) => !(SYNCED_ENTITIES as readonly string[]).includes(s)), fc.integer()))),
  labeled(setMutationField('id', fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 200 }), fc.integer(), fc.constant(null)))),
  labeled(setMutationField('op', fc.oneof(fc.string().filter((s) => s !== 'insert' && s !== 'update'), fc.constant('delete')))),
  labeled(setMutationField('fields', fc.oneof(fc.array(json), fc.string(), fc.integer(), fc.constant(null)))),
  labeled(setMutationField('baseVersion', fc.oneof(fc.string(), fraction, fc.constant('1')))),
  labeled(setMutationField('at', fc.oneof(fc.string({ minLength: 41, maxLength: 100 }), fc.integer(), fc.constant(null)))),
  // a duplicate or decreasing mid is refused
  labeled(fc.constant((b: Body) => ({ ...b, mutations: [...b.mutations, ...b.mutations] }))),
  labeled(fc.constant((b: Body) => ({ ...b, mutations: [...b.mutations].reverse().concat(b.mutations) }))),
);

describe.each(FACTORIES)('hostile pushes on $name', (factory) => {
  const fx = serverFixture(factory, { rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } });
  let device: Device;
  let mid = 0;

  beforeAll(async () => {
    device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
  }, 30_000);

  async function state(): Promise<{ seq: number; lastMid: number; rejections: number }> {
    return withAdmin(fx.t.db, async (tx) => {
      const seq = await tx.query<{ seq: unknown }>('SELECT seq FROM street_seq WHERE street_id = $1', [device.street.id]);
      const dev = await tx.query<{ last_mid: unknown }>('SELECT last_mid FROM device WHERE id = $1', [device.deviceId]);
      const rej = await tx.query<{ n: unknown }>('SELECT count(*) AS n FROM rejection WHERE device_id = $1', [device.deviceId]);
      return { seq: Number(seq.rows[0]?.seq), lastMid: Number(dev.rows[0]?.last_mid), rejections: Number(rej.rows[0]?.n) };
    });
  }

  it('malformed push bodies: each a 4xx in the error shape, nothing applied', async () => {
    const before = await state();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(corruption, fc.integer({ min: 1, max: 3 }), fc.boolean(), async (corrupt, n, gzip) => {
        const base = pushBody(
          Array.from({ length: n }, () => mutation((mid += 1), 'person', uid('p'), person(device.street, device.street.id, '测试'))),
        ) as unknown as Body;
        const body = corrupt(base);
        const reply = await call(fx.server.url, '/v1/push', { token: device.token, body, gzip });
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        const label = (corrupt as { label?: number }).label;
        expect([400, 413, 426], `corruption #${label}: ${JSON.stringify(body)?.slice(0, 300)}`).toContain(reply.status);
        expect(syncError.safeParse(reply.body).success).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // and the raw edge cases
    const tooMany = pushBody(Array.from({ length: 1001 }, (_, i) => mutation(100_000 + i, 'gridHistory', `h${i}`, {})));
    expect((await call(fx.server.url, '/v1/push', { token: device.token, body: tooMany, gzip: true })).status).toBe(400);
    for (const raw of ['', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}', '\u0000', '{'.repeat(10_000)]) {
      const reply = await call(fx.server.url, '/v1/push', { token: device.token, raw: Buffer.from(raw), headers: { 'content-type': 'application/json' } });
      expect(reply.status, raw.slice(0, 20)).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await state()).toEqual(before);
    expect((await call(fx.server.url, '/health', { headers: {} })).status).toBe(200);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  }, 120_000);

  it('fields named after prototype keys are refused, never merged; fields that are no object are a 400', async () => {
    const fine = JSON.stringify(person(device.street, device.street.id, '正常')).slice(1, -1);
    const ids = ['__proto__', 'constructor', 'prototype'].map(() => uid('h'));
    // written as text: an object literal would set the prototype instead of a field named __proto__
    const entries = [
      `"__proto__": {"streetId": "other-street", "polluted": true}`,
      `"constructor": {"prototype": {"polluted": true}}`,
      `"prototype": {"polluted": true}`,
    ];
    const text = `{"protocol": ${pushBody([]).protocol}, "schemaVersion": 1, "mutations": [${entries
      .map((entry, i) => `{"mid": ${mid + i + 1}, "entity": "person", "id": "${ids[i]}", "op": "insert", "fields": {${fine}, ${entry}}, "baseVersion": null, "at": "2026-11-29T00:00:00Z"}`)
      .join(', ')}]}`;
    mid += entries.length;
    const before = await state();
    const reply = await call(fx.server.url, '/v1/push', { token: device.token, raw: Buffer.from(text), headers: { 'content-type': 'application/json' } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(pushResponse.parse(reply.body).rejected.map((r) => r.reason)).toEqual(Array(3).fill('validation.reserved_field'));
    for (const id of ids) expect(await adminRecord(fx.t.db, 'person', id)).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await state()).toEqual({ ...before, lastMid: mid, rejections: before.rejections + 3 });

    for (const fields of [[], null, 'x', 7, [person(device.street, device.street.id, '数组')]]) {
      const bad = await call(fx.server.url, '/v1/push', { token: device.token, body: { ...pushBody([]), mutations: [{ ...mutation(mid + 1, 'person', uid('h'), {}), fields }] } });
      expect(bad.status, JSON.stringify(fields)).toBe(400);
      expect(syncError.parse(bad.body).error.reason).toMatch(/^invalid_push:/);
    }
    expect(await state()).toEqual({ ...before, lastMid: mid, rejections: before.rejections + 3 });
  });

  it('well-formed batches of hostile content: every mutation applied whole or rejected whole', async () => {
    const hostileMutation: fc.Arbitrary<Omit<Mutation, 'mid'>> = fc.record({
      entity: fc.constantFrom(...SYNCED_ENTITIES),
      id: fc.oneof(
        fc.constant(null),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        fc.constantFrom("'; DROP TABLE record; --", '\u0000', '../..', '%00', 'a\u0000b'),
      ),
      op: fc.constantFrom('insert' as const, 'update' as const),
      fields: fc.oneof(
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), json, { maxKeys: 6 }),
        fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }).map((extra) => ({
          ...person(device.street, device.street.id, '正常'),
          ...extra,
        })),
      ),
      baseVersion: fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 5 })),
      at: fc.string({ unit: 'binary', maxLength: 40 }),
    }).map((m) => ({ ...m, id: m.id === null ? uid('h') : `${uid('h')}${m.id}`.slice(0, 64) }));

    await fc.assert(
      fc.asyncProperty(fc.array(hostileMutation, { minLength: 1, maxLength: 4 }), async (drafts) => {
        const mutations: Mutation[] = drafts.map((d) => ({ ...d, mid: (mid += 1) }));
        const before = await state();
        const reply = await call(fx.server.url, '/v1/push', { token: device.token, body: pushBody(mutations), gzip: true });
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        const res = pushResponse.parse(reply.body);
        expect(res.ackedThrough).toBe(mid);
        const rejectedMids = new Set(res.rejected.map((r) => r.mid));
        let applied = 0;
        for (const m of mutations) {
          const rec = await adminRecord(fx.t.db, m.entity, m.id).catch(() => null);
          if (rejectedMids.has(m.mid)) {
            expect(rec, `${m.entity} ${JSON.stringify(m.id)} rejected but stored`).toBeNull();
          } else {
            // fresh ids: an accepted mutation is an insert whose document is exactly its fields
            expect(rec, `${m.entity} ${JSON.stringify(m.id)} accepted but missing`).not.toBeNull();
            expect(sameJson(JSON.parse(JSON.stringify(rec!.data)), JSON.parse(JSON.stringify(m.fields)))).toBe(true);
            applied += 1;
          }
        }
        const after = await state();
        expect(after.seq - before.seq).toBe(applied);
        expect(after.rejections - before.rejections).toBe(res.rejected.length);
        expect(after.lastMid).toBe(mid);
        // the reply was lost: the batch re-sent, and the question about its outcomes, report the
        // same rejections again and change nothing
        const outcomes = (r: { mid: number; reason: string }) => [r.mid, r.reason];
        for (const resend of [pushBody(mutations), { ...pushBody(mutations.map((m) => ({ ...m, fields: {} }))), outcomesOnly: true }]) {
          const again = await call(fx.server.url, '/v1/push', { token: device.token, body: resend, gzip: true });
          expect(again.status, JSON.stringify(again.body)).toBe(200);
          expect(pushResponse.parse(again.body).rejected.map(outcomes)).toEqual(res.rejected.map(outcomes));
        }
        expect(await state()).toEqual(after);
      }),
      { numRuns: 150 },
    );
    // the change log is still gap-free and the server still serves
    const page = pullResponse.parse((await call(fx.server.url, '/v1/pull?after=0&limit=5000', { token: device.token })).body);
    expect(page.changes.map((c) => c.seq)).toEqual(page.changes.map((_, i) => i + 1));
    expect((await call(fx.server.url, '/health', { headers: {} })).status).toBe(200);
  }, 120_000);
});
