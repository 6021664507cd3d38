import { describe, expect, it } from 'vitest';
import { pushResponse, type Mutation } from '../../core/sync/protocol';
import { adminRecord } from '../../server/admin/admin';
import { withAdmin } from '../../server/db/scope';
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

// A pipelined push names the last mid of the batch sent before it (prevMid): the server applies
// it only once the device got that far, so a batch never lands past one that failed. A push
// with outcomesOnly asks what became of mids the device pushed before and applies nothing
// (docs/sync-protocol.md "Push").

describe.each(FACTORIES)('push prevMid on $name', (factory) => {
  const fx = serverFixture(factory);

  const post = (device: Device, mutations: Mutation[], extra: Record<string, unknown>) =>
    call(fx.server.url, '/v1/push', { token: device.token, body: { ...pushBody(mutations), ...extra }, gzip: true });
  const send = (device: Device, mutations: Mutation[], prevMid?: unknown) => post(device, mutations, prevMid === undefined ? {} : { prevMid });
  /** What became of these mids: the envelope alone, as the station asks. */
  const ask = (device: Device, mutations: Mutation[]) => post(device, mutations.map((m) => ({ ...m, fields: {} })), { outcomesOnly: true });

  const state = (device: Device) =>
    withAdmin(fx.t.db, async (tx) => {
      const d = await tx.query<{ last_mid: unknown }>('SELECT last_mid FROM device WHERE id = $1', [device.deviceId]);
      const s = await tx.query<{ seq: unknown }>('SELECT seq FROM street_seq WHERE street_id = $1', [device.street.id]);
      const c = await tx.query<{ n: unknown }>('SELECT count(*) AS n FROM change WHERE street_id = $1', [device.street.id]);
      return { lastMid: Number(d.rows[0]!.last_mid), seq: Number(s.rows[0]!.seq), changes: Number(c.rows[0]!.n) };
    });

  /** A device whose first batch (mids 1-2: a community, a person) is applied. */
  async function pushedDevice() {
    const street = await newStreet(fx.t.db);
    const device = await enrollDevice(fx.t.db, fx.server.url, street);
    const orgId = uid('org');
    const first = await send(device, [mutation(1, 'orgUnit', orgId, community(street, 1)), mutation(2, 'person', uid('p'), person(street, orgId, '王芳'))]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    return { street, device, orgId };
  }

  it('refuses a batch whose prevMid is past last_mid with 409, applying nothing', async () => {
    const { street, device, orgId } = await pushedDevice();
    const before = await state(device);
    expect(before.lastMid).toBe(2);
    const pid = uid('p');
    // mids 3-4 were in the batch ahead, which never arrived
    const reply = await send(device, [mutation(5, 'person', pid, person(street, orgId, '李雷')), mutation(6, 'orgUnit', orgId, { name: '改名' }, 'update', 1)], 4);
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ error: { code: 'out_of_order', reason: 'prev_batch_not_applied' } });
    expect(await state(device)).toEqual(before);
    expect(await adminRecord(fx.t.db, 'person', pid)).toBeNull();
    expect((await adminRecord(fx.t.db, 'orgUnit', orgId))?.version).toBe(1);
  });

  it('applies a batch whose prevMid the device has reached, as one without it', async () => {
    const { street, device, orgId } = await pushedDevice();
    const before = await state(device);
    const at = await send(device, [mutation(3, 'person', uid('p'), person(street, orgId, '韩梅梅'))], 2);
    expect(at.status, JSON.stringify(at.body)).toBe(200);
    expect(pushResponse.parse(at.body)).toMatchObject({ ackedThrough: 3, rejected: [] });
    // below last_mid: a resend behind a batch the server already has; only the new tail applies
    const pid = uid('p');
    const below = await send(device, [mutation(3, 'person', uid('p'), person(street, orgId, '重发')), mutation(4, 'person', pid, person(street, orgId, '张伟'))], 1);
    expect(below.status, JSON.stringify(below.body)).toBe(200);
    expect(pushResponse.parse(below.body)).toMatchObject({ ackedThrough: 4, rejected: [] });
    expect(await state(device)).toEqual({ lastMid: 4, seq: before.seq + 2, changes: before.changes + 2 });
    expect(await adminRecord(fx.t.db, 'person', pid)).not.toBeNull();
  });

  it('without prevMid a batch applies whatever mids came before it, as before', async () => {
    const { street, device, orgId } = await pushedDevice();
    const before = await state(device);
    const pid = uid('p');
    const reply = await send(device, [mutation(10, 'person', pid, person(street, orgId, '赵敏'))]);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(pushResponse.parse(reply.body)).toMatchObject({ ackedThrough: 10, rejected: [] });
    expect(await state(device)).toEqual({ lastMid: 10, seq: before.seq + 1, changes: before.changes + 1 });
    expect(await adminRecord(fx.t.db, 'person', pid)).not.toBeNull();
  });

  it('refuses a malformed prevMid with 400', async () => {
    const { street, device, orgId } = await pushedDevice();
    const batch = [mutation(3, 'person', uid('p'), person(street, orgId, '周芷若'))];
    for (const [prevMid, reason] of [
      [-1, 'invalid_push:prevMid:too_small'],
      [1.5, 'invalid_push:prevMid:invalid_type'],
      ['2', 'invalid_push:prevMid:invalid_type'],
      [3, 'prev_mid_not_before_batch'],
    ] as const) {
      const reply = await send(device, batch, prevMid);
      expect(reply.status, String(prevMid)).toBe(400);
      expect(reply.body).toEqual({ error: { code: 'bad_request', reason } });
    }
    expect((await state(device)).lastMid).toBe(2);
  });

  it('outcomesOnly reports the stored rejection of a handled mid and applies nothing', async () => {
    const { street, device } = await pushedDevice();
    const taken = mutation(3, 'orgUnit', uid('org'), community(street, 1));
    const refused = await send(device, [taken]);
    expect(pushResponse.parse(refused.body).rejected.map((r) => r.reason)).toEqual(['org.code_taken']);
    const before = await state(device);
    const reply = await ask(device, [taken]);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(pushResponse.parse(reply.body)).toMatchObject({ ackedThrough: 3, seq: before.seq, conflicts: [], rejected: [{ mid: 3, id: taken.id, reason: 'org.code_taken' }] });
    // an applied mid has nothing to report
    expect(pushResponse.parse((await ask(device, [mutation(2, 'person', uid('p'), {})])).body)).toMatchObject({ ackedThrough: 3, rejected: [] });
    expect(await state(device)).toEqual(before);
  });

  it('outcomesOnly refuses a mid the device has not pushed through with 409 not_handled, applying nothing', async () => {
    const { street, device, orgId } = await pushedDevice();
    const before = await state(device);
    const pid = uid('p');
    // a whole mutation, as a confused station might send it: still nothing is applied
    const reply = await post(device, [mutation(2, 'person', uid('p'), {}), mutation(3, 'person', pid, person(street, orgId, '李雷'))], { outcomesOnly: true });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ error: { code: 'not_handled', reason: 'mutation_not_handled' } });
    expect(await state(device)).toEqual(before);
    expect(await adminRecord(fx.t.db, 'person', pid)).toBeNull();
    // a question about the past follows no batch
    const withPrev = await post(device, [mutation(2, 'person', uid('p'), {})], { outcomesOnly: true, prevMid: 1 });
    expect(withPrev.status).toBe(400);
    expect(withPrev.body).toEqual({ error: { code: 'bad_request', reason: 'prev_mid_with_outcomes_only' } });
  });

  it("outcomesOnly reports the device's own rejection of a mid, not another device's with the same number", async () => {
    const { street, device, orgId } = await pushedDevice();
    const other = await enrollDevice(fx.t.db, fx.server.url, street);
    // the other device's mid 2 is refused (its community code is taken); this device's mid 2 went through
    const refused = await send(other, [mutation(1, 'person', uid('p'), person(street, orgId, '周杰')), mutation(2, 'orgUnit', uid('org'), community(street, 1))]);
    expect(pushResponse.parse(refused.body).rejected.map((r) => r.mid)).toEqual([2]);
    expect(pushResponse.parse((await ask(device, [mutation(2, 'person', uid('p'), {})])).body)).toMatchObject({ ackedThrough: 2, rejected: [] });
    // and the question's envelope does not rename the stored rejection's record
    const asked = pushResponse.parse((await ask(other, [mutation(2, 'person', 'not-the-record', {})])).body);
    expect(asked.rejected).toMatchObject([{ mid: 2, entity: 'orgUnit', reason: 'org.code_taken' }]);
    expect(asked.rejected[0]!.id).not.toBe('not-the-record');
  });
});
