import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MIN_SNAPSHOT_PROTOCOL,
  recordsResponse,
  SNAPSHOT_CHECKSUM_HEADER,
  snapshotChunk,
  snapshotManifest,
  syncError,
  type SnapshotChunk,
  type SnapshotManifest,
} from '../../core/sync/protocol';
import { adminRecord } from '../../server/admin/admin';
import { call, community, FACTORIES, grid, mutation, person, serverFixture, stationCalls, uid, VERSION_BODY, VERSION_HEADERS } from './harness';

// A device's street and no other (docs/sync-protocol.md "Pull", "Bootstrap", "Records"): it reads
// its own street's changes in pages, its snapshot in checksummed chunks and records it asks for;
// another street's records it can neither read, by any route, nor write. On PGlite and PostgreSQL.

describe.each(FACTORIES)('sync API reads on $name', (factory) => {
  const fx = serverFixture(factory, { snapshotChunkSize: 4, enrollRateLimit: { max: 1000, timeWindowMs: 60_000 } });
  const { push, pull, streetWithGrid } = stationCalls(fx);

  describe('scope', () => {
    it("a street B device cannot write street A's records", async () => {
      const a = await streetWithGrid();
      const b = await streetWithGrid();
      const bm = b.mids;
      const res = await push(b.device, [
        mutation(bm.next(), 'orgUnit', a.orgId, { name: '劫持' }, 'update', 1), // A's community (invisible to B)
        mutation(bm.next(), 'gridUnit', uid('grid'), { ...grid(a.street, a.orgId, a.orgCode, 9) }), // claims street A
        mutation(bm.next(), 'person', uid('p'), person(b.street, a.orgId, '越界')), // org unit of A
        mutation(bm.next(), 'orgUnit', uid('org'), { ...community(a.street, 7) }), // community under A
        mutation(bm.next(), 'gridHistory', uid('h'), { gridId: a.gridId, action: 'updated', detail: '{}' }),
        mutation(bm.next(), 'orgUnit', b.street.id, { name: '改街道名' }, 'update', 1), // own street unit: district's
        mutation(bm.next(), 'gridUnit', a.gridId, { ...grid(b.street, b.orgId, b.orgCode, 5) }), // A's grid id, insert
      ]);
      expect(res.rejected.map((r) => r.reason)).toEqual([
        'record.not_found',
        'scope.other_street',
        'ref.not_found',
        'scope.other_street',
        'ref.not_found',
        'scope.org_level',
        'record.id_taken',
      ]);
      expect(res.rejected.every((r) => r.serverRecord === null || r.serverRecord.streetId !== a.street.id)).toBe(true);
      expect((await adminRecord(fx.t.db, 'orgUnit', a.orgId))?.data.name).toBe('社区1');
      expect((await adminRecord(fx.t.db, 'gridUnit', a.gridId))?.data.streetId).toBe(a.street.id);
    });

    it('district reference data is readable and not writable', async () => {
      const a = await streetWithGrid();
      const page = await pull(a.device);
      const district = page.changes.find((c) => c.entity === 'orgUnit' && c.fields.level === 'district');
      expect(district).toBeDefined();
      const res = await push(a.device, [mutation(a.mids.next(), 'orgUnit', district!.id, { name: '改区名' }, 'update', 1)]);
      expect(res.rejected.map((r) => r.reason)).toEqual(['scope.reference_data']);
    });

    it("street B cannot read street A's records via pull or snapshot", async () => {
      const a = await streetWithGrid();
      const b = await streetWithGrid();
      const aIds = new Set([a.orgId, a.gridId, a.street.id]);
      const page = await pull(b.device);
      expect(page.changes.some((c) => aIds.has(c.id))).toBe(false);
      const manifest = snapshotManifest.parse((await call(fx.server.url, '/v1/snapshot', { method: 'POST', token: b.device.token })).body);
      for (let i = 0; i < manifest.chunks; i++) {
        const chunk = snapshotChunk.parse((await call(fx.server.url, `/v1/snapshot/${manifest.snapshotId}/${i}`, { token: b.device.token })).body);
        expect(chunk.records.some((r) => aIds.has(r.id))).toBe(false);
      }
      // A's snapshot id is not B's to read
      const aSnap = snapshotManifest.parse((await call(fx.server.url, '/v1/snapshot', { method: 'POST', token: a.device.token })).body);
      const stolen = await call<{ error: { code: string } }>(fx.server.url, `/v1/snapshot/${aSnap.snapshotId}/0`, { token: b.device.token });
      expect(stolen.status).toBe(404);
    });
  });

  describe('records', () => {
    it("answers a device with its own street's records as they are now, and nothing of another street", async () => {
      const a = await streetWithGrid();
      const b = await streetWithGrid();
      await push(a.device, [mutation(a.mids.next(), 'gridUnit', a.gridId, { name: '东街网格' }, 'update', 1)]);
      const ask = (token: string, records: unknown) => call<unknown>(fx.server.url, '/v1/records', { token, body: { ...VERSION_BODY, records } });
      const reply = await ask(a.device.token, [
        { entity: 'gridUnit', id: a.gridId },
        { entity: 'orgUnit', id: a.orgId },
        { entity: 'gridUnit', id: b.gridId }, // B's: left out, as one that does not exist
        { entity: 'person', id: uid('p') },
        { entity: 'orgUnit', id: a.gridId }, // an id under another entity
      ]);
      expect(reply.status).toBe(200);
      const { records } = recordsResponse.parse(reply.body);
      expect(records.map((r) => [r.entity, r.id, r.version])).toEqual([
        ['gridUnit', a.gridId, 2],
        ['orgUnit', a.orgId, 1],
      ]);
      expect(records[0]!.data).toMatchObject({ name: '东街网格', streetId: a.street.id });
      expect(records[0]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(recordsResponse.parse((await ask(b.device.token, [{ entity: 'gridUnit', id: a.gridId }])).body).records).toEqual([]);

      for (const bad of [[], [{ entity: 'case', id: 'x' }], [{ entity: 'person', id: '' }], [{ entity: 'person', id: 'x', more: 1 }], 'x', Array(501).fill({ entity: 'person', id: 'x' })]) {
        const refused = await ask(a.device.token, bad);
        expect(refused.status, JSON.stringify(bad).slice(0, 60)).toBe(400);
        expect(syncError.parse(refused.body).error.reason).toMatch(/^invalid_records:records/);
      }
      expect((await ask('not-a-token', [{ entity: 'gridUnit', id: a.gridId }])).status).toBe(401);
    });
  });

  describe('pull', () => {
    it('pages in sequence order with hasMore and a cursor', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      await push(device, Array.from({ length: 23 }, (_, i) => mutation(mids.next(), 'person', uid('p'), person(street, orgId, `居民${i}`))));
      const all = await pull(device);
      const seen: number[] = [];
      let after = 0;
      let pages = 0;
      for (;;) {
        const page = await pull(device, after, 5);
        pages += 1;
        seen.push(...page.changes.map((c) => c.seq));
        expect(page.changes.length).toBeLessThanOrEqual(5);
        after = page.cursor;
        if (!page.hasMore) break;
      }
      expect(seen).toEqual(all.changes.map((c) => c.seq));
      expect(pages).toBe(Math.ceil(all.changes.length / 5) + (all.changes.length % 5 === 0 ? 1 : 0));
      const own = all.changes.filter((c) => c.deviceId === device.deviceId);
      expect(own.every((c) => typeof c.mid === 'number')).toBe(true);
      const empty = await pull(device, after);
      expect(empty).toMatchObject({ changes: [], cursor: after, hasMore: false });
      for (const bad of ['after=-1', 'after=x', 'limit=0', 'limit=5001', 'after=1&limit=1.5']) {
        expect((await call(fx.server.url, `/v1/pull?${bad}`, { token: device.token })).status, bad).toBe(400);
      }
    });
  });

  describe('snapshot', () => {
    it('chunks are keyset-ordered, checksummed, resumable, and fixed at seq S', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      await push(device, Array.from({ length: 9 }, (_, i) => mutation(mids.next(), 'person', uid('p'), person(street, orgId, `人${i}`))));
      const reply = await call<SnapshotManifest>(fx.server.url, '/v1/snapshot', { method: 'POST', token: device.token });
      const manifest = snapshotManifest.parse(reply.body);
      // district + street + community + grid + 9 people
      expect(manifest.records).toBe(13);
      expect(manifest.chunks).toBe(4);
      expect(manifest.seq).toBe((await pull(device)).cursor);
      // changes after S: a new record stays out, an edit may show
      const late = uid('p');
      await push(device, [
        mutation(mids.next(), 'person', late, person(street, orgId, '后来者')),
        mutation(mids.next(), 'orgUnit', orgId, { name: '新名字' }, 'update', 1),
      ]);
      const chunks: SnapshotChunk[] = [];
      for (let i = 0; i < manifest.chunks; i++) {
        const raw = await fetch(`${fx.server.url}/v1/snapshot/${manifest.snapshotId}/${i}`, {
          headers: { ...VERSION_HEADERS, authorization: `Bearer ${device.token}` },
        });
        const bytes = Buffer.from(await raw.arrayBuffer());
        // the station's check: sha256 of the body's exact bytes, before parsing them
        expect(raw.headers.get(SNAPSHOT_CHECKSUM_HEADER)).toBe(createHash('sha256').update(bytes).digest('hex'));
        const chunk = snapshotChunk.parse(JSON.parse(bytes.toString('utf8')));
        expect(chunk.index).toBe(i);
        chunks.push(chunk);
      }
      const records = chunks.flatMap((c) => c.records);
      expect(records).toHaveLength(13);
      expect(records.some((r) => r.id === late)).toBe(false);
      const keys = records.map((r) => `${r.entity}\u0000${r.id}`);
      expect(keys).toEqual([...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      expect(new Set(keys).size).toBe(13);
      // resume: fetching chunk 2 again (after a broken connection) gives the same records
      const again = snapshotChunk.parse((await call(fx.server.url, `/v1/snapshot/${manifest.snapshotId}/2`, { token: device.token })).body);
      expect(again.records.map((r) => r.id)).toEqual(chunks[2]!.records.map((r) => r.id));
      expect((await call(fx.server.url, `/v1/snapshot/${manifest.snapshotId}/4`, { token: device.token })).status).toBe(404);
      expect((await call(fx.server.url, `/v1/snapshot/not-an-id/0`, { token: device.token })).status).toBe(404);
      // a station from before the checksum header is told to update, for the manifest and a chunk
      const older = { 'x-griddesk-protocol': String(MIN_SNAPSHOT_PROTOCOL - 1) };
      for (const [method, path] of [['POST', '/v1/snapshot'], ['GET', `/v1/snapshot/${manifest.snapshotId}/0`]] as const) {
        const refused = await call(fx.server.url, path, { method, token: device.token, headers: older });
        expect(refused.status).toBe(426);
        expect(syncError.parse(refused.body).error).toMatchObject({ code: 'client_too_old', minProtocol: MIN_SNAPSHOT_PROTOCOL });
      }
    });

    it('counts and chunks a set that fills its last chunk exactly', async () => {
      const { street, device, mids, orgId } = await streetWithGrid();
      // district + street + community + grid + 8 people = 12 = three chunks of 4
      await push(device, Array.from({ length: 8 }, (_, i) => mutation(mids.next(), 'person', uid('p'), person(street, orgId, `人${i}`))));
      const manifest = snapshotManifest.parse((await call(fx.server.url, '/v1/snapshot', { method: 'POST', token: device.token })).body);
      expect(manifest).toMatchObject({ records: 12, chunks: 3 });
      const sizes: number[] = [];
      for (let i = 0; i < manifest.chunks; i++) {
        sizes.push(snapshotChunk.parse((await call(fx.server.url, `/v1/snapshot/${manifest.snapshotId}/${i}`, { token: device.token })).body).records.length);
      }
      expect(sizes).toEqual([4, 4, 4]);
    });
  });
});
