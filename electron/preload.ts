import { contextBridge, ipcRenderer } from 'electron';
import type { ErrorCode, Reply } from '../core/api/errors';

// The preload runs sandboxed and is bundled to CommonJS on its own: it must stay tiny and
// must not pull zod or the contract in at runtime (type-only imports are erased). The main
// process validates the sender and parses every argument; this file only routes.

/** What the renderer sees as `window.griddesk`. The renderer's client declares its own copy. */
export interface GriddeskBridge {
  invoke(method: string, request: unknown): Promise<Reply<unknown>>;
}

/** Must match `channelFor` in ipc.ts; a unit test holds the two together. */
const CHANNEL_PREFIX = 'griddesk:';
const METHOD_NAME = /^[a-z]+\.[a-zA-Z]+$/;

const failure = (code: ErrorCode, reason: string, method: string): Reply<unknown> => ({
  ok: false,
  error: { code, reason, details: { method } },
});

const bridge = {
  invoke(method: string, request: unknown): Promise<Reply<unknown>> {
    // A string that is not <area>.<verb> never becomes a channel name: the renderer cannot
    // reach any other ipcMain handler through this bridge.
    if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
      return Promise.resolve(failure('unknown_method', 'unknown_method', String(method)));
    }
    // Every registered handler resolves with a Reply; invoke rejects only when no handler
    // exists for the name (or the main process is going away). Keep the Reply shape then too.
    return (ipcRenderer.invoke(CHANNEL_PREFIX + method, request ?? {}) as Promise<Reply<unknown>>).catch(() =>
      failure('unknown_method', 'ipc_unavailable', method),
    );
  },
} satisfies GriddeskBridge;

contextBridge.exposeInMainWorld('griddesk', bridge);
