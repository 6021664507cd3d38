import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isResidentId, isMobile } from '../../core/domain/identity';
import { seedDemo } from '../../electron/demo/seed';
import { DISTRICT_GRIDS, planStreets } from '../../electron/demo/plan';
import { createRng } from '../../electron/demo/prng';
import { openStation, type Station } from '../helpers/station';

let station: Station;
beforeEach(() => {
  station = openStation();
});
afterEach(() => station.close());

const rows = <T>(sql: string): T[] => station.ctx.db.prepare(sql).all() as T[];

describe('demo data', () => {
  it('seeds one street at the typical size through the services', async () => {
    const [totals] = seedDemo(station.ctx, { scale: 'street', seed: 7 });
    expect(totals).toMatchObject({ street: '韦曲街道', communities: 12, grids: 760 });
    const levels = Object.fromEntries(rows<{ level: string; n: number }>('SELECT level, count(*) AS n FROM grid_unit GROUP BY level').map((r) => [r.level, r.n]));
    expect(levels).toEqual({ large: 11, medium: 14, small: 55, micro: 680 });
    expect(rows<{ n: number }>("SELECT count(*) AS n FROM grid_unit WHERE kind = 'dedicated'")[0]!.n).toBeGreaterThan(0);
    const kinds = new Set(rows<{ kind: string }>("SELECT kind FROM org_unit WHERE level = 'community'").map((r) => r.kind));
    expect(kinds).toEqual(new Set(['village', 'urban_community']));

    const people = rows<{ phone: string | null; residentId: string | null; partyMember: number }>(
      'SELECT phone, resident_id AS residentId, party_member AS partyMember FROM person',
    );
    expect(people.length).toBeGreaterThan(300);
    expect(people.every((p) => p.residentId === null || isResidentId(p.residentId))).toBe(true);
    expect(people.every((p) => p.phone === null || (isMobile(p.phone) && /^17[01]/.test(p.phone)))).toBe(true);
    const partyShare = people.filter((p) => p.partyMember).length / people.length;
    expect(partyShare).toBeGreaterThan(0.2);
    expect(partyShare).toBeLessThan(0.45);

    // Coverage has gaps, but only a few: about 5% of micro grids have nobody.
    const street = rows<{ id: string }>("SELECT id FROM org_unit WHERE level = 'street'")[0]!;
    const coverage = await station.call('coverage.byCommunity', { orgUnitId: street.id });
    const micro = coverage.reduce((n, r) => n + r.microGrids, 0);
    const withoutMember = coverage.reduce((n, r) => n + r.withoutMember, 0);
    expect(micro).toBe(680);
    expect(withoutMember).toBeGreaterThan(0);
    expect(withoutMember / micro).toBeLessThan(0.1);
    const roles = new Set(rows<{ role: string }>('SELECT DISTINCT role FROM assignment').map((r) => r.role));
    for (const role of ['grid_chief', 'grid_member_full', 'household_head', 'community_police', 'traffic_police', 'party_member', 'center_operator', 'leader', 'bao_lian_cadre']) {
      expect(roles).toContain(role);
    }
  });

  it('is deterministic for a seed and different for another', () => {
    seedDemo(station.ctx, { scale: 'street', seed: 7 });
    const snapshot = () => ({
      grids: rows<{ code: string; name: string }>('SELECT code, name, household_count FROM grid_unit ORDER BY code'),
      people: rows<{ name: string }>('SELECT name, phone, resident_id FROM person ORDER BY resident_id, phone, name'),
    });
    const first = snapshot();
    const other = openStation();
    try {
      seedDemo(other.ctx, { scale: 'street', seed: 7 });
      const again = {
        grids: other.ctx.db.prepare('SELECT code, name, household_count FROM grid_unit ORDER BY code').all(),
        people: other.ctx.db.prepare('SELECT name, phone, resident_id FROM person ORDER BY resident_id, phone, name').all(),
      };
      expect(again).toEqual(first);
    } finally {
      other.close();
    }
    const plan8 = planStreets(createRng(8), 'street')[0]!;
    expect(plan8.grids.map((g) => g.name)).not.toEqual(first.grids.map((g) => g.name));
  });

  it('plans the district with exactly the reported grid counts', () => {
    const plans = planStreets(createRng(1), 'district');
    expect(plans).toHaveLength(25);
    const count = (level: string) => plans.reduce((n, p) => n + p.grids.filter((g) => g.level === level).length, 0);
    expect({ large: count('large'), medium: count('medium'), small: count('small'), micro: count('micro') }).toEqual(DISTRICT_GRIDS);
    const codes = plans.flatMap((p) => p.grids.map((g) => g.code));
    expect(new Set(codes).size).toBe(codes.length);
  });
});
