import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { z } from 'zod';
import {
  enrollResponse,
  pullResponse,
  pushResponse,
  recordsResponse,
  snapshotChunk,
  snapshotManifest,
  syncError,
  type SnapshotChunk,
  PROTOCOL_VERSION,
  SNAPSHOT_CHECKSUM_HEADER,
  EVENTS_IDLE_MS,
} from '../../core/sync/protocol';
import { withDeadline } from './deadline';
import { readEvents, StreamIdle } from './sse';
import { SyncHttpError, SyncNetworkError, type SyncTransport } from './transport';

// The real transport: JSON over HTTP(S), push bodies gzipped, every reply parsed with the
// protocol's zod schema before the engine sees it. A snapshot chunk's bytes are checked
// against its X-GridDesk-SHA256 header before they are parsed.

/**
 * zlib level of request bodies (pushes): 1, not the default 6. A 1,000-mutation batch is
 * gzipped in about half the time, for ~10% more bytes (~34 B per field change instead of ~31,
 * bench/sync-wire.ts, which uses this constant).
 */
export const BODY_GZIP_LEVEL = 1;

export interface HttpTransportOptions {
  serverUrl: string;
  token: () => string | null;
  schemaVersion: number;
  /** Tests set an old one to see 426. */
  protocolVersion?: number;
  /** The engine's stop signal: quitting aborts requests in flight instead of waiting out their timeouts. */
  stopped?: AbortSignal;
  /** eventsIdleMs: an event stream silent this long is dead (3 missed 15 s heartbeats). */
  timeouts?: { pushMs?: number; pullMs?: number; chunkMs?: number; eventsIdleMs?: number };
}

/**
 * Retry-After bounds: a 0 would retry at once, uncounted, and a delay past 2^31 ms fires a
 * Node timer after 1 ms, so a misconfigured proxy could set the station retrying in a loop.
 */
const RETRY_AFTER_MS = { min: 1000, max: 3_600_000 };

function retryAfter(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? null : Math.min(RETRY_AFTER_MS.max, Math.max(RETRY_AFTER_MS.min, ms));
}

export function httpTransport(options: HttpTransportOptions): SyncTransport {
  const base = options.serverUrl.replace(/\/+$/, '');
  const timeouts = { pushMs: 10_000, pullMs: 10_000, chunkMs: 30_000, eventsIdleMs: EVENTS_IDLE_MS, ...options.timeouts };

  function headers(auth: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'x-griddesk-protocol': String(options.protocolVersion ?? PROTOCOL_VERSION),
      'x-griddesk-schema': String(options.schemaVersion),
    };
    if (auth) {
      const token = options.token();
      if (!token) throw new SyncHttpError(401, 'unauthorized', 'no_token');
      h.authorization = `Bearer ${token}`;
    }
    return h;
  }

  async function exchange(
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown; gzip?: boolean; auth?: boolean; timeoutMs: number },
  ): Promise<{ response: Response; bytes: Buffer; json: () => unknown }> {
    const h = headers(init.auth !== false);
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (init.body !== undefined) {
      const json = JSON.stringify(init.body);
      body = init.gzip ? new Uint8Array(gzipSync(json, { level: BODY_GZIP_LEVEL })) : json;
      h['content-type'] = 'application/json';
      if (init.gzip) h['content-encoding'] = 'gzip';
    }
    let response: Response;
    let bytes: Buffer;
    try {
      ({ response, bytes } = await withDeadline(init.timeoutMs, 'timeout', options.stopped, async (signal) => {
        const reply = await fetch(`${base}${path}`, { method: init.method, headers: h, body, signal });
        return { response: reply, bytes: Buffer.from(await reply.arrayBuffer()) };
      }));
    } catch (error) {
      if (error instanceof SyncNetworkError) throw error;
      throw new SyncNetworkError('unreachable', { cause: error });
    }
    const json = (): unknown => {
      try {
        return bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
      } catch {
        if (response.ok) throw new SyncNetworkError('bad_body');
        return undefined;
      }
    };
    if (!response.ok) {
      const parsed = syncError.safeParse(json());
      throw new SyncHttpError(
        response.status,
        parsed.success ? parsed.data.error.code : 'unavailable',
        parsed.success ? parsed.data.error.reason : `status_${response.status}`,
        retryAfter(response.headers),
      );
    }
    return { response, bytes, json };
  }

  function parsed<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
    const result = schema.safeParse(json);
    if (!result.success) throw new SyncNetworkError('bad_body');
    return result.data;
  }

  async function request<S extends z.ZodType>(
    schema: S,
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown; gzip?: boolean; auth?: boolean; timeoutMs: number },
  ): Promise<z.output<S>> {
    return parsed(schema, (await exchange(path, init)).json());
  }

  async function chunk(snapshotId: string, index: number): Promise<SnapshotChunk> {
    const reply = await exchange(`/v1/snapshot/${encodeURIComponent(snapshotId)}/${index}`, { method: 'GET', timeoutMs: timeouts.chunkMs });
    const expected = reply.response.headers.get(SNAPSHOT_CHECKSUM_HEADER);
    if (!expected || createHash('sha256').update(reply.bytes).digest('hex') !== expected) throw new SyncNetworkError('snapshot_checksum');
    return parsed(snapshotChunk, reply.json());
  }

  const versions = () => ({ protocol: options.protocolVersion ?? PROTOCOL_VERSION, schemaVersion: options.schemaVersion });

  return {
    enroll: (r) =>
      request(enrollResponse, '/v1/enroll', { method: 'POST', body: { ...versions(), ...r }, auth: false, timeoutMs: timeouts.pushMs }),
    push: (r) => request(pushResponse, '/v1/push', { method: 'POST', body: { ...versions(), ...r }, gzip: true, timeoutMs: timeouts.pushMs }),
    pull: (after, limit) => request(pullResponse, `/v1/pull?after=${after}&limit=${limit}`, { method: 'GET', timeoutMs: timeouts.pullMs }),
    createSnapshot: () => request(snapshotManifest, '/v1/snapshot', { method: 'POST', timeoutMs: timeouts.chunkMs }),
    snapshotChunk: chunk,
    records: async (refs) =>
      (await request(recordsResponse, '/v1/records', { method: 'POST', body: { ...versions(), records: refs }, timeoutMs: timeouts.pullMs })).records,
    async events(onSeq, onOpen, signal) {
      // The stream's signal follows the caller's for the stream's whole life: stopping ends its
      // body too, not only the wait for its headers.
      const stream = new AbortController();
      const onStop = (): void => stream.abort(signal.reason);
      if (signal.aborted) onStop();
      else signal.addEventListener('abort', onStop, { once: true });
      try {
        let response: Response;
        try {
          // Until the headers arrive the idle limit applies too: a proxy that accepts the connection
          // and never answers would otherwise hold the stream for undici's 300 s header timeout.
          response = await withDeadline(
            timeouts.eventsIdleMs,
            'events_idle',
            signal,
            (s) => fetch(`${base}/v1/events`, { headers: { ...headers(true), accept: 'text/event-stream' }, signal: s }),
            stream,
          );
        } catch (error) {
          if (error instanceof SyncNetworkError) throw error;
          throw new SyncNetworkError('unreachable', { cause: error });
        }
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          throw new SyncHttpError(response.status, 'unavailable', 'events_refused', retryAfter(response.headers));
        }
        // a captive portal's page or a proxy's answer is a 200 too: only an event stream is the server
        if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
          await response.body.cancel();
          throw new SyncNetworkError('events_not_a_stream');
        }
        onOpen();
        await readEvents(response.body, (event, data) => {
          if (event !== 'seq') return;
          try {
            const seq = (JSON.parse(data) as { seq?: unknown }).seq;
            if (typeof seq === 'number' && Number.isSafeInteger(seq)) onSeq(seq);
          } catch {
            // a malformed event is ignored; the 30 s timer still pulls
          }
        }, timeouts.eventsIdleMs).catch((error: unknown) => {
          throw new SyncNetworkError(error instanceof StreamIdle ? 'events_idle' : 'events_broken', { cause: error });
        });
      } finally {
        signal.removeEventListener('abort', onStop);
      }
    },
  };
}
