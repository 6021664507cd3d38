import { z } from 'zod';
import { COMMAND_NAMES } from '../sync/commands';
import { SYNCED_ENTITIES } from '../sync/protocol';
import { method } from './define';

// The sync page's API: enrollment, status (everything the page shows), a manual sync, and
// the issues a person must review (rejections, conflicts, quarantined mutations).

export const SYNC_PHASES = ['idle', 'bootstrap', 'push', 'pull'] as const;
export const SYNC_ISSUE_KINDS = ['rejection', 'conflict', 'quarantine'] as const;
export const SYNC_RESOLUTIONS = ['accept_server', 'reapply_mine', 'dismiss'] as const;
export type SyncIssueKind = (typeof SYNC_ISSUE_KINDS)[number];
export type SyncResolution = (typeof SYNC_RESOLUTIONS)[number];

export const syncStatus = z.object({
  enrolled: z.boolean(),
  /** The last request reached the server (false before the first one). */
  online: z.boolean(),
  serverUrl: z.string().nullable(),
  deviceId: z.string().nullable(),
  deviceName: z.string().nullable(),
  street: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
  /** The bootstrap snapshot is applied; until then the replica is incomplete. */
  bootstrapped: z.boolean(),
  lastSyncAt: z.string().nullable(),
  pending: z.number().int(),
  rejected: z.number().int(),
  quarantined: z.number().int(),
  /** Open issues by kind. */
  issues: z.object({ rejection: z.number().int(), conflict: z.number().int(), quarantine: z.number().int() }),
  progress: z.object({ phase: z.enum(SYNC_PHASES), done: z.number().int(), total: z.number().int() }),
  /** A machine key such as 'network.unreachable' or 'http.401.device_revoked'. */
  lastError: z.object({ reason: z.string(), at: z.string() }).nullable(),
  /** The server refused this protocol version: update GridDesk; local work is kept. */
  clientTooOld: z.boolean(),
  /** An administrator revoked this station: nothing syncs until the revocation is taken back (admin restore). */
  refused: z.boolean(),
  cursor: z.number().int(),
});
export type SyncStatus = z.infer<typeof syncStatus>;

const json = z.record(z.string(), z.unknown());

export const syncIssue = z.object({
  id: z.number().int(),
  kind: z.enum(SYNC_ISSUE_KINDS),
  mid: z.number().int().nullable(),
  entity: z.enum(SYNCED_ENTITIES),
  entityId: z.string(),
  /** Machine key from the server ('grid.code_taken') or the station ('sync.unique_displaced'). */
  reason: z.string(),
  /** What this station tried to write. */
  localFields: json.nullable(),
  /** The server's record (for a uniqueness rejection: the winner). */
  serverRecord: json.nullable(),
  /** For a conflict: the server values this station's edit overwrote. */
  overwritten: json.nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.enum(SYNC_RESOLUTIONS).nullable(),
  /** The command (a grid's move or retirement) the mutation was one of: its issues are one card, settled together. */
  command: z.object({ id: z.string(), name: z.enum(COMMAND_NAMES), args: json }).nullable(),
});
export type SyncIssue = z.infer<typeof syncIssue>;

export const sync = {
  'sync.status': method(z.object({}).strict(), syncStatus),
  /** Only into an empty data folder; then the snapshot downloads in the background. */
  'sync.enroll': method(
    z
      .object({
        serverUrl: z.string().trim().url().max(300),
        code: z.string().trim().min(6).max(64),
        deviceName: z.string().trim().min(1).max(80),
      })
      .strict(),
    syncStatus,
  ),
  /** Runs one sync cycle now and answers when it is done. */
  'sync.now': method(z.object({}).strict(), syncStatus),
  'sync.issues': method(z.object({ includeResolved: z.boolean().default(false) }).strict(), z.array(syncIssue)),
  'sync.resolveIssue': method(z.object({ id: z.number().int(), action: z.enum(SYNC_RESOLUTIONS) }).strict(), syncIssue),
};
