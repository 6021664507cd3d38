import { z } from 'zod';
import { commandTag, commandUnits, MAX_COMMAND_MUTATIONS } from './commands';

// The wire protocol between a station and the district server. docs/sync-protocol.md is
// the prose version; these schemas are what both sides parse.

export const PROTOCOL_VERSION = 4;
/** The oldest protocol the server still accepts; older stations are told to update. */
export const MIN_PROTOCOL_VERSION = 1;
/**
 * Snapshots need protocol 2 (the chunk's checksum moved from the body to a header over the body's
 * bytes): an older station asking for one is told to update; its push and pull still work.
 */
export const MIN_SNAPSHOT_PROTOCOL = 2;
/**
 * The oldest station schema (the number of its replica's migrations) the server still syncs with;
 * older stations are told to update. Raised when the server starts sending what an older replica
 * cannot hold: a new value of a field whose values its CHECK constraints list, say. An unknown
 * new field needs no raise: it is kept as it came (docs/sync-protocol.md, "Versions").
 */
export const MIN_STATION_SCHEMA = 1;

export const SYNCED_ENTITIES = ['orgUnit', 'gridUnit', 'gridHistory', 'person', 'assignment'] as const;
export type SyncedEntity = (typeof SYNCED_ENTITIES)[number];

const versions = { protocol: z.number().int(), schemaVersion: z.number().int() };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One local change, as recorded in the station's change log (its outbox). */
export const mutation = z.object({
  /** Per-device, strictly increasing: the station's change_log seq. */
  mid: z.number().int().positive(),
  entity: z.enum(SYNCED_ENTITIES),
  id: z.string().min(1).max(64),
  op: z.enum(['insert', 'update']),
  // Checked where the server applies it, against the entity's own schema (server/sync/apply-one.ts
  // validFields): a z.record here only copied every field of every mutation of a push.
  fields: z.custom<Record<string, unknown>>(isPlainObject, 'expected an object'),
  /** The row version the edit was made on; null for inserts. */
  baseVersion: z.number().int().nullable(),
  /** Device clock, kept for audit only. */
  at: z.string().max(40),
  /** Protocol 4: the mutation is one of a command's (core/sync/commands.ts), applied with the others or not at all. */
  command: commandTag.optional(),
});
export type Mutation = z.infer<typeof mutation>;

export const MAX_BATCH_MUTATIONS = 1000;
export const MAX_BATCH_BYTES = 1024 * 1024;

export const pushRequest = z
  .object({
    ...versions,
    mutations: z.array(mutation).min(1).max(MAX_BATCH_MUTATIONS),
    /**
     * The last mid the station sent before this batch's first one (the last mid of the batch
     * still in flight ahead of it). The server refuses the batch (409 out_of_order) unless that
     * one was applied: a pipelined batch never lands past a batch that failed.
     */
    prevMid: z.number().int().nonnegative().optional(),
    /**
     * Protocol 3. Nothing is applied: the station asks what became of mutations the server
     * already handled (a lost reply). The server reads only each one's mid (the station sends
     * `fields: {}`), and refuses (409 not_handled) if any lies beyond the device's last mid.
     */
    outcomesOnly: z.literal(true).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    // a command travels whole: all its mutations, one after another, with the same tag
    if (!request.mutations.some((m) => m.command)) return;
    const seen = new Set<string>();
    for (const unit of commandUnits(request.mutations, (m) => m.command?.id)) {
      const tag = unit[0]!.command;
      if (!tag) continue;
      const whole = !seen.has(tag.id) && unit.length === tag.size && unit.every((m) => JSON.stringify(m.command) === JSON.stringify(tag));
      if (!whole) ctx.addIssue({ code: 'custom', message: 'command_split', path: ['mutations'] });
      seen.add(tag.id);
    }
  });
export type PushRequest = z.infer<typeof pushRequest>;

export const rejection = z.object({
  mid: z.number().int(),
  entity: z.enum(SYNCED_ENTITIES),
  id: z.string(),
  /** Machine key, translated by the station, e.g. 'grid.code_taken', 'scope.other_street'. */
  reason: z.string(),
  /** The server's current record, when there is one, so a person can compare. */
  serverRecord: z.record(z.string(), z.unknown()).nullable(),
  /** For an update refused over a unique value: the other record that holds it. */
  conflictingRecord: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type Rejection = z.infer<typeof rejection>;

export const conflict = z.object({
  mid: z.number().int(),
  entity: z.enum(SYNCED_ENTITIES),
  id: z.string(),
  baseVersion: z.number().int(),
  serverVersion: z.number().int(),
  /** Field -> the value this mutation overwrote (last writer won; kept for review). */
  overwritten: z.record(z.string(), z.unknown()),
});
export type Conflict = z.infer<typeof conflict>;

export const pushResponse = z.object({
  /** Every mid up to and including this one is applied or permanently rejected. */
  ackedThrough: z.number().int(),
  rejected: z.array(rejection),
  conflicts: z.array(conflict),
  /** The street's sequence after this batch. */
  seq: z.number().int(),
});
export type PushResponse = z.infer<typeof pushResponse>;

/** One entry of a street's change log, in server order. */
export const change = z.object({
  seq: z.number().int(),
  entity: z.enum(SYNCED_ENTITIES),
  id: z.string(),
  op: z.enum(['insert', 'update']),
  fields: z.record(z.string(), z.unknown()),
  /** The record's version after this change. */
  version: z.number().int(),
  /** Which device made it, so a station can recognise its own changes. */
  deviceId: z.string().nullable(),
  mid: z.number().int().nullable(),
  serverTime: z.string(),
});
export type Change = z.infer<typeof change>;

export const pullResponse = z.object({
  changes: z.array(change),
  /** Pass as `after` next time. */
  cursor: z.number().int(),
  hasMore: z.boolean(),
  serverTime: z.string(),
});
export type PullResponse = z.infer<typeof pullResponse>;

export const snapshotRecord = z.object({
  entity: z.enum(SYNCED_ENTITIES),
  id: z.string().min(1).max(64),
  version: z.number().int(),
  // An object whose fields are checked where they are written (the replica's column types and
  // CHECKs; unknown fields are kept in `extra`): a z.record here copied every field of every
  // record, the largest cost of parsing a bootstrap.
  data: z.custom<Record<string, unknown>>(isPlainObject, 'expected an object'),
  /** When the server last changed the record (a pulled change's `serverTime`); absent from an older server. */
  updatedAt: z.string().max(40).optional(),
});
export type SnapshotRecord = z.infer<typeof snapshotRecord>;

/** Records a station asks for at once: every record of one command, at most. */
export const MAX_RECORDS_ASKED = MAX_COMMAND_MUTATIONS;

/**
 * The body of POST /v1/records: which of its street's records a station wants as the server holds
 * them now. It asks when a person gives up a change the server never took (a quarantined edit):
 * what the server holds is what goes back, and this replica cannot know it, since its own values
 * lie over the server's until the server takes them.
 */
export const recordsRequest = z
  .object({
    ...versions,
    records: z
      .array(z.object({ entity: z.enum(SYNCED_ENTITIES), id: z.string().min(1).max(64) }).strict())
      .min(1)
      .max(MAX_RECORDS_ASKED),
  })
  .strict();
export type RecordRef = z.infer<typeof recordsRequest>['records'][number];
/** The ones of the street the server holds, as a snapshot gives them; one it does not hold is left out. */
export const recordsResponse = z.object({ records: z.array(snapshotRecord).max(MAX_RECORDS_ASKED) });

/** Records per snapshot chunk, at most (the server's snapshotChunkSize stays within it). */
export const MAX_SNAPSHOT_CHUNK_RECORDS = 50_000;

export const snapshotManifest = z.object({
  snapshotId: z.string(),
  /** Pull from here once every chunk is applied. */
  seq: z.number().int(),
  chunks: z.number().int(),
  records: z.number().int(),
});
export type SnapshotManifest = z.infer<typeof snapshotManifest>;

/**
 * The body of GET /v1/snapshot/<id>/<index>. Its checksum is not in it: the reply carries
 * `X-GridDesk-SHA256`, the sha256 (hex) of the body's exact bytes, which the station checks
 * before parsing them.
 */
export const snapshotChunk = z.object({
  index: z.number().int(),
  records: z.array(snapshotRecord).max(MAX_SNAPSHOT_CHUNK_RECORDS),
});
export type SnapshotChunk = z.infer<typeof snapshotChunk>;
export const SNAPSHOT_CHECKSUM_HEADER = 'x-griddesk-sha256';

/**
 * A station takes an event stream that stays silent this long for dead (a NAT or proxy dropped it)
 * and reconnects; the server's heartbeat must come well within it.
 */
export const EVENTS_IDLE_MS = 45_000;
export const EVENTS_HEARTBEAT_MAX_MS = 30_000;

export const enrollRequest = z
  .object({ ...versions, code: z.string().trim().min(6).max(64), deviceName: z.string().trim().min(1).max(80) })
  .strict();
export const enrollResponse = z.object({
  deviceId: z.string(),
  token: z.string(),
  scope: z.object({ kind: z.literal('street'), streetId: z.string(), streetCode: z.string(), streetName: z.string() }),
});
export type EnrollResponse = z.infer<typeof enrollResponse>;

/** Error replies: { error: { code, reason, ... } } with these codes. */
export const SYNC_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'out_of_order',
  'not_handled',
  'client_too_old',
  'payload_too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export const syncError = z.object({
  error: z.object({ code: z.enum(SYNC_ERROR_CODES), reason: z.string(), minProtocol: z.number().int().optional(), minSchema: z.number().int().optional() }),
});
