import { describe, expect, it } from 'vitest';
import { openDb } from '../../electron/store/db';
import { AppError } from '../../core/api/errors';
import { COMMAND_NAMES, commandTag, MAX_COMMAND_MUTATIONS } from '../../core/sync/commands';
import { pushRequest, type Mutation } from '../../core/sync/protocol';
import type { Db } from '../../electron/store/db';
import { insertEntity, lastMutationId, updateEntity, writeCommand } from '../../electron/store/write';
import { Batcher } from '../../electron/sync/batcher';
import { pendingEntries } from '../../electron/sync/outbox';

// The batch byte cap counts each mutation's JSON without stringifying it again
// (electron/sync/outbox.ts): the count must be what the wire carries. A command's mutations
// (core/sync/commands.ts) are tagged as one and never cut apart on their way out.

const at = '2025-01-01T00:00:00.000Z';

function streetWithPeople(people: number): Db {
  const db = openDb(':memory:');
  insertEntity(db, 'orgUnit', 'd', { code: '610116000000', name: '长安区', level: 'district', kind: null, parentId: null, hostsCenter: false }, at);
  for (let i = 0; i < people; i++) insertEntity(db, 'person', `p${i}`, { name: `居民${i}`, status: 'active', orgUnitId: 'd', streetId: 'd' }, at);
  return db;
}

/** One command of `size` mutations: edits of people p0, p1, … (the tag does not care what they are). */
function command(db: Db, size: number): void {
  writeCommand(db, 'grid.retire', { gridId: 'g', validTo: '2025-06-30' }, () => {
    for (let i = 0; i < size; i++) updateEntity(db, 'person', `p${i}`, { note: `第${i}项` }, at);
  });
}

const request = (mutations: Mutation[]) => pushRequest.safeParse({ protocol: 4, schemaVersion: 5, mutations });

describe('outbox entries', () => {
  it("count exactly the bytes of each mutation's JSON", () => {
    const db = openDb(':memory:');
    insertEntity(db, 'orgUnit', 'd', { code: '610116000000', name: '长安区', level: 'district', kind: null, parentId: null, hostsCenter: false }, at);
    insertEntity(db, 'person', 'p1', { name: '居民"一"\\', status: 'active', orgUnitId: 'd', streetId: 'd', note: '独居老人\n每周走访' }, at);
    updateEntity(db, 'person', 'p1', { phone: '13800138000' }, at);
    const entries = pendingEntries(db, 100);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.some((e) => e.mutation.baseVersion !== null)).toBe(true);
    for (const e of entries) expect(e.bytes).toBe(Buffer.byteLength(JSON.stringify(e.mutation), 'utf8'));
  });

  it('tag every row one service call writes as one command, and count the tag in the bytes', () => {
    const db = streetWithPeople(3);
    command(db, 3);
    const entries = pendingEntries(db, 100).slice(-3);
    const tags = entries.map((e) => e.mutation.command);
    expect(tags[0]).toMatchObject({ name: 'grid.retire', size: 3, args: { gridId: 'g', validTo: '2025-06-30' } });
    expect(new Set(tags.map((t) => JSON.stringify(t))).size).toBe(1);
    for (const e of entries) expect(e.bytes).toBe(Buffer.byteLength(JSON.stringify(e.mutation), 'utf8'));
    expect(request(entries.map((e) => e.mutation)).success).toBe(true);
  });

  it('refuse a command too large for a batch, writing nothing of it', () => {
    const db = streetWithPeople(MAX_COMMAND_MUTATIONS + 1);
    const before = lastMutationId(db);
    expect(() => command(db, MAX_COMMAND_MUTATIONS + 1)).toThrow(AppError);
    expect(lastMutationId(db)).toBe(before);
    expect(db.prepare("SELECT count(*) AS n FROM person WHERE note IS NOT NULL").get()).toEqual({ n: 0 });
  });

  it('end a page only after the whole of a command, and batch commands whole', () => {
    const db = streetWithPeople(6);
    command(db, 4); // mids 8..11, after the 7 inserts
    // a page of 9 ends inside the command: it is read to its end
    expect(pendingEntries(db, 9).map((e) => e.mutation.mid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const batcher = new Batcher(10);
    // the cap falls inside the command: the batch stops before it
    expect(batcher.take(pendingEntries(db, 10)).map((e) => e.mutation.mid)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // a command at the head goes whole, whatever the cap
    batcher.shrink(2);
    expect(batcher.size).toBe(1);
    expect(batcher.take(pendingEntries(db, 1, 7)).map((e) => e.mutation.mid)).toEqual([8, 9, 10, 11]);
    // and the byte cap: a unit that would pass it waits for the next batch
    const bytes = pendingEntries(db, 100).slice(0, 7).reduce((sum, e) => sum + e.bytes, 0);
    expect(new Batcher(1000, bytes + 10).take(pendingEntries(db, 100)).map((e) => e.mutation.mid)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('send a command as the rows of it still pending, when a person gave one record up', () => {
    const db = streetWithPeople(4);
    command(db, 4); // mids 6..9
    db.prepare("UPDATE change_log SET state = 'rejected' WHERE seq = 7").run();
    const page = pendingEntries(db, 6);
    expect(page.map((e) => e.mutation.mid)).toEqual([1, 2, 3, 4, 5, 6, 8, 9]);
    expect(page.slice(-3).map((e) => e.mutation.command?.size)).toEqual([3, 3, 3]);
    for (const e of page) expect(e.bytes).toBe(Buffer.byteLength(JSON.stringify(e.mutation), 'utf8'));
    expect(request(page.map((e) => e.mutation)).success).toBe(true);
  });

  it('are refused on the wire when a batch cuts a command, or repeats one', () => {
    const db = streetWithPeople(2);
    command(db, 2);
    const [first, second] = pendingEntries(db, 100).slice(-2).map((e) => e.mutation);
    expect(request([first!]).success).toBe(false);
    expect(request([first!, second!, { ...second!, mid: 99 }]).success).toBe(false);
    expect(request([first!, second!]).success).toBe(true);
  });

  it('carry a tag whose arguments are checked by the schema of its own command, one for every command', () => {
    const tagged = (name: string, args: Record<string, unknown>) => commandTag.safeParse({ id: 'c1', name, size: 1, args }).success;
    const retire = { gridId: 'g', validTo: '2025-06-30' };
    const move = { gridId: 'g', parentId: null, date: '2025-06-30' };
    expect([tagged('grid.retire', retire), tagged('grid.move', move)]).toEqual([true, true]);
    expect([tagged('grid.retire', move), tagged('grid.move', retire), tagged('grid.retire', { ...retire, validTo: '30/06/2025' })]).toEqual([false, false, false]);
    expect(commandTag.options.map((o) => o.shape.name.value).sort()).toEqual([...COMMAND_NAMES].sort());
  });
});
