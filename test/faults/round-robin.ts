import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { stream } from '../sync/fault-proxy';

// A plain round-robin balancer: request n goes to upstream n mod k, whatever the station or
// the request. Consecutive requests of one push cycle (push, then pull) therefore land on
// different server instances, which is the point: no state may live outside the database.

export interface RoundRobin {
  url: string;
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: readonly string[]): Promise<RoundRobin> {
  const targets = upstreams.map((u) => new URL(u));
  const sockets = new Set<Socket>();
  let next = 0;
  const server = createServer((req, res) => {
    stream(targets[next++ % targets.length]!, req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
