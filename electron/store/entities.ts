// The synced entities: their table and the fields a mutation may carry. The one writer in
// write.ts builds its SQL from these lists, so no other column can be written through it.

export interface EntitySpec {
  table: string;
  /** field name in code -> column name */
  fields: Record<string, string>;
  booleans: readonly string[];
}

export const ENTITIES = {
  orgUnit: {
    table: 'org_unit',
    fields: { code: 'code', name: 'name', level: 'level', kind: 'kind', parentId: 'parent_id', hostsCenter: 'hosts_center' },
    booleans: ['hostsCenter'],
  },
  gridUnit: {
    table: 'grid_unit',
    fields: {
      code: 'code',
      name: 'name',
      level: 'level',
      kind: 'kind',
      dedicatedType: 'dedicated_type',
      category: 'category',
      parentId: 'parent_id',
      orgUnitId: 'org_unit_id',
      streetId: 'street_id',
      householdCount: 'household_count',
      validFrom: 'valid_from',
      validTo: 'valid_to',
      predecessorId: 'predecessor_id',
    },
    booleans: [],
  },
  gridHistory: {
    table: 'grid_history',
    fields: { gridId: 'grid_id', action: 'action', detail: 'detail' },
    booleans: [],
  },
  person: {
    table: 'person',
    fields: {
      name: 'name',
      gender: 'gender',
      phone: 'phone',
      residentId: 'resident_id',
      partyMember: 'party_member',
      partyBranch: 'party_branch',
      status: 'status',
      orgUnitId: 'org_unit_id',
      streetId: 'street_id',
      note: 'note',
    },
    booleans: ['partyMember'],
  },
  assignment: {
    table: 'assignment',
    fields: {
      personId: 'person_id',
      gridId: 'grid_id',
      orgUnitId: 'org_unit_id',
      role: 'role',
      startDate: 'start_date',
      endDate: 'end_date',
    },
    booleans: [],
  },
} as const satisfies Record<string, EntitySpec>;

export type EntityName = keyof typeof ENTITIES;
export type EntityFields<E extends EntityName> = { [F in keyof (typeof ENTITIES)[E]['fields']]?: unknown };

/** `t.col AS field, ...` for reading an entity back in code names. */
export function selectList(entity: EntityName, alias: string): string {
  const spec: EntitySpec = ENTITIES[entity];
  const cols = Object.entries(spec.fields).map(([field, column]) => `${alias}.${column} AS ${field}`);
  return [`${alias}.id AS id`, ...cols, `${alias}.version AS version`, `${alias}.updated_at AS updatedAt`].join(', ');
}

/** Turns SQLite's 0/1 back into booleans for the entity's boolean fields. */
export function decode<T>(entity: EntityName, row: Record<string, unknown>): T {
  const spec: EntitySpec = ENTITIES[entity];
  for (const field of spec.booleans) row[field] = row[field] === 1;
  return row as T;
}
