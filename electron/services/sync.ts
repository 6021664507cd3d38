import type { Handlers } from '../../core/api/contract';
import { AppError } from '../../core/api/errors';
import type { SyncIssue, SyncResolution } from '../../core/api/sync';
import { syncEngineFor } from '../sync';
import { listIssues } from '../sync/issues';
import { recordsToAsk, resolveIssue } from '../sync/resolve';
import { timestamp, type AppContext } from './context';

// The sync page's API over this replica's engine (electron/sync). `sync.now` waits for the
// cycle; a failure is reported in the status it returns, not thrown: being offline is normal.

export type SyncHandlers = Pick<Handlers, 'sync.status' | 'sync.enroll' | 'sync.now' | 'sync.issues' | 'sync.resolveIssue'>;

export function createSyncHandlers(ctx: AppContext): SyncHandlers {
  const engine = () => syncEngineFor(ctx);
  return {
    'sync.status': () => engine().status(),
    'sync.enroll': async (input) => {
      await engine().enroll(input);
      // the bootstrap runs in the background when the host started sync; status shows progress
      engine().poke();
      return engine().status();
    },
    'sync.now': async () => {
      await engine()
        .syncNow()
        .catch(() => undefined);
      return engine().status();
    },
    'sync.issues': ({ includeResolved }) => listIssues(ctx.db, includeResolved),
    'sync.resolveIssue': async ({ id, action }) => {
      const issue = await resolveWithServer(ctx, id, action);
      engine().poke();
      return issue;
    },
  };
}

/** Answers the server gives while pulls keep coming in, at most: each newer pull asks again. */
const RECORD_ASKS = 3;

/** Resolves an issue, asking the server first for the records its action needs (resolve.ts recordsToAsk). */
async function resolveWithServer(ctx: AppContext, id: number, action: SyncResolution): Promise<SyncIssue> {
  const refs = recordsToAsk(ctx.db, id, action);
  for (let ask = 1; ; ask++) {
    const held = refs.length > 0 ? await syncEngineFor(ctx).serverRecords(refs) : null;
    try {
      return resolveIssue(ctx.db, id, action, timestamp(ctx), held);
    } catch (error) {
      // a pull came in between the answer and now: the answer is older than what the row holds
      if (ask < RECORD_ASKS && error instanceof AppError && error.reason === 'sync.record_moved_on') continue;
      throw error;
    }
  }
}

/** Every API call that left a new change_log row pokes the engine: one place, no list of write methods. */
export function withSyncTriggers(ctx: AppContext, handlers: Handlers): Handlers {
  const wrapped: Record<string, (request: never) => unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as [string, (request: never) => unknown][]) {
    wrapped[name] = (request) => {
      const result = handler(request);
      if (result instanceof Promise) return result.finally(() => syncEngineFor(ctx).noteLocalWrite());
      syncEngineFor(ctx).noteLocalWrite();
      return result;
    };
  }
  return wrapped as unknown as Handlers;
}
