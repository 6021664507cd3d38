import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { streetSeq, withDevice } from '../auth/devices';
import { REVOKED_CHANNEL, streetChannel } from '../sync/notify';
import { tokenHashOf, type ResolvedOptions } from './app';

// GET /v1/events: Server-Sent Events per device. `event: seq` / `data: {"seq": n}` when the
// street's sequence advances (LISTEN on the street's channel, so a push handled by any server
// process on the same database wakes it), once on connect with the current seq, and a comment
// line every heartbeat to keep proxies from closing the stream.
//
// Opening a stream takes two short transactions, not one: the token's device (which names the
// channel), then LISTEN, then the current seq. The seq must be read after LISTEN, and LISTEN
// cannot run inside the first transaction (PGlite has one connection, which the transaction
// holds). Streams are opened once per connection, not per poll.
//
// A revocation (admin revoke, in any process) is announced on one channel every server process
// listens to, and ends that device's open streams: a stream outlives the request that checked
// its token, and a revoked device must learn nothing more. The stream counts as open before its
// seq is read, and that read checks the token again: a revocation committed before it refuses
// the stream there, one committed after it finds the stream open.

export interface EventStreams {
  /** Open streams and their devices, ended when the server closes. */
  readonly open: Map<ServerResponse, string>;
  closeAll(): void;
}

export async function registerEvents(app: FastifyInstance, options: ResolvedOptions): Promise<EventStreams> {
  const open = new Map<ServerResponse, string>();
  const streams: EventStreams = {
    open,
    closeAll() {
      for (const res of open.keys()) res.end();
      open.clear();
    },
  };
  const unlistenRevoked = await options.db.listen(REVOKED_CHANNEL, (deviceId) => {
    for (const [res, id] of open) if (id === deviceId) res.end();
  });
  app.addHook('preClose', async () => {
    streams.closeAll();
    await unlistenRevoked();
  });

  app.get('/v1/events', async (request, reply) => {
    const tokenHash = tokenHashOf(request);
    const device = await withDevice(options.db, tokenHash, {}, async (_tx, found) => found);
    const res = reply.raw;
    // A notification may arrive while the current seq is still being read, before the headers
    // are written: until then only the highest seq is kept.
    let streaming = false;
    let highest = -1;
    const writeSeq = (): void => void res.write(`event: seq\ndata: ${JSON.stringify({ seq: highest })}\n\n`);
    const send = (seq: number): void => {
      if (seq <= highest || res.writableEnded) return;
      highest = seq;
      if (streaming) writeSeq();
    };
    // subscribe before reading the current seq, so nothing between the two is missed
    const unlisten = await options.db.listen(streetChannel(device.streetId), (payload) => {
      const seq = Number(payload);
      if (Number.isSafeInteger(seq)) send(seq);
    });
    let closed = false;
    const cleanup = (): void => {
      if (closed) return;
      closed = true;
      open.delete(res);
      void unlisten().catch(() => undefined);
    };
    // the connection may close during the awaits: listened for at once, and checked after them
    res.once('close', cleanup);
    reply.hijack();
    if (res.socket === null || res.socket.destroyed) return cleanup();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': griddesk events\n\n');
    open.set(res, device.id);
    let current: number;
    try {
      current = await withDevice(options.db, tokenHash, {}, (tx) => streetSeq(tx, device.streetId));
    } catch (error) {
      // revoked meanwhile, or the database failed: the station reconnects and hears why
      request.log.info({ deviceId: device.id, err: error }, 'event stream refused after opening');
      res.end();
      return;
    }
    if (res.writableEnded) return;
    streaming = true;
    highest = Math.max(highest, current);
    writeSeq();
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': ping\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();
    res.once('close', () => clearInterval(heartbeat));
    request.log.info({ deviceId: device.id }, 'event stream opened');
  });

  return streams;
}
