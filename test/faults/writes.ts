import { residentIdCheckChar } from '../../core/domain/identity';
import type { ROLES } from '../../core/domain/people';
import type { Station } from '../helpers/station';
import { communityCode, type StreetFixture } from '../sync/harness';
import type { WriteAction } from './model';

// Local writes through the real service handlers (the same path as the UI), so every write
// leaves its change_log row exactly as in production. Small value pools make two stations
// edit the same field, take the same grid code or enter the same resident ID on purpose.

type Role = (typeof ROLES)[number];

/** Valid resident IDs (check digit computed); two stations entering one of them collide. */
const RESIDENT_IDS = ['0001', '0002', '0003', '0004'].map((n) => {
  const first17 = `61011619900101${n.slice(1)}`;
  return first17 + residentIdCheckChar(first17);
});
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静'];
const GRID_NAMES = ['东区网格', '西区网格', '南区网格', '北区网格'];
const PHONES = ['13800138000', '13912345678', '13700001111'];
const NOTES = ['独居老人', '新迁入', null];

const choose = <T>(items: readonly T[], r: number | undefined): T | undefined =>
  items.length === 0 ? undefined : items[Math.min(items.length - 1, Math.floor((r ?? 0) * items.length))];

interface Row {
  id: string;
  [column: string]: unknown;
}

const rows = (s: Station, sql: string, ...params: unknown[]): Row[] => s.ctx.db.prepare(sql).all(...params) as Row[];

/** Thrown when the write has nothing to act on yet (e.g. no person to edit). */
export class NothingToDo extends Error {}

/** What to write instead when a write finds nothing to act on: what it was missing. */
export const PREREQUISITE: Record<WriteAction, WriteAction | null> = {
  community: null,
  grid: 'community',
  gridRename: 'grid',
  gridHouseholds: 'grid',
  gridMove: 'grid',
  gridRetire: 'grid',
  person: 'community',
  personEdit: 'person',
  personResidentId: 'person',
  assign: 'person',
  endAssignment: 'assign',
};

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NothingToDo(what);
  return value;
}

async function createGrid(s: Station, pick: number[]): Promise<string> {
  const community = need(choose(rows(s, "SELECT id FROM org_unit WHERE level = 'community' ORDER BY id"), pick[0]), 'community');
  const level = (pick[1] ?? 0) < 0.35 ? 'large' : (pick[1] ?? 0) < 0.7 ? 'small' : 'micro';
  let parentId: string | null = null;
  if (level === 'micro') {
    parentId = need(choose(rows(s, "SELECT id FROM grid_unit WHERE org_unit_id = ? AND level = 'small' AND valid_to IS NULL ORDER BY id", community.id), pick[2]), 'small grid').id;
  } else if (level === 'small' && (pick[3] ?? 0) < 0.5) {
    parentId = choose(rows(s, "SELECT id FROM grid_unit WHERE org_unit_id = ? AND level = 'large' AND valid_to IS NULL ORDER BY id", community.id), pick[2])?.id ?? null;
  }
  // the code the UI suggests: two stations offline suggest the same one, and the server decides
  const { code } = await s.call('grid.nextCode', { orgUnitId: community.id, parentId, level });
  const grid = await s.call('grid.create', {
    code,
    name: choose(GRID_NAMES, pick[3]) ?? '网格',
    level,
    category: 'urban_community',
    parentId,
    orgUnitId: community.id,
    validFrom: '2024-01-01',
    householdCount: Math.floor((pick[2] ?? 0) * 200),
  });
  return `${level} ${grid.code}`;
}

const currentGrids = (s: Station): Row[] => rows(s, 'SELECT id, level, org_unit_id, parent_id FROM grid_unit WHERE valid_to IS NULL ORDER BY id');
const people = (s: Station): Row[] => rows(s, 'SELECT id, status FROM person ORDER BY id');

async function assign(s: Station, pick: number[]): Promise<string> {
  const person = need(choose(people(s).filter((p) => p.status !== 'left'), pick[0]), 'person');
  const startDate = `2024-0${1 + Math.floor((pick[3] ?? 0) * 9)}-01`;
  if ((pick[1] ?? 0) < 0.7) {
    const grid = need(choose(currentGrids(s), pick[2]), 'grid');
    const roles: Role[] = grid.level === 'micro' ? ['household_head', 'volunteer'] : ['grid_member_full', 'grid_member_part', 'party_member'];
    const role = choose(roles, pick[3])!;
    await s.call('people.assign', { personId: person.id, target: { kind: 'grid', gridId: grid.id }, role, startDate });
    return `${role} on grid`;
  }
  const unit = need(choose(rows(s, "SELECT id FROM org_unit WHERE level IN ('street', 'community') ORDER BY id"), pick[2]), 'org unit');
  const role = choose(['bao_lian_cadre', 'volunteer', 'leader'] as const, pick[3])!;
  await s.call('people.assign', { personId: person.id, target: { kind: 'org', orgUnitId: unit.id }, role, startDate });
  return `${role} on org`;
}

/** Performs one write; returns a short description for the trace. Local refusals throw. */
export async function write(s: Station, street: StreetFixture, action: WriteAction, pick: number[]): Promise<string> {
  switch (action) {
    case 'community': {
      const n = 1 + Math.floor((pick[0] ?? 0) * 4);
      const kind = (pick[1] ?? 0) < 0.5 ? 'urban_community' : 'village';
      const c = await s.call('org.create', { code: communityCode(street, n), name: `社区${n}`, level: 'community', kind, parentId: street.id });
      return c.code;
    }
    case 'grid':
      return createGrid(s, pick);
    case 'gridRename': {
      const grid = need(choose(currentGrids(s), pick[0]), 'grid');
      const name = choose(GRID_NAMES, pick[1])!;
      await s.call('grid.update', { id: grid.id, patch: { name } });
      return name;
    }
    case 'gridHouseholds': {
      const grid = need(choose(currentGrids(s), pick[0]), 'grid');
      const householdCount = [10, 20, 30][Math.floor((pick[1] ?? 0) * 3)] ?? 10;
      await s.call('grid.update', { id: grid.id, patch: { householdCount } });
      return String(householdCount);
    }
    case 'gridMove': {
      // a micro grid to another small grid of its community: its code changes with the move
      const micro = need(choose(currentGrids(s).filter((g) => g.level === 'micro'), pick[0]), 'micro grid');
      const target = need(
        choose(currentGrids(s).filter((g) => g.level === 'small' && g.org_unit_id === micro.org_unit_id && g.id !== micro.parent_id), pick[1]),
        'other small grid',
      );
      const moved = await s.call('grid.move', { id: micro.id, parentId: target.id, date: '2024-06-01' });
      return moved.code;
    }
    case 'gridRetire': {
      const grid = need(choose(currentGrids(s), pick[0]), 'grid');
      await s.call('grid.retire', { id: grid.id, validTo: '2024-12-31', reason: '区划调整' });
      return grid.level as string;
    }
    case 'person': {
      const unit = need(choose(rows(s, "SELECT id FROM org_unit WHERE level IN ('street', 'community') ORDER BY id"), pick[0]), 'org unit');
      const residentId = (pick[1] ?? 0) < 0.3 ? choose(RESIDENT_IDS, pick[2])! : null;
      const p = await s.call('people.create', {
        name: choose(NAMES, pick[3]) ?? '居民',
        orgUnitId: unit.id,
        residentId,
        phone: (pick[2] ?? 0) < 0.5 ? choose(PHONES, pick[3])! : null,
      });
      return residentId ? `${p.name} with resident id` : p.name;
    }
    case 'personEdit': {
      const person = need(choose(people(s), pick[0]), 'person');
      const field = Math.floor((pick[1] ?? 0) * 4);
      const patch =
        field === 0
          ? { name: choose(NAMES, pick[2])! }
          : field === 1
            ? { phone: choose(PHONES, pick[2])! }
            : field === 2
              ? { note: choose(NOTES, pick[2]) ?? null }
              : { status: choose(['active', 'inactive', 'left'] as const, pick[2])! };
      await s.call('people.update', { id: person.id, patch });
      return Object.keys(patch).join(',');
    }
    case 'personResidentId': {
      const person = need(choose(people(s), pick[0]), 'person');
      await s.call('people.update', { id: person.id, patch: { residentId: (pick[1] ?? 0) < 0.8 ? choose(RESIDENT_IDS, pick[2])! : null } });
      return 'residentId';
    }
    case 'assign':
      return assign(s, pick);
    case 'endAssignment': {
      const a = need(choose(rows(s, 'SELECT id FROM assignment WHERE end_date IS NULL ORDER BY id'), pick[0]), 'open assignment');
      await s.call('people.endAssignment', { id: a.id, endDate: '2025-01-31' });
      return 'ended';
    }
  }
}
