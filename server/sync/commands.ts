import { allowedParentLevels, type GridLevel } from '../../core/domain/grid';
import { outlivesItsGrid } from '../../core/domain/people';
import type { CommandArgs, CommandName, CommandTag } from '../../core/sync/commands';
import type { Mutation, SyncedEntity } from '../../core/sync/protocol';
import type { RecordLookup } from './checks';
import type { Doc } from './entities';
import { REASONS, Rejection } from './rejection';

// Commands (docs/sync-protocol.md "Commands"): the mutations of one user action, applied by
// the server all or none under one savepoint (server/sync/apply.ts). Each command is checked
// twice against the street's state on the server, which another station may have changed
// since the station checked it on its replica: before its mutations (the state it acts on)
// and after them (the state it leaves). Its mutations must be the ones the action writes,
// all about the grid its arguments name; the station's services write exactly those.

export interface CommandLookup extends RecordLookup {
  /** The street's grids whose parent is `gridId`, or its assignments on that grid. */
  byGrid(entity: 'gridUnit' | 'assignment', gridId: string): Promise<Doc[]>;
}

interface CommandRule<N extends CommandName> {
  /** Which fields each kind of mutation of the command may set: anything else is not this command. */
  members: Partial<Record<SyncedEntity, { op: Mutation['op']; fields: readonly string[] | null }>>;
  before(lookup: CommandLookup, args: CommandArgs<N>, grid: Doc): Promise<void>;
  after(lookup: CommandLookup, args: CommandArgs<N>, grid: Doc): Promise<void>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A grid's history travels with the command that writes it (fields checked as any insert). */
const HISTORY = { op: 'insert', fields: null } as const;

const RULES: { [N in CommandName]: CommandRule<N> } = {
  'grid.move': {
    members: { gridUnit: { op: 'update', fields: ['parentId', 'code'] }, gridHistory: HISTORY },
    async before(_lookup, args, grid) {
      // retired meanwhile, on or before the day it was to move
      const validTo = str(grid.validTo);
      if (validTo !== null && validTo <= args.date) throw new Rejection(REASONS.gridRetired);
    },
    async after(lookup, args, grid) {
      if ((grid.parentId ?? null) !== args.parentId) throw new Rejection(REASONS.commandMalformed);
      const parent = args.parentId === null ? null : await lookup.inStreet('gridUnit', args.parentId);
      if (args.parentId !== null && !parent) throw new Rejection(REASONS.refNotFound);
      if (!allowedParentLevels(grid.level as GridLevel).includes((parent?.level as GridLevel | undefined) ?? null)) {
        throw new Rejection(REASONS.gridParentLevel);
      }
      if (parent && parent.orgUnitId !== grid.orgUnitId) throw new Rejection(REASONS.gridParentOtherCommunity);
      if (parent && parent.validTo !== null && parent.validTo !== undefined) throw new Rejection(REASONS.gridParentRetired);
    },
  },
  'grid.retire': {
    members: { gridUnit: { op: 'update', fields: ['validTo'] }, assignment: { op: 'update', fields: ['endDate'] }, gridHistory: HISTORY },
    async before(_lookup, args, grid) {
      if (grid.validTo !== null && grid.validTo !== undefined) throw new Rejection(REASONS.gridRetired);
      if (args.validTo < (str(grid.validFrom) ?? '')) throw new Rejection(REASONS.gridRetireBeforeStart);
    },
    async after(lookup, args, grid) {
      if (grid.validTo !== args.validTo) throw new Rejection(REASONS.commandMalformed);
      // another station put a grid under it, or gave someone a duty on it, meanwhile
      const children = await lookup.byGrid('gridUnit', args.gridId);
      if (children.some((c) => c.validTo === null || c.validTo === undefined || (str(c.validTo) ?? '') > args.validTo)) {
        throw new Rejection(REASONS.gridHasChildren);
      }
      const duties = await lookup.byGrid('assignment', args.gridId);
      const outlives = (a: Doc) => outlivesItsGrid({ startDate: str(a.startDate) ?? '', endDate: str(a.endDate), targetRetiredOn: args.validTo });
      if (duties.some(outlives)) throw new Rejection(REASONS.gridHasMembers);
    },
  },
};

/** The grid a mutation of the command is about (null: it is about another record of it). */
function gridOf(m: Mutation): string | null {
  if (m.entity === 'gridUnit') return m.id;
  if (m.entity === 'gridHistory') return str(m.fields.gridId);
  return null;
}

async function targetGrid(lookup: CommandLookup, args: { gridId: string }): Promise<Doc> {
  const grid = await lookup.inStreet('gridUnit', args.gridId);
  if (!grid) throw new Rejection(REASONS.notFound, null);
  return grid;
}

/** Before any of its mutations: they are the kind the command writes, and the state they act on allows it. */
export async function checkCommandBefore(lookup: CommandLookup, tag: CommandTag, unit: readonly Mutation[]): Promise<void> {
  const rule = RULES[tag.name] as CommandRule<CommandName>;
  const { args } = tag;
  for (const m of unit) {
    const member = rule.members[m.entity];
    const fieldsFit = member?.fields == null || Object.keys(m.fields).every((f) => member.fields!.includes(f));
    const grid = gridOf(m);
    if (!member || member.op !== m.op || !fieldsFit || (grid !== null && grid !== args.gridId)) throw new Rejection(REASONS.commandMalformed);
    if (m.entity === 'assignment') {
      const duty = await lookup.inStreet('assignment', m.id);
      if (duty && duty.gridId !== args.gridId) throw new Rejection(REASONS.commandMalformed);
    }
  }
  await rule.before(lookup, args, await targetGrid(lookup, args));
}

/** Once all its mutations are applied (still inside its savepoint): the state it leaves. */
export async function checkCommandAfter(lookup: CommandLookup, tag: CommandTag): Promise<void> {
  const rule = RULES[tag.name] as CommandRule<CommandName>;
  await rule.after(lookup, tag.args, await targetGrid(lookup, tag.args));
}
