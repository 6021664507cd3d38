import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, PushResponse } from '../../core/sync/protocol';
import { createDistrict, createStreet } from '../../server/admin/admin';
import { withAdmin } from '../../server/db/scope';
import { applyPush, type PushDevice } from '../../server/sync/apply';
import { DISTRICT_CODE, FACTORIES, openMigrated, pushBody, type TestDb } from './harness';

// The batch path (in-memory decisions, multi-row writes) must answer and store exactly what the
// one-mutation-at-a-time path does. Two databases get the same generated pushes, one in each
// mode; replies, records, change log, rejections and conflicts must match after the random
// server ids (district, street, devices) are replaced by placeholders.

const REF_POOL = ['o0', 'o1', 'g0', 'g1', 'g2', 'p0', 'p1', 'p2', 'STREET', 'STREET', 'nope'];

type Draft = Omit<Mutation, 'mid' | 'at'> & { device: 0 | 1 };

/** Ids are `RUN-<symbol>`; each run replaces RUN with its own number, so runs never share records. */
function drafts(): fc.Arbitrary<Draft[]> {
  const id = (sym: string): string => (sym === 'STREET' || sym === 'nope' ? sym : `RUN-${sym}`);
  const ref = fc.constantFrom(...REF_POOL).map(id);
  const code = (prefix: string) => fc.integer({ min: 1, max: 3 }).map((n) => `${prefix}${String(n).padStart(3, '0')}`);
  const orgCode = code('STREET9');
  const gridCode = code('6101169990013');
  const full = <T,>(a: fc.Arbitrary<T>) => ({ arbitrary: a, weight: 4 });
  const resident = fc.constantFrom('11010519491231002X', '110105194912310038', null);
  // a grid's end: before the mutations' day (2026-01-01) and between the assignments' starts
  const retired = fc.constantFrom(null, null, '2024-06-01');
  const base = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4 }));
  const op = fc.oneof({ arbitrary: fc.constant('insert' as const), weight: 2 }, fc.constant('update' as const));
  return fc.array(
    fc.oneof(
      fc.record({
        device: fc.constantFrom(0 as const, 1 as const),
        entity: fc.constant('orgUnit' as const),
        id: fc.constantFrom('o0', 'o1', 'o2', 'STREET').map(id),
        op,
        fields: fc.oneof(
          full(orgCode.map((c) => ({ code: c, name: `社区${c}`, level: 'community', kind: 'urban_community', parentId: 'STREET', hostsCenter: false }))),
          fc.record({ name: fc.constantFrom('甲', '乙') }),
          orgCode.map((c) => ({ code: c })),
          fc.constant({ level: 'street' }),
        ),
        baseVersion: base,
      }),
      fc.record({
        device: fc.constantFrom(0 as const, 1 as const),
        entity: fc.constant('gridUnit' as const),
        id: fc.constantFrom('g0', 'g1', 'g2', 'g3').map(id),
        op,
        fields: fc.oneof(
          full(fc.tuple(gridCode, fc.constantFrom('o0', 'o1', 'o1', 'nope').map(id), fc.option(ref), retired).map(([c, org, parent, validTo]) => ({
            code: c,
            name: `网格${c}`,
            level: 'small',
            kind: 'basic',
            dedicatedType: null,
            category: 'urban_community',
            parentId: parent,
            orgUnitId: org,
            streetId: 'STREET',
            householdCount: 120,
            validFrom: '2024-01-01',
            validTo,
            predecessorId: null,
          }))),
          fc.record({ householdCount: fc.integer({ min: -1, max: 300 }) }),
          retired.map((validTo) => ({ validTo })),
          gridCode.map((c) => ({ code: c })),
          ref.map((r) => ({ parentId: r })),
        ),
        baseVersion: base,
      }),
      fc.record({
        device: fc.constantFrom(0 as const, 1 as const),
        entity: fc.constant('person' as const),
        id: fc.constantFrom('p0', 'p1', 'p2', 'p3').map(id),
        op,
        fields: fc.oneof(
          full(fc.tuple(ref, resident).map(([org, rid]) => ({
            name: '居民',
            gender: 'female',
            phone: '13800138000',
            residentId: rid,
            partyMember: false,
            partyBranch: null,
            status: 'active',
            orgUnitId: org,
            streetId: 'STREET',
            note: null,
          }))),
          fc.record({ phone: fc.constantFrom('13900139000', '13700137000'), status: fc.constantFrom('active', 'left', 'bogus') }),
          resident.map((rid) => ({ residentId: rid })),
          fc.record({ futureField: fc.jsonValue({ maxDepth: 2 }) }),
        ),
        baseVersion: base,
      }),
      fc.record({
        device: fc.constantFrom(0 as const, 1 as const),
        entity: fc.constant('assignment' as const),
        id: fc.constantFrom('a0', 'a1').map(id),
        op: fc.constantFrom('insert' as const, 'update' as const),
        fields: fc.tuple(ref, ref, fc.boolean(), fc.constantFrom('grid_chief', 'leader', 'volunteer'), fc.constantFrom('2024-01-01', '2025-01-01')).map(([p, target, onGrid, role, startDate]) => ({
          personId: p,
          gridId: onGrid ? target : null,
          orgUnitId: onGrid ? null : target,
          role,
          startDate,
          endDate: null,
        })),
        baseVersion: base,
      }),
      fc.record({
        device: fc.constantFrom(0 as const, 1 as const),
        entity: fc.constant('gridHistory' as const),
        id: fc.constantFrom('h0', 'h1').map(id),
        op: fc.constantFrom('insert' as const, 'update' as const),
        fields: ref.map((g) => ({ gridId: g, action: 'created', detail: '{}' })),
        baseVersion: fc.constant(null),
      }),
    ),
    { minLength: 1, maxLength: 40 },
  );
}

/** A valid 18-character resident ID (GB 11643 check character) numbered n (0..999). */
function residentIdFor(n: number): string {
  const body = `11010519800101${String(n).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

/** Swaps the placeholders in (rendering) or the server ids out (comparing). */
function replaceAll(value: unknown, pairs: readonly (readonly [string, string])[]): unknown {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return JSON.parse(text) as unknown;
}

interface Side {
  t: TestDb;
  mode: 'batch' | 'serial';
  districtId: string;
}

describe.each(FACTORIES)('batch push path on $name', (factory) => {
  const sides: Side[] = [];
  let currentRun = 0;

  beforeAll(async () => {
    for (const mode of ['batch', 'serial'] as const) {
      const t = await openMigrated(factory);
      const district = await createDistrict(t.db, { code: DISTRICT_CODE, name: '长安区' });
      sides.push({ t, mode, districtId: district.id });
    }
  }, 60_000);
  afterAll(async () => {
    for (const s of sides) await s.t.drop();
  }, 30_000);

  async function replay(side: Side, pushes: Draft[][]) {
    const streetCode = `610116${String(100 + currentRun).padStart(3, '0')}000`;
    const street = await createStreet(side.t.db, { code: streetCode, name: `街道${currentRun}`, districtCode: DISTRICT_CODE });
    const devices: PushDevice[] = [0, 1].map((n) => ({ id: `dev-${currentRun}-${n}`, streetId: street.id, streetCode }));
    for (const d of devices) {
      await side.t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ($1, $2, 'x', $3)`, [d.id, street.id, `hash-${d.id}`]);
    }
    const placeholders: [string, string][] = [
      ['RUN-', `r${currentRun}-`],
      ['STREET9', streetCode.slice(0, 9)],
      ['"STREET"', JSON.stringify(street.id)],
    ];
    const mids = [0, 0];
    const replies: PushResponse[] = [];
    const fallbacks: string[] = [];
    for (const batch of pushes) {
      for (const device of [0, 1] as const) {
        const mine = batch.filter((d) => d.device === device);
        if (mine.length === 0) continue;
        const mutations = mine.map(({ device: _d, ...m }) => ({ ...(replaceAll(m, placeholders) as Omit<Mutation, 'mid' | 'at'>), mid: (mids[device]! += 1), at: '2026-01-01T00:00:00Z' }));
        replies.push(await applyPush(side.t.db, devices[device]!, pushBody(mutations), { mode: side.mode, onFallback: (r) => fallbacks.push(r) }));
      }
    }
    const stored = await withAdmin(side.t.db, async (tx) => ({
      records: (await tx.query('SELECT entity, id, street_id, data, version, created_seq, updated_seq FROM record WHERE street_id = $1 ORDER BY entity, id', [street.id])).rows,
      changes: (await tx.query('SELECT seq, entity, id, op, fields, version, device_id, mid FROM change WHERE street_id = $1 ORDER BY seq', [street.id])).rows,
      rejections: (await tx.query('SELECT device_id, mid, entity, record_id, reason FROM rejection WHERE street_id = $1 ORDER BY id', [street.id])).rows,
      conflicts: (await tx.query('SELECT device_id, mid, entity, record_id, base_version, server_version, overwritten FROM conflict WHERE street_id = $1 ORDER BY id', [street.id])).rows,
      seq: (await tx.query('SELECT seq FROM street_seq WHERE street_id = $1', [street.id])).rows,
      devices: (await tx.query('SELECT id, last_mid FROM device WHERE street_id = $1 ORDER BY id', [street.id])).rows,
    }));
    const normal = replaceAll({ replies, stored }, [
      [street.id, 'STREET'],
      [side.districtId, 'DISTRICT'],
    ]);
    return { normal, fallbacks, replies, changes: stored.changes.length };
  }

  it('gives the same replies and stored state as the one-at-a-time path', async () => {
    const seen = { batched: 0, fellBack: 0, applied: 0, rejected: 0, conflicts: 0 };
    const reasons = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(drafts(), { minLength: 1, maxLength: 3 }), async (pushes) => {
        currentRun += 1;
        const batch = await replay(sides[0]!, pushes);
        const serial = await replay(sides[1]!, pushes);
        expect(batch.normal).toEqual(serial.normal);
        if (batch.fallbacks.length > 0) seen.fellBack += 1;
        else seen.batched += 1;
        for (const r of batch.replies) {
          seen.rejected += r.rejected.length;
          seen.conflicts += r.conflicts.length;
          for (const rejection of r.rejected) reasons.add(rejection.reason);
        }
        seen.applied += batch.changes;
      }),
      // a fixed seed: the coverage check below depends on what was generated, so a random
      // seed made it fail now and then (no conflict among 60 runs); fast-check still prints
      // the failing case and its path when the property itself breaks
      { numRuns: 60, seed: 20261127 },
    );
    // the generated pushes must exercise the batch path itself (not only its fallback), and
    // mix applied mutations, rejections and conflicts
    expect(seen.batched).toBeGreaterThan(seen.fellBack);
    expect(Math.min(seen.applied, seen.rejected, seen.conflicts)).toBeGreaterThan(0);
    expect(reasons.size).toBeGreaterThan(5);
  }, 180_000);

  it('decides the rules that read another record\'s state as the one-at-a-time path does', async () => {
    currentRun += 1;
    const orgDoc = { code: 'STREET9001', name: '社区', level: 'community', kind: 'urban_community', parentId: 'STREET', hostsCenter: false };
    const gridDoc = (code: string, parentId: string | null, validTo: string | null = null) => ({
      code,
      name: '网格',
      level: parentId ? 'micro' : 'small',
      kind: 'basic',
      dedicatedType: null,
      category: 'urban_community',
      parentId,
      orgUnitId: 'RUN-o0',
      streetId: 'STREET',
      householdCount: 10,
      validFrom: '2024-01-01',
      validTo,
      predecessorId: null,
    });
    const personDoc = { name: '居民', gender: 'female', phone: null, residentId: null, partyMember: false, partyBranch: null, status: 'active', orgUnitId: 'RUN-o0', streetId: 'STREET', note: null };
    const assignment = (personId: string, startDate: string, target: { gridId: string } | { orgUnitId: string }) => ({
      gridId: null,
      orgUnitId: null,
      ...target,
      personId,
      role: 'gridId' in target ? 'grid_member_full' : 'leader',
      startDate,
      endDate: null,
    });
    const draft = (device: 0 | 1, entity: Draft['entity'], id: string, op: Draft['op'], fields: Record<string, unknown>): Draft => ({ device, entity, id, op, fields, baseVersion: null });
    const pushes: Draft[][] = [
      [
        draft(0, 'orgUnit', 'RUN-o0', 'insert', orgDoc),
        draft(0, 'gridUnit', 'RUN-g0', 'insert', gridDoc('6101169990013001', null)),
        draft(0, 'person', 'RUN-p0', 'insert', personDoc),
        draft(0, 'person', 'RUN-p1', 'insert', personDoc),
      ],
      // one station ends the grid and records that a person left
      [draft(1, 'gridUnit', 'RUN-g0', 'update', { validTo: '2024-06-01' }), draft(1, 'person', 'RUN-p1', 'update', { status: 'left' })],
      // the other, not knowing, builds on both
      [
        draft(0, 'gridUnit', 'RUN-g1', 'insert', gridDoc('6101169990013002', 'RUN-g0')),
        draft(0, 'gridUnit', 'RUN-g2', 'insert', gridDoc('6101169990013003', 'RUN-g0', '2024-05-01')),
        draft(0, 'assignment', 'RUN-a0', 'insert', assignment('RUN-p0', '2025-01-01', { gridId: 'RUN-g0' })),
        draft(0, 'assignment', 'RUN-a1', 'insert', assignment('RUN-p0', '2024-02-01', { gridId: 'RUN-g0' })),
        draft(0, 'assignment', 'RUN-a2', 'insert', assignment('RUN-p1', '2024-02-01', { orgUnitId: 'RUN-o0' })),
        // a grid made earlier in the same batch ends, and a child under it follows
        draft(0, 'gridUnit', 'RUN-g3', 'insert', gridDoc('6101169990013004', null)),
        draft(0, 'gridUnit', 'RUN-g3', 'update', { validTo: '2025-01-01' }),
        draft(0, 'gridUnit', 'RUN-g4', 'insert', gridDoc('6101169990013005', 'RUN-g3')),
      ],
    ];
    const [batch, serial] = [await replay(sides[0]!, pushes), await replay(sides[1]!, pushes)];
    expect(batch.fallbacks).toEqual([]);
    expect(batch.normal).toEqual(serial.normal);
    expect(batch.replies.flatMap((r) => r.rejected.map((x) => [x.id.replace(/^r\d+-/, ''), x.reason]))).toEqual([
      ['g1', 'grid.parent_retired'],
      ['a0', 'grid.retired'],
      ['a1', 'assignment.outlives_grid'],
      ['a2', 'assignment.person_left'],
      ['g4', 'grid.parent_retired'],
    ]);
  });

  it('a duplicate unique value inside one batch: the later mutation is rejected with the earlier one attached', async () => {
    currentRun += 1;
    const side = sides[0]!;
    const streetCode = `610116${String(100 + currentRun).padStart(3, '0')}000`;
    const street = await createStreet(side.t.db, { code: streetCode, name: '重复街道', districtCode: DISTRICT_CODE });
    const device: PushDevice = { id: `dev-${currentRun}`, streetId: street.id, streetCode };
    await side.t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ($1, $2, 'x', $3)`, [device.id, street.id, `hash-${device.id}`]);
    const org = { code: `${streetCode.slice(0, 9)}001`, name: '社区', level: 'community', kind: 'urban_community', parentId: street.id, hostsCenter: false };
    const people = Array.from({ length: 600 }, (_, i) => ({
      mid: i + 3,
      entity: 'person' as const,
      id: `dup-${currentRun}-p${i}`,
      op: 'insert' as const,
      // every 100th person repeats the resident ID of the one before it
      fields: { name: `居民${i}`, status: 'active', orgUnitId: `dup-${currentRun}-o1`, streetId: street.id, residentId: residentIdFor(i % 100 === 99 ? i - 1 : i) },
      baseVersion: null,
      at: '2026-01-01T00:00:00Z',
    }));
    const fallbacks: string[] = [];
    const reply = await applyPush(
      side.t.db,
      device,
      pushBody([
        { mid: 1, entity: 'orgUnit', id: `dup-${currentRun}-o1`, op: 'insert', fields: org, baseVersion: null, at: 'x' },
        { mid: 2, entity: 'orgUnit', id: `dup-${currentRun}-o2`, op: 'insert', fields: org, baseVersion: null, at: 'x' },
        ...people,
      ]),
      { onFallback: (r) => fallbacks.push(r) },
    );
    expect(fallbacks).toEqual([]);
    expect(reply.rejected.map((r) => [r.mid, r.reason, r.serverRecord?.id])).toEqual([
      [2, 'org.code_taken', `dup-${currentRun}-o1`],
      ...[99, 199, 299, 399, 499, 599].map((i) => [i + 3, 'person.resident_id_taken', `dup-${currentRun}-p${i - 1}`]),
    ]);
    expect(reply.seq).toBe(2 + 1 + 600 - 6);
  });

  it('a value PostgreSQL refuses makes the batch fall back to one mutation at a time, with the same outcome', async () => {
    currentRun += 1;
    const side = sides[0]!;
    const streetCode = `610116${String(100 + currentRun).padStart(3, '0')}000`;
    const street = await createStreet(side.t.db, { code: streetCode, name: '回退街道', districtCode: DISTRICT_CODE });
    const device: PushDevice = { id: `dev-${currentRun}`, streetId: street.id, streetCode };
    await side.t.db.query(`INSERT INTO device (id, street_id, name, token_hash) VALUES ($1, $2, 'x', $3)`, [device.id, street.id, `hash-${device.id}`]);
    const person = (i: number, extra: Record<string, unknown> = {}): Mutation => ({
      mid: i,
      entity: 'person',
      id: `fb-${currentRun}-p${i}`,
      op: 'insert',
      fields: { name: `居民${i}`, status: 'active', orgUnitId: street.id, streetId: street.id, ...extra },
      baseVersion: null,
      at: 'x',
    });
    const fallbacks: string[] = [];
    // jsonb cannot hold \u0000: the in-memory decision accepts it, the bulk INSERT fails
    const reply = await applyPush(side.t.db, device, pushBody([person(1), person(2, { futureField: 'a\u0000b' }), person(3)]), {
      onFallback: (r) => fallbacks.push(r),
    });
    expect(fallbacks).toEqual(['sql:validation.bad_value']);
    expect(reply.rejected.map((r) => [r.mid, r.reason])).toEqual([[2, 'validation.bad_value']]);
    expect(reply.seq).toBe(2 + 2);
  });
});
