import { groupApi, type GroupedApi, type MethodName } from '../../core/api/contract';
import { ERROR_CODES, type ErrorCode, type Reply } from '../../core/api/errors';

// The renderer's only way out: one typed client over whichever transport this window has.
// Electron's preload exposes `window.griddesk`; in browser mode we POST to the loopback host.

/** Mirrors electron/preload.ts; declared here because the renderer may not import electron/. */
interface GriddeskBridge {
  invoke(method: string, request: unknown): Promise<Reply<unknown>>;
}

declare global {
  interface Window {
    griddesk?: GriddeskBridge;
  }
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${reason}`);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'griddesk.token';

/**
 * The host prints `http://127.0.0.1:PORT/#token=...`. Keep the token for this tab only and
 * take it out of the address bar before the router reads the hash.
 */
export function captureLaunchToken(): void {
  const match = /[#&]token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  }
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'result' in value;
  return 'error' in value && typeof value.error === 'object' && value.error !== null;
}

const asCode = (code: unknown): ErrorCode =>
  (ERROR_CODES as readonly unknown[]).includes(code) ? (code as ErrorCode) : 'internal';

async function overHttp(method: MethodName, request: unknown): Promise<Reply<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`,
      },
      body: JSON.stringify(request ?? {}),
    });
  } catch {
    throw new ApiError('internal', 'network_unreachable');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!isReply(body)) throw new ApiError('internal', 'bad_reply', { status: response.status });
  return body;
}

async function call(method: MethodName, request: unknown): Promise<unknown> {
  const bridge = window.griddesk;
  const reply = bridge ? await bridge.invoke(method, request) : await overHttp(method, request);
  if (reply.ok) return reply.result;
  const { code, reason, details } = reply.error;
  throw new ApiError(asCode(code), typeof reason === 'string' ? reason : 'unknown', details ?? {});
}

export const api: GroupedApi = groupApi(call);
