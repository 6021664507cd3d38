import type { PersonStatus, Role } from '../../core/domain/people';
import { FakeIdentities } from './identity';
import { personName } from './names';
import type { StreetPlan } from './plan';
import type { Rng } from './prng';

// Who works where, as plain values: the roles follow DOMAIN.md ("party building + grid +
// police"): every small grid a grid chief (party member) plus full-time member, the
// community's police officer and traffic officer; household heads on micro grids.

export interface RolePlan {
  /** A grid code (16/19 digits) or an org code (12 digits). */
  target: string;
  role: Role;
  startDate: string;
}

export interface PersonPlan {
  name: string;
  gender: 'male' | 'female';
  phone: string | null;
  residentId: string | null;
  partyMember: boolean;
  partyBranch: string | null;
  status: PersonStatus;
  orgCode: string;
  roles: RolePlan[];
}

/** How many extra people a micro grid gets; the district scale is denser (50,000+ people). */
export interface Density {
  microParty: number;
  microVolunteer: number;
  microPartTime: number;
  /** People on the roster with no current role (left or paused). */
  idle: number;
}
export const STREET_DENSITY: Density = { microParty: 0.25, microVolunteer: 0.1, microPartTime: 0.05, idle: 0.03 };
export const DISTRICT_DENSITY: Density = { microParty: 0.75, microVolunteer: 0.8, microPartTime: 0.4, idle: 0.05 };

export function planPeople(rng: Rng, ids: FakeIdentities, street: StreetPlan, density: Density): PersonPlan[] {
  const people: PersonPlan[] = [];
  const communityName = new Map(street.communities.map((c) => [c.code, c.name]));
  const date = (): string => `20${rng.int(23, 24)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const person = (orgCode: string, opts: { party?: boolean; status?: PersonStatus } = {}): PersonPlan => {
    const gender = rng.chance(0.55) ? 'male' : 'female';
    const partyMember = opts.party ?? rng.chance(0.15);
    const p: PersonPlan = {
      name: personName(rng, gender),
      gender,
      phone: rng.chance(0.97) ? ids.phone() : null,
      residentId: rng.chance(0.95) ? ids.residentId(gender) : null,
      partyMember,
      partyBranch: partyMember ? `${communityName.get(orgCode) ?? street.name}党支部` : null,
      status: opts.status ?? 'active',
      orgCode,
      roles: [],
    };
    people.push(p);
    return p;
  };
  const give = (p: PersonPlan, target: string, role: Role): void => {
    p.roles.push({ target, role, startDate: date() });
  };

  // The street's own center: operators, a leader, and the cadres assigned to it (包联).
  for (let i = 0; i < 3; i++) give(person(street.code), street.code, 'center_operator');
  give(person(street.code, { party: true }), street.code, 'leader');
  for (let i = 0; i < 2; i++) give(person(street.code, { party: true }), street.code, 'bao_lian_cadre');

  const police = new Map<string, { community: PersonPlan; traffic: PersonPlan }>();
  for (const c of street.communities) police.set(c.code, { community: person(c.code), traffic: person(c.code) });

  for (const grid of street.grids) {
    const org = grid.communityCode;
    if (grid.level === 'large' || grid.level === 'medium') {
      give(person(org, { party: true }), grid.code, 'grid_chief');
    } else if (grid.level === 'small') {
      // The grid chief is the party secretary of the grid: chief and party member both.
      const chief = person(org, { party: true });
      give(chief, grid.code, 'grid_chief');
      give(chief, grid.code, 'party_member');
      if (grid.kind === 'dedicated') give(person(org), grid.code, 'grid_member_part');
      else if (!grid.vacant) give(person(org), grid.code, 'grid_member_full');
      const officers = police.get(org)!;
      give(officers.community, grid.code, 'community_police');
      give(officers.traffic, grid.code, 'traffic_police');
      if (grid.category === 'mountain') {
        // One network for all patrollers (Qinling ecological protection).
        if (rng.chance(0.6)) give(person(org), grid.code, 'eco_patroller');
        if (rng.chance(0.5)) give(person(org), grid.code, 'forest_ranger');
        if (rng.chance(0.3)) give(person(org), grid.code, 'river_patroller');
      }
    } else if (!grid.vacant) {
      const head = person(org);
      give(head, grid.code, 'household_head');
      if (head.partyMember) give(head, grid.code, 'party_member');
      else if (rng.chance(density.microParty)) give(person(org, { party: true }), grid.code, 'party_member');
      if (rng.chance(density.microVolunteer)) give(person(org), grid.code, 'volunteer');
      if (rng.chance(density.microPartTime)) give(person(org), grid.code, 'grid_member_part');
    }
  }
  const idle = Math.round(people.length * density.idle);
  for (let i = 0; i < idle; i++) person(rng.pick(street.communities).code, { status: rng.chance(0.5) ? 'left' : 'inactive' });
  return people;
}
