import { describe, expect, it } from 'vitest';
import { openDb } from '../../electron/store/db';
import { insertEntity, updateEntity } from '../../electron/store/write';
import { pendingEntries } from '../../electron/sync/outbox';

// The batch byte cap counts each mutation's JSON without stringifying it again
// (electron/sync/outbox.ts): the count must be what the wire carries.

describe('outbox entries', () => {
  it("count exactly the bytes of each mutation's JSON", () => {
    const db = openDb(':memory:');
    const at = '2025-01-01T00:00:00.000Z';
    insertEntity(db, 'orgUnit', 'd', { code: '610116000000', name: '长安区', level: 'district', kind: null, parentId: null, hostsCenter: false }, at);
    insertEntity(db, 'person', 'p1', { name: '居民"一"\\', status: 'active', orgUnitId: 'd', streetId: 'd', note: '独居老人\n每周走访' }, at);
    updateEntity(db, 'person', 'p1', { phone: '13800138000' }, at);
    const entries = pendingEntries(db, 100);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.some((e) => e.mutation.baseVersion !== null)).toBe(true);
    for (const e of entries) expect(e.bytes).toBe(Buffer.byteLength(JSON.stringify(e.mutation), 'utf8'));
  });
});
