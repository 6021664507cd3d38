import { describe, expect, it } from 'vitest';
import { adminRecord, issueEnrollmentCode, revokeDevice } from '../../server/admin/admin';
import { withAdmin } from '../../server/db/scope';
import {
  call,
  community,
  enrollDevice,
  FACTORIES,
  grid,
  MidCounter,
  mutation,
  newStreet,
  person,
  pushBody,
  serverFixture,
  stationCalls,
  uid,
} from './harness';

// The sync API's enrollment and push (docs/sync-protocol.md), on PGlite and PostgreSQL; what a
// device can read, by pull and snapshot, is in read.test.ts.

describe.each(FACTORIES)('sync API on $name', (factory) => {
  const fx = serverFixture(factory, { enrollRateLimit: { max: 1000, timeWindowMs: 60_000 } });
  const { push, pull, streetWithGrid } = stationCalls(fx);

  describe('enroll', () => {
    it('returns a token and the street scope; the code works once', async () => {
      const street = await newStreet(fx.t.db);
      const issued = await issueEnrollmentCode(fx.t.db, street.code);
      const body = { protocol: 1, schemaVersion: 1, code: issued.code.toLowerCase(), deviceName: '综治中心 1 号机' };
      const first = await call<{ deviceId: string; token: string; scope: unknown }>(fx.server.url, '/v1/enroll', { body });
      expect(first.status).toBe(200);
      expect(first.body.scope).toEqual({ kind: 'street', streetId: street.id, streetCode: street.code, streetName: street.name });
      expect(first.body.token.length).toBeGreaterThanOrEqual(40);
      const again = await call<{ error: { code: string; reason: string } }>(fx.server.url, '/v1/enroll', { body });
      expect(again.status).toBe(401);
      expect(again.body.error).toEqual({ code: 'unauthorized', reason: 'enrollment_code_used' });
      // the token is stored hashed only
      const stored = await withAdmin(fx.t.db, (tx) => tx.query<{ token_hash: string }>('SELECT token_hash FROM device WHERE id = $1', [first.body.deviceId]));
      expect(stored.rows[0]?.token_hash).not.toContain(first.body.token);
      const ok = await call(fx.server.url, '/v1/pull?after=0', { token: first.body.token });
      expect(ok.status).toBe(200);
    });

    it('refuses an expired code and an unknown one', async () => {
      const street = await newStreet(fx.t.db);
      const issued = await issueEnrollmentCode(fx.t.db, street.code, -1000);
      const expired = await call<{ error: { reason: string } }>(fx.server.url, '/v1/enroll', {
        body: { protocol: 1, schemaVersion: 1, code: issued.code, deviceName: 'x' },
      });
      expect(expired.status).toBe(401);
      expect(expired.body.error.reason).toBe('enrollment_code_expired');
      const unknown = await call<{ error: { reason: string } }>(fx.server.url, '/v1/enroll', {
        body: { protocol: 1, schemaVersion: 1, code: 'AAAA-BBBB-CCCC', deviceName: 'x' },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.reason).toBe('enrollment_code_unknown');
    });

    it('a revoked device gets 401 on every call', async () => {
      const street = await newStreet(fx.t.db);
      const device = await enrollDevice(fx.t.db, fx.server.url, street);
      expect((await call(fx.server.url, '/v1/pull?after=0', { token: device.token })).status).toBe(200);
      expect(await revokeDevice(fx.t.db, device.deviceId)).toBe(true);
      for (const path of ['/v1/pull?after=0', '/v1/events']) {
        const reply = await call<{ error: unknown }>(fx.server.url, path, { token: device.token });
        expect(reply.status).toBe(401);
        expect(reply.body.error).toEqual({ code: 'unauthorized', reason: 'device_revoked' });
      }
      const pushReply = await call(fx.server.url, '/v1/push', { token: device.token, body: pushBody([mutation(1, 'orgUnit', uid(), community(street, 1))]) });
      expect(pushReply.status).toBe(401);
      expect((await call(fx.server.url, '/v1/pull?after=0', { token: 'A'.repeat(43) })).status).toBe(401);
      expect((await call(fx.server.url, '/v1/pull?after=0')).status).toBe(401);
    });
  });

  describe('push', () => {
    it('a re-sent batch is a no-op', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      const batch = [
        mutation(mids.next(), 'person', uid('p'), person(street, orgId, '王芳')),
        mutation(mids.next(), 'orgUnit', orgId, { name: '改名社区' }, 'update', 1),
      ];
      const first = await push(device, batch);
      const again = await push(device, batch, { gzip: false });
      expect(again).toEqual({ ackedThrough: first.ackedThrough, rejected: [], conflicts: [], seq: first.seq });
      expect((await adminRecord(fx.t.db, 'orgUnit', orgId))?.version).toBe(2);
      // a batch overlapping the applied prefix applies only the new tail
      const tail = mutation(mids.next(), 'orgUnit', orgId, { name: '再改名' }, 'update', 2);
      const overlap = await push(device, [...batch, tail]);
      expect(overlap.seq).toBe(first.seq + 1);
      expect(overlap.ackedThrough).toBe(tail.mid);
    });

    it('a rejected mutation is recorded and acknowledged while the rest of the batch applies', async () => {
      const { street, device, mids, orgId, orgCode, gridId } = await streetWithGrid();
      const seqBefore = (await pull(device)).cursor;
      const good1 = uid('p');
      const good2 = uid('p');
      const res = await push(device, [
        mutation(mids.next(), 'person', good1, person(street, orgId, '李雷')),
        mutation(mids.next(), 'gridUnit', uid('grid'), { ...grid(street, orgId, orgCode, 1), name: '同号网格' }), // code taken
        mutation(mids.next(), 'person', uid('p'), { ...person(street, orgId, '韩梅梅'), status: 'sleeping' }), // invalid
        mutation(mids.next(), 'orgUnit', uid('missing'), { name: 'x' }, 'update', 1), // unknown record
        mutation(mids.next(), 'person', good2, person(street, orgId, '张伟')),
      ]);
      expect(res.ackedThrough).toBe(mids.next() - 1);
      expect(res.rejected.map((r) => r.reason)).toEqual(['grid.code_taken', 'validation.invalid_fields', 'record.not_found']);
      // the winner is attached, so a person can compare
      expect(res.rejected[0]?.serverRecord).toMatchObject({ id: gridId, code: `${orgCode}3001`, version: 1 });
      // gap-free: exactly the two applied mutations took sequence numbers
      expect(res.seq).toBe(seqBefore + 2);
      const page = await pull(device, seqBefore);
      expect(page.changes.map((c) => [c.seq, c.id])).toEqual([
        [seqBefore + 1, good1],
        [seqBefore + 2, good2],
      ]);
      const stored = await withAdmin(fx.t.db, (tx) =>
        tx.query<{ reason: string }>('SELECT reason FROM rejection WHERE device_id = $1 ORDER BY mid', [device.deviceId]),
      );
      expect(stored.rows.map((r) => r.reason)).toEqual(['grid.code_taken', 'validation.invalid_fields', 'record.not_found']);
    });

    it('re-checks what another station may have ended meanwhile: a grid retired, a person who left', async () => {
      const { street, device, mids, orgId, orgCode, gridId } = await streetWithGrid();
      const other = await enrollDevice(fx.t.db, fx.server.url, street, '二号机');
      const staying = uid('p');
      const leaving = uid('p');
      await push(device, [mutation(mids.next(), 'person', staying, person(street, orgId, '周芷若')), mutation(mids.next(), 'person', leaving, person(street, orgId, '宋青书'))]);
      await push(other, [
        mutation(1, 'gridUnit', gridId, { validTo: '2025-01-01' }, 'update', 1),
        mutation(2, 'person', leaving, { status: 'left' }, 'update', 1),
      ]);
      // what this station did offline, before it pulled those
      const child = (n: number, fields: Record<string, unknown> = {}) => ({ ...grid(street, orgId, orgCode, n), level: 'micro', parentId: gridId, ...fields });
      const onGrid = (personId: string, startDate: string, endDate: string | null = null) => ({ personId, gridId, orgUnitId: null, role: 'grid_member_full', startDate, endDate });
      const res = await push(device, [
        mutation(mids.next(), 'gridUnit', uid('grid'), child(2)), // would outlive its parent
        mutation(mids.next(), 'gridUnit', uid('grid'), child(3, { validTo: '2024-12-31' })), // its own past: ended before the parent
        mutation(mids.next(), 'assignment', uid('a'), onGrid(staying, '2025-03-01')), // starts after the grid ended
        mutation(mids.next(), 'assignment', uid('a'), onGrid(staying, '2024-06-01')), // would run on past it
        mutation(mids.next(), 'assignment', uid('a'), onGrid(staying, '2024-06-01', '2024-12-31')), // ran while it served
        mutation(mids.next(), 'assignment', uid('a'), { ...onGrid(leaving, '2024-06-01'), gridId: null, orgUnitId: orgId, role: 'leader' }),
      ]);
      expect(res.rejected.map((r) => r.reason)).toEqual(['grid.parent_retired', 'grid.retired', 'assignment.outlives_grid', 'assignment.person_left']);
      expect(res.rejected.map((r) => r.serverRecord)).toEqual([null, null, null, null]);
      // the street's grid, the one that ended before its parent, and the assignment that ran while the grid served
      const inserted = (await pull(device)).changes.filter((c) => c.op === 'insert').map((c) => c.entity);
      expect(inserted.filter((e) => e === 'gridUnit')).toHaveLength(2);
      expect(inserted.filter((e) => e === 'assignment')).toHaveLength(1);
    });

    it('reports a refused id with control characters again when its batch is re-sent', async () => {
      const { device, mids } = await streetWithGrid();
      const batch = [mutation(mids.next(), 'orgUnit', 'bad\u0000id', { name: 'x' }, 'update', 1)];
      const first = await push(device, batch);
      expect(first.rejected).toEqual([{ mid: batch[0]!.mid, entity: 'orgUnit', id: 'bad\u0000id', reason: 'validation.bad_id', serverRecord: null, conflictingRecord: null }]);
      // the reply was lost: the same batch again is skipped, and its rejection reported again, as it was
      const again = await push(device, batch);
      expect(again.rejected).toEqual(first.rejected);
      expect(again.ackedThrough).toBe(first.ackedThrough);
    });

    it('sequence numbers stay gap-free across devices and batches', async () => {
      const { street, device, orgId } = await streetWithGrid();
      const second = await enrollDevice(fx.t.db, fx.server.url, street, '二号机');
      const m2 = new MidCounter();
      let mid1 = 100;
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          push(device, [mutation((mid1 += 1), 'person', uid('p'), person(street, orgId, `甲${round}`)), mutation((mid1 += 1), 'person', uid('p'), person(street, 'nope', '坏'))]),
          push(second, [mutation(m2.next(), 'person', uid('p'), person(street, orgId, `乙${round}`))]),
        ]);
      }
      const page = await pull(device);
      expect(page.changes.map((c) => c.seq)).toEqual(page.changes.map((_, i) => i + 1));
      const devices = await withAdmin(fx.t.db, (tx) =>
        tx.query<{ id: string; last_mid: string | number }>('SELECT id, last_mid FROM device WHERE street_id = $1', [street.id]),
      );
      expect(Object.fromEntries(devices.rows.map((d) => [d.id, Number(d.last_mid)]))).toEqual({ [device.deviceId]: 106, [second.deviceId]: 3 });
    });

    it('a stale baseVersion still applies, last writer wins per field, and the conflict is logged', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      const other = await enrollDevice(fx.t.db, fx.server.url, street, '二号机');
      const pid = uid('p');
      await push(device, [mutation(mids.next(), 'person', pid, person(street, orgId, '赵敏'))]);
      // both edit version 1 offline; other arrives first
      await push(other, [mutation(1, 'person', pid, { note: '来自二号机', phone: '13900139000' }, 'update', 1)]);
      const res = await push(device, [mutation(mids.next(), 'person', pid, { note: '来自一号机', name: '赵敏敏' }, 'update', 1)]);
      expect(res.rejected).toEqual([]);
      expect(res.conflicts).toEqual([{ mid: res.ackedThrough, entity: 'person', id: pid, baseVersion: 1, serverVersion: 2, overwritten: { note: '来自二号机', name: '赵敏' } }]);
      const rec = await adminRecord(fx.t.db, 'person', pid);
      expect(rec?.version).toBe(3);
      expect(rec?.data).toMatchObject({ note: '来自一号机', name: '赵敏敏', phone: '13900139000' });
      const logged = await withAdmin(fx.t.db, (tx) => tx.query('SELECT base_version, server_version FROM conflict WHERE record_id = $1', [pid]));
      expect(logged.rows).toEqual([{ base_version: 1, server_version: 2 }]);
      // an insert of an existing id merges as an update
      const merged = await push(other, [mutation(2, 'person', pid, { partyMember: true })]);
      expect(merged.rejected).toEqual([]);
      expect((await adminRecord(fx.t.db, 'person', pid))?.data).toMatchObject({ partyMember: true, note: '来自一号机' });
    });

    it('keeps fields it does not know, and an older station does not erase them', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      const pid = uid('p');
      await push(device, [mutation(mids.next(), 'person', pid, { ...person(street, orgId, '周芷若'), futureField: { level: 3 }, tags: ['a'] })]);
      await push(device, [mutation(mids.next(), 'person', pid, { name: '周芷若2' }, 'update', 1)]);
      const rec = await adminRecord(fx.t.db, 'person', pid);
      expect(rec?.data).toMatchObject({ futureField: { level: 3 }, tags: ['a'], name: '周芷若2' });
      const page = await pull(device);
      const insert = page.changes.find((c) => c.id === pid && c.op === 'insert');
      expect(insert?.fields.futureField).toEqual({ level: 3 });
    });

    it('append-only grid history is idempotent by id and never updated', async () => {
      const { device, mids, gridId } = await streetWithGrid();
      const hid = uid('h');
      const entry = { gridId, action: 'created', detail: JSON.stringify({ by: 'test' }) };
      const first = await push(device, [mutation(mids.next(), 'gridHistory', hid, entry)]);
      const second = await push(device, [mutation(mids.next(), 'gridHistory', hid, { ...entry, action: 'retired' })]);
      expect(second.seq).toBe(first.seq);
      expect(second.rejected).toEqual([]);
      const upd = await push(device, [mutation(mids.next(), 'gridHistory', hid, { action: 'retired' }, 'update', 1)]);
      expect(upd.rejected.map((r) => r.reason)).toEqual(['policy.append_only']);
      expect((await adminRecord(fx.t.db, 'gridHistory', hid))?.data.action).toBe('created');
    });

    it('re-checks uniqueness of org codes and resident IDs within the street', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      const other = await enrollDevice(fx.t.db, fx.server.url, street, '二号机');
      const rid = '11010519491231002X';
      const winner = uid('p');
      await push(device, [mutation(mids.next(), 'person', winner, person(street, orgId, '甲', rid))]);
      const res = await push(other, [
        mutation(1, 'person', uid('p'), person(street, orgId, '乙', rid)),
        mutation(2, 'orgUnit', uid('org'), community(street, 1)),
      ]);
      expect(res.rejected.map((r) => r.reason)).toEqual(['person.resident_id_taken', 'org.code_taken']);
      expect(res.rejected[0]?.serverRecord).toMatchObject({ id: winner, residentId: rid });
    });
  });
});
