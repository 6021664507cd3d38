import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSync, stopSync } from '../../electron/sync';
import { httpTransport } from '../../electron/sync/http-transport';
import { SyncHttpError } from '../../electron/sync/transport';
import { behindFaultProxy, enrolledStation, newStreet, startDistrict, waitFor, type SyncStation } from './harness';

// The event stream and the engine's cycles when the path to the server misbehaves without
// failing outright: a stream that ends as soon as it opens, a 200 that is not an event stream,
// headers that never come, absurd Retry-After values, and a stop while a cycle waits its turn.

const fx = behindFaultProxy(() => startDistrict({ heartbeatMs: 200 }));
async function station(options: Parameters<typeof enrolledStation>[2] = {}): Promise<SyncStation> {
  const s = await enrolledStation(fx.server, await newStreet(fx.server.db), { serverUrl: fx.proxy.url, pollMs: 600_000, ...options });
  fx.stations.push(s);
  return s;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const requestsTo = (path: string, from: number): number => fx.proxy.log.slice(from).filter((r) => r.path.startsWith(path)).length;

describe('the event stream on a bad path', () => {
  it.each([
    ['ends as soon as it opens', { kind: 'status', status: 200, headers: { 'content-type': 'text/event-stream' } }],
    ['is a 200 page, not an event stream', { kind: 'status', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>登录</html>' }],
  ] as const)('that %s is retried with a growing backoff, not twice a second with a sync each time', async (_name, action) => {
    const s = await station({ backoff: { baseMs: 50, capMs: 2000 } });
    const from = fx.proxy.log.length;
    fx.proxy.setRule((r) => (r.path === '/v1/events' ? action : undefined));
    startSync(s.ctx);
    await sleep(2000);
    await stopSync();
    fx.proxy.setRule(null);
    // at a fixed ~25 ms each (the first step of the backoff) it would be ~80 streams and ~80 cycles
    expect(requestsTo('/v1/events', from)).toBeLessThan(15);
    expect(requestsTo('/v1/pull', from)).toBeLessThan(15);
  });

  it('whose headers never come is given up after the idle limit and opened again', async () => {
    const s = await station({ timeouts: { eventsIdleMs: 300 } });
    const from = fx.proxy.log.length;
    fx.proxy.setRule((r) => (r.path === '/v1/events' ? { kind: 'delay', ms: 60_000 } : undefined));
    startSync(s.ctx);
    await waitFor(() => requestsTo('/v1/events', from) >= 2, 3000);
    await stopSync();
    fx.proxy.setRule(null);
  });
});

describe('Retry-After', () => {
  it('is kept between one second and one hour', async () => {
    let value = '0';
    const server = createServer((_req, res) => res.writeHead(429, { 'retry-after': value, 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const transport = httpTransport({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: () => 't', schemaVersion: 1 });
      const retryAfterOf = async (v: string): Promise<number | null> => {
        value = v;
        const error = await transport.pull(0, 10).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SyncHttpError);
        return (error as SyncHttpError).retryAfterMs;
      };
      expect(await retryAfterOf('0')).toBe(1000);
      expect(await retryAfterOf('30')).toBe(30_000);
      expect(await retryAfterOf('99999999999')).toBe(3_600_000);
      expect(await retryAfterOf(new Date(Date.now() - 60_000).toUTCString())).toBe(1000);
      expect(await retryAfterOf('soon')).toBeNull();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('stopping', () => {
  it('aborts a request in flight instead of waiting out its timeout, and records no failure', async () => {
    const s = await station();
    fx.proxy.setRule((r) => (r.path.startsWith('/v1/pull') ? { kind: 'hang' } : undefined));
    const cycle = s.engine.syncNow();
    await waitFor(() => fx.proxy.log.at(-1)?.action === 'hang', 2000);
    const started = Date.now();
    await s.engine.stop();
    await cycle;
    fx.proxy.setRule(null);
    // the pull's own timeout is 10 s
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.engine.status().lastError).toBeNull();
  });

  it('drops the cycle queued behind the running one', async () => {
    const s = await station();
    const from = fx.proxy.log.length;
    fx.proxy.setRule((r) => (r.path.startsWith('/v1/pull') ? { kind: 'delay', ms: 300 } : undefined));
    const running = s.engine.syncNow();
    const queued = s.engine.syncNow();
    await sleep(50);
    await s.engine.stop();
    await Promise.allSettled([running, queued]);
    fx.proxy.setRule(null);
    expect(requestsTo('/v1/pull', from)).toBe(1);
    // one asked for after the stop runs (the headless station and the tests sync by hand)
    await s.engine.syncNow();
    expect(requestsTo('/v1/pull', from)).toBe(2);
  });
});
