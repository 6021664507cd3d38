import { gzipSync } from 'node:zlib';
import { PROTOCOL_VERSION, type Mutation } from '../core/sync/protocol';
import { BODY_GZIP_LEVEL } from '../electron/sync/http-transport';
import { v7 } from 'uuid';

// Bytes on the wire per field change: the gzip'd push body exactly as the station's HTTP
// transport sends it (JSON.stringify + gzipSync at its BODY_GZIP_LEVEL), divided by the number of
// fields the batch sets. Realistic edits of a working day: a person's phone or status (one
// field), a grid's household count (one field), now and then a two-field edit; ids are the
// station's UUIDv7s, made over the past year (ids made in one burst would share their time
// prefix and compress unfairly well),
// mids consecutive, device clock a few seconds apart.

const PHONES = ['13800138000', '13912345678', '15029876543', '18691234567', '13309171234'];

const YEAR_MS = 365 * 86_400_000;
const madeLastYear = (i: number): string => v7({ msecs: Date.parse('2025-11-27T00:00:00Z') + ((i * 2_654_435_761) % YEAR_MS) });

function edits(n: number): Mutation[] {
  const people = Array.from({ length: Math.max(20, n) }, (_, i) => madeLastYear(i));
  const grids = Array.from({ length: Math.max(10, n / 4) }, (_, i) => madeLastYear(i + 1_000_003));
  let clock = Date.parse('2026-11-27T08:30:00.000Z');
  return Array.from({ length: n }, (_, i): Mutation => {
    clock += 1000 + ((i * 7919) % 9000);
    const kind = i % 10;
    const base = { mid: 48_213 + i, op: 'update' as const, baseVersion: 1 + (i % 4), at: new Date(clock).toISOString() };
    if (kind < 4) return { ...base, entity: 'person', id: people[(i * 31) % people.length]!, fields: { phone: PHONES[(i * 13) % PHONES.length]!.replace(/\d{4}$/, String(1000 + ((i * 7877) % 9000))) } };
    if (kind < 7) return { ...base, entity: 'person', id: people[(i * 17) % people.length]!, fields: { status: i % 3 === 0 ? 'left' : 'inactive' } };
    if (kind < 9) return { ...base, entity: 'gridUnit', id: grids[(i * 7) % grids.length]!, fields: { householdCount: 80 + ((i * 37) % 200) } };
    return { ...base, entity: 'person', id: people[(i * 11) % people.length]!, fields: { phone: `1390917${String(1000 + i).slice(-4)}`, note: '已电话核实' } };
  });
}

export interface WireResult {
  batch: number;
  fieldChanges: number;
  gzipBytes: number;
  rawBytes: number;
}

export function wireBytes(batch: number): WireResult {
  const mutations = edits(batch);
  const json = JSON.stringify({ protocol: PROTOCOL_VERSION, schemaVersion: 2, mutations });
  const fieldChanges = mutations.reduce((n, m) => n + Object.keys(m.fields).length, 0);
  return { batch, fieldChanges, gzipBytes: gzipSync(json, { level: BODY_GZIP_LEVEL }).length, rawBytes: Buffer.byteLength(json) };
}
