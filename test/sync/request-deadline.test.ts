import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDeadline } from '../../electron/sync/deadline';
import { httpTransport } from '../../electron/sync/http-transport';
import { SyncNetworkError } from '../../electron/sync/transport';

// A request to a server that accepts it and never answers must end at its deadline, also when
// the garbage collector runs while it waits, and at once when the station stops
// (electron/sync/deadline.ts: the CI fault run of grids seed 7021 hung twice on a push its proxy
// never answered, far past the request timeout). The wait ends by a timer of the station's own,
// so it holds even for work that ignores its abort signal.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer(() => undefined); // takes every request, answers none
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Runs `fn` with the collector running every 10 ms; settles within 3 s or says it hung. */
async function underGc<T>(fn: () => Promise<T>): Promise<T | 'hung'> {
  const collector = setInterval(gc, 10);
  let guard: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<'hung'>((resolve) => (guard = setTimeout(() => resolve('hung'), 3000)))]);
  } finally {
    clearInterval(collector);
    clearTimeout(guard);
  }
}

describe('request deadlines under garbage collection', () => {
  const token = () => 'x'.repeat(43);

  it('a pull to a server that never answers times out', async () => {
    // as the engine builds it: with its stop signal beside the deadline
    const transport = httpTransport({ serverUrl: url, token, schemaVersion: 1, stopped: new AbortController().signal, timeouts: { pullMs: 300 } });
    for (let i = 0; i < 3; i++) {
      const outcome = await underGc(() => transport.pull(0, 10).then(() => 'answered', (error: unknown) => error));
      expect(outcome).toBeInstanceOf(SyncNetworkError);
      expect((outcome as SyncNetworkError).reason).toBe('timeout');
    }
  });

  it('an event stream whose headers never come gives up at the idle limit', async () => {
    const events = httpTransport({ serverUrl: url, token, schemaVersion: 1, timeouts: { eventsIdleMs: 300 } });
    const quit = new AbortController();
    for (let i = 0; i < 3; i++) {
      const outcome = await underGc(() => events.events(() => undefined, () => undefined, quit.signal).then(() => 'opened', (error: unknown) => error));
      expect(outcome).toBeInstanceOf(SyncNetworkError);
      expect((outcome as SyncNetworkError).reason).toBe('events_idle');
    }
  });

  it('stopping the station ends a request in flight at once', async () => {
    const quitting = new AbortController();
    const stoppable = httpTransport({ serverUrl: url, token, schemaVersion: 1, stopped: quitting.signal, timeouts: { pullMs: 60_000 } });
    const outcome = underGc(() => stoppable.pull(0, 10).then(() => 'answered', (error: unknown) => error));
    setTimeout(() => quitting.abort(), 200);
    const ended = await outcome;
    expect(ended).toBeInstanceOf(SyncNetworkError);
    expect((ended as SyncNetworkError).reason).toBe('unreachable');
  });

  it('ends the wait at the deadline or on stop even when the work ignores its signal', async () => {
    const never = (): Promise<never> => new Promise(() => undefined);
    let handed: AbortSignal | undefined;
    const started = Date.now();
    const late = await withDeadline(200, 'timeout', undefined, (signal) => ((handed = signal), never())).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(SyncNetworkError);
    expect((late as SyncNetworkError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(handed?.aborted).toBe(true);

    const quitting = new AbortController();
    setTimeout(() => quitting.abort(), 50);
    const stopped = await withDeadline(60_000, 'timeout', quitting.signal, never).catch((error: unknown) => error);
    expect((stopped as SyncNetworkError).reason).toBe('unreachable');

    // work that finishes first is its result, and nothing fires after it
    expect(await withDeadline(100, 'timeout', new AbortController().signal, async () => 'answered')).toBe('answered');
    await new Promise((resolve) => setTimeout(resolve, 150));
  });
});
