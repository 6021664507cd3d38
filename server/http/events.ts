import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { streetSeq, withDevice } from '../auth/devices';
import { streetChannel } from '../sync/notify';
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

export interface EventStreams {
  /** Open streams, ended when the server closes. */
  readonly open: Set<ServerResponse>;
  closeAll(): void;
}

export function registerEvents(app: FastifyInstance, options: ResolvedOptions): EventStreams {
  const open = new Set<ServerResponse>();
  const streams: EventStreams = {
    open,
    closeAll() {
      for (const res of open) res.end();
      open.clear();
    },
  };
  app.addHook('preClose', async () => streams.closeAll());

  app.get('/v1/events', async (request, reply) => {
    const device = await withDevice(options.db, tokenHashOf(request), {}, async (_tx, found) => found);
    let lastSent = -1;
    const res = reply.raw;
    const send = (seq: number): void => {
      if (seq <= lastSent || res.writableEnded) return;
      lastSent = seq;
      res.write(`event: seq\ndata: ${JSON.stringify({ seq })}\n\n`);
    };
    // subscribe before reading the current seq, so nothing between the two is missed
    const unlisten = await options.db.listen(streetChannel(device.streetId), (payload) => {
      const seq = Number(payload);
      if (Number.isSafeInteger(seq)) send(seq);
    });
    let current: number;
    try {
      current = await streetSeq(options.db, device.streetId);
    } catch (error) {
      await unlisten();
      throw error;
    }
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': griddesk events\n\n');
    open.add(res);
    send(current);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': ping\n\n');
    }, options.heartbeatMs);
    heartbeat.unref();
    const cleanup = (): void => {
      clearInterval(heartbeat);
      open.delete(res);
      void unlisten().catch(() => undefined);
    };
    request.raw.on('close', cleanup);
    res.on('close', cleanup);
    request.log.info({ deviceId: device.id }, 'event stream opened');
  });

  return streams;
}
