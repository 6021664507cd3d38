import { beforeAll, describe, expect, it } from 'vitest';
import { revokeDevice } from '../../server/admin/admin';
import type { Db } from '../../server/db/db';
import { openPg } from '../../server/db/pg';
import { REVOKED_CHANNEL } from '../../server/sync/notify';
import {
  call,
  enrollDevice,
  FACTORIES,
  mutation,
  newStreet,
  person,
  pgliteFactory,
  pushBody,
  serverFixture,
  startServer,
  uid,
  VERSION_HEADERS,
  type Device,
  type TestServer,
} from './harness';

// GET /v1/events (server/http/events.ts): the street's seq on connect and on every advance,
// across server processes; heartbeats; revocation; and the moments while a stream opens.

/** Reads an SSE stream; resolves `next(predicate)` when a matching event or comment arrives. */
function openEvents(url: string, token: string) {
  const controller = new AbortController();
  const lines: string[] = [];
  let ended = false;
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const ready = fetch(`${url}/v1/events`, { headers: { ...VERSION_HEADERS, authorization: `Bearer ${token}` }, signal: controller.signal }).then(
    async (response) => {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) {
              ended = true;
              return;
            }
            buffer += decoder.decode(value, { stream: true });
            let at: number;
            while ((at = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, at);
              buffer = buffer.slice(at + 1);
              lines.push(line);
              for (const w of [...waiters]) {
                if (w.test(line)) {
                  waiters.splice(waiters.indexOf(w), 1);
                  w.resolve(line);
                }
              }
            }
          }
        } catch {
          // aborted
        }
      })();
    },
  );
  return {
    ready,
    lines,
    /** Whether the server ended the stream. */
    ended: () => ended,
    next(test: (line: string) => boolean, timeoutMs = 3000): Promise<string> {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(lines)}`)), timeoutMs);
        waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
    close: () => controller.abort(),
  };
}

const seqLine = (seq: number) => (line: string) => line === `data: {"seq":${seq}}`;

describe.each(FACTORIES)('event streams on $name', (factory) => {
  const fx = serverFixture(factory, { heartbeatMs: 300 });
  let device: Device;

  beforeAll(async () => {
    device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
  }, 30_000);

  it('SSE: the current seq on connect, a heartbeat comment, and a notification within a second of another device pushing', async () => {
    const street = device.street;
    const other = await enrollDevice(fx.t.db, fx.server.url, street, '二号机');
    // a second server process on the same database: its push must wake this server's stream
    let secondDb: Db | null = null;
    let second: TestServer = fx.server;
    if (fx.t.url) {
      secondDb = openPg(fx.t.url, { max: 2 });
      second = await startServer(secondDb);
    }
    const events = openEvents(fx.server.url, device.token);
    try {
      await events.ready;
      const first = await events.next((l) => l.startsWith('data: '));
      const current = (JSON.parse(first.slice(6)) as { seq: number }).seq;
      await events.next((l) => l === ': ping');
      const started = Date.now();
      const res = await call<{ seq: number }>(second.url, '/v1/push', {
        token: other.token,
        gzip: true,
        body: pushBody([mutation(1, 'person', uid('p'), person(street, street.id, '通知'))]),
      });
      expect(res.status).toBe(200);
      expect(res.body.seq).toBe(current + 1);
      await events.next(seqLine(current + 1), 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(events.lines).toContain('event: seq');
    } finally {
      events.close();
      if (secondDb) {
        await second.close();
        await secondDb.close();
      }
    }
  });

  it('revoking a device ends its open event stream, in every server process; the street\'s other streams stay', async () => {
    const street = await newStreet(fx.t.db);
    const [revoked, kept] = [await enrollDevice(fx.t.db, fx.server.url, street), await enrollDevice(fx.t.db, fx.server.url, street, '二号机')];
    // on PostgreSQL the revoked device's stream is served by a second server process
    const secondDb = fx.t.url ? openPg(fx.t.url, { max: 2 }) : null;
    const second = secondDb ? await startServer(secondDb) : fx.server;
    const streams = [openEvents(second.url, revoked.token), openEvents(fx.server.url, kept.token)];
    try {
      for (const s of streams) await s.ready;
      for (const s of streams) await s.next((l) => l.startsWith('data: '));
      expect(await revokeDevice(fx.t.db, revoked.deviceId)).toBe(true);
      await expect.poll(() => streams[0]!.ended()).toBe(true);
      await streams[1]!.next((l) => l === ': ping', 1000);
      expect(streams[1]!.ended()).toBe(false);
    } finally {
      for (const s of streams) s.close();
      if (secondDb) {
        await second.close();
        await secondDb.close();
      }
    }
  });

  it('a device of another street is not woken', async () => {
    const otherStreet = await newStreet(fx.t.db);
    const outsider = await enrollDevice(fx.t.db, fx.server.url, otherStreet);
    const events = openEvents(fx.server.url, outsider.token);
    try {
      await events.ready;
      const first = await events.next((l) => l.startsWith('data: '));
      const res = await call(fx.server.url, '/v1/push', {
        token: device.token,
        body: pushBody([mutation(100, 'person', uid('p'), person(device.street, device.street.id, '别处'))]),
      });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
      expect(events.lines.filter((l) => l.startsWith('data: '))).toEqual([first]);
    } finally {
      events.close();
    }
  });
});

/**
 * The database as a stream sees it when a push commits while the stream is being opened: the
 * street's notification arrives the moment LISTEN is in place, and the reads after it are slow.
 */
function notifiedWhileOpening(db: Db, seq: number, delayMs: number, counts: { listens: number; unlistens: number }): Db {
  return {
    ...db,
    async listen(channel, onPayload) {
      const unlisten = await db.listen(channel, onPayload);
      if (channel === REVOKED_CHANNEL) return unlisten;
      counts.listens++;
      onPayload(String(seq));
      await new Promise((r) => setTimeout(r, delayMs));
      return async () => {
        counts.unlistens++;
        await unlisten();
      };
    },
  };
}

describe('SSE while the stream is being opened', () => {
  const counts = { listens: 0, unlistens: 0 };
  const fx = serverFixture(pgliteFactory, {}, (db) => notifiedWhileOpening(db, 999_999, 300, counts));

  it('a notification before the headers are written comes after them, as the stream\'s first seq', async () => {
    const device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
    const events = openEvents(fx.server.url, device.token);
    try {
      await events.ready;
      await events.next(seqLine(999_999));
      expect(events.lines.slice(0, 4)).toEqual([': griddesk events', '', 'event: seq', 'data: {"seq":999999}']);
    } finally {
      events.close();
    }
    await expect.poll(() => counts.unlistens).toBe(counts.listens);
  });

  it('a station that gives up while its stream is being opened leaves no listener behind', async () => {
    const device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
    const before = { ...counts };
    const controller = new AbortController();
    const opening = fetch(`${fx.server.url}/v1/events`, { headers: { ...VERSION_HEADERS, authorization: `Bearer ${device.token}` }, signal: controller.signal });
    await expect.poll(() => counts.listens).toBe(before.listens + 1);
    controller.abort();
    await expect(opening).rejects.toThrow();
    await expect.poll(() => counts.unlistens).toBe(before.unlistens + 1);
  });
});

describe('SSE and a revocation while the stream is being opened', () => {
  // the administrator revokes the device between its token check and its stream's first seq
  let revokeOnListen: string | null = null;
  const fx = serverFixture(pgliteFactory, { heartbeatMs: 100 }, (db) => ({
    ...db,
    async listen(channel, onPayload) {
      const unlisten = await db.listen(channel, onPayload);
      const deviceId = channel === REVOKED_CHANNEL ? null : revokeOnListen;
      revokeOnListen = null;
      if (deviceId) await revokeDevice(db, deviceId);
      return unlisten;
    },
  }));

  it('ends the stream before it tells anything', async () => {
    const device = await enrollDevice(fx.t.db, fx.server.url, await newStreet(fx.t.db));
    revokeOnListen = device.deviceId;
    const events = openEvents(fx.server.url, device.token);
    try {
      await events.ready;
      await expect.poll(() => events.ended()).toBe(true);
      expect(events.lines.filter((l) => l.startsWith('data: ') || l === ': ping')).toEqual([]);
    } finally {
      events.close();
    }
  });
});
