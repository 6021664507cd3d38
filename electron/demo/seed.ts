import { createGrid } from '../services/grid';
import { createOrgUnit } from '../services/org';
import { assignRole, createPerson } from '../services/people';
import type { AppContext } from '../services/context';
import { orgUnitByCode } from '../store/repos/org-units';
import { FakeIdentities } from './identity';
import { DISTRICT_DENSITY, planPeople, STREET_DENSITY } from './people';
import { DISTRICT, planStreets, type StreetPlan } from './plan';
import { STREETS } from './names';
import { createRng } from './prng';

// Writes the demo plan through the real services (so every rule and the change log apply),
// one outer transaction per street: each service's own transaction becomes a savepoint,
// and the street commits with one fsync instead of thousands.

export type DemoScale = 'street' | 'district';

export interface StreetTotals {
  street: string;
  communities: number;
  grids: number;
  people: number;
  assignments: number;
  ms: number;
}

export const GRID_VALID_FROM = '2023-01-01';

function seedStreet(ctx: AppContext, districtId: string, plan: StreetPlan, people: ReturnType<typeof planPeople>): Omit<StreetTotals, 'ms'> {
  return ctx.db.transaction(() => {
    // An enrolled station already has its street (from the server's snapshot): fill that one.
    const street =
      orgUnitByCode(ctx.db, plan.code) ??
      createOrgUnit(ctx, { code: plan.code, name: plan.name, level: 'street', kind: null, parentId: districtId, hostsCenter: true });
    const orgIds = new Map<string, string>([[plan.code, street.id]]);
    for (const c of plan.communities) {
      const unit = createOrgUnit(ctx, { code: c.code, name: c.name, level: 'community', kind: c.kind, parentId: street.id, hostsCenter: c.kind === 'urban_community' });
      orgIds.set(c.code, unit.id);
    }
    const gridIds = new Map<string, string>();
    for (const g of plan.grids) {
      const grid = createGrid(ctx, {
        code: g.code,
        name: g.name,
        level: g.level,
        kind: g.kind,
        dedicatedType: g.dedicatedType,
        category: g.category,
        parentId: g.parentCode ? gridIds.get(g.parentCode)! : null,
        orgUnitId: orgIds.get(g.communityCode)!,
        householdCount: g.householdCount,
        validFrom: GRID_VALID_FROM,
        predecessorId: null,
      });
      gridIds.set(g.code, grid.id);
    }
    let assignments = 0;
    for (const p of people) {
      const { roles, orgCode, ...fields } = p;
      const person = createPerson(ctx, { ...fields, orgUnitId: orgIds.get(orgCode)!, note: null });
      for (const r of roles) {
        const gridId = gridIds.get(r.target);
        const target = gridId ? { kind: 'grid' as const, gridId } : { kind: 'org' as const, orgUnitId: orgIds.get(r.target)! };
        assignRole(ctx, { personId: person.id, target, role: r.role, startDate: r.startDate, endDate: null });
        assignments++;
      }
    }
    return { street: plan.name, communities: plan.communities.length, grids: plan.grids.length, people: people.length, assignments };
  })();
}

/** Grids or people: data a demo must not be mixed into. Bare district/street units are fine. */
export function hasStreetData(ctx: AppContext): boolean {
  return ctx.db.prepare("SELECT 1 FROM grid_unit UNION ALL SELECT 1 FROM person UNION ALL SELECT 1 FROM org_unit WHERE level = 'community' LIMIT 1").get() !== undefined;
}

/**
 * Which demo street a street-scale seed fills: the street this replica already holds (an
 * enrolled station), else 韦曲街道. Undefined when the replica holds a street the demo lacks.
 */
export function demoStreetIndexFor(ctx: AppContext): number | undefined {
  const codes = (ctx.db.prepare("SELECT code FROM org_unit WHERE level = 'street' ORDER BY code").all() as { code: string }[]).map((r) => r.code);
  if (codes.length === 0) return 0;
  const index = STREETS.findIndex((s) => codes.includes(s.code));
  return index < 0 ? undefined : index;
}

/** Seeds Chang'an District at street or district scale; the same seed gives the same data. */
export function seedDemo(
  ctx: AppContext,
  options: { scale: DemoScale; seed: number; streetIndex?: number; onStreet?: (totals: StreetTotals, index: number, of: number) => void },
): StreetTotals[] {
  const rng = createRng(options.seed);
  const ids = new FakeIdentities(rng);
  const plans = planStreets(rng, options.scale, options.streetIndex);
  const density = options.scale === 'district' ? DISTRICT_DENSITY : STREET_DENSITY;
  const district =
    orgUnitByCode(ctx.db, DISTRICT.code) ??
    createOrgUnit(ctx, { code: DISTRICT.code, name: DISTRICT.name, level: 'district', kind: null, parentId: null, hostsCenter: true });
  const totals: StreetTotals[] = [];
  plans.forEach((plan, i) => {
    const started = performance.now();
    const people = planPeople(rng, ids, plan, density);
    const t = { ...seedStreet(ctx, district.id, plan, people), ms: performance.now() - started };
    totals.push(t);
    options.onStreet?.(t, i, plans.length);
  });
  return totals;
}
