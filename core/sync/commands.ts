import { z } from 'zod';
import { entityId, isoDate } from '../domain/common';

// The third sync policy (docs/sync-protocol.md "Commands"): one user action that changes
// several records at once travels as a command. Its mutations (the records it changed on the
// station, in one local transaction) carry the same tag; the server applies them all or none,
// after checking the command's arguments against its own current state.

export const COMMAND_ARGS = {
  /** A grid gets a new parent (a micro grid a new code with it), effective on `date`. */
  'grid.move': z.object({ gridId: entityId, parentId: entityId.nullable(), date: isoDate }).strict(),
  /** A grid's life ends on `validTo`; its running duties end with it. */
  'grid.retire': z.object({ gridId: entityId, validTo: isoDate }).strict(),
};
export type CommandName = keyof typeof COMMAND_ARGS;
export type CommandArgs<N extends CommandName> = z.infer<(typeof COMMAND_ARGS)[N]>;
export const COMMAND_NAMES = Object.keys(COMMAND_ARGS) as [CommandName, ...CommandName[]];

/**
 * The most mutations one command may write. A batch never splits a command, so a command must
 * fit one (1,000 mutations) with room for the batch's other units; a grid's retirement ends
 * its running duties, a few dozen at most.
 */
export const MAX_COMMAND_MUTATIONS = 500;

/** The tag of command `name`: its arguments are checked (and typed) by the command's own schema. */
const tagOf = <N extends CommandName>(name: N) =>
  z
    .object({
      id: entityId,
      name: z.literal(name),
      /** How many mutations the command wrote: a batch holds all of them, one after another. */
      size: z.number().int().min(1).max(MAX_COMMAND_MUTATIONS),
      args: COMMAND_ARGS[name],
    })
    .strict();

/** The tag every mutation of one command carries, the same on each; one option per command of COMMAND_ARGS. */
export const commandTag = z.discriminatedUnion('name', [tagOf('grid.move'), tagOf('grid.retire')]);
export type CommandTag = z.infer<typeof commandTag>;

/**
 * Mutations in send order, as units: one untagged mutation, or every consecutive mutation of
 * one command. The batcher never cuts a unit, and the server applies a command's unit whole.
 */
export function commandUnits<T>(items: readonly T[], commandIdOf: (item: T) => string | undefined): T[][] {
  const units: T[][] = [];
  let unitCommand: string | undefined;
  for (const item of items) {
    const id = commandIdOf(item);
    const last = units.at(-1);
    if (id !== undefined && last && id === unitCommand) last.push(item);
    else units.push([item]);
    unitCommand = id;
  }
  return units;
}
