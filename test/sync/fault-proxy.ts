import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

// A fault-injecting HTTP proxy between a station and the real district server. A rule looks
// at each request (method, path, decoded body, running number) and picks what happens:
// pass, delay, reset the connection, hang, answer with a status (5xx, 413, 426, 429...),
// forward and then lose the response (the server applied it; the station never hears), cut
// the response after N bytes, forward it twice, or change the response body. Streams (SSE) pass through unbuffered.

export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'lose-response' }
  | { kind: 'truncate'; bytes: number }
  | { kind: 'duplicate' }
  | { kind: 'rewrite'; edit: (body: Buffer) => Buffer };

export interface FaultRequest {
  method: string;
  path: string;
  /** 1-based count of requests seen by the proxy. */
  n: number;
  /** The request body, gunzipped when it was gzip. */
  body: Buffer;
  json(): unknown;
}

export type FaultRule = (request: FaultRequest) => FaultAction | undefined;

export interface FaultProxy {
  url: string;
  setRule(rule: FaultRule | null): void;
  /** What happened to each request, in order. */
  readonly log: { method: string; path: string; action: FaultAction['kind'] }[];
  /** Resets every open connection (e.g. to cut SSE streams when "going offline"). */
  dropConnections(): void;
  close(): Promise<void>;
}

const pass: FaultAction = { kind: 'pass' };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}

/** Forwards one request to `target` and streams the answer back (SSE included). */
export function stream(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const up = httpRequest(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
      res.on('close', () => upRes.destroy());
    },
  );
  up.on('error', () => res.destroy());
  // the response closing (not the request: its 'close' fires once its body is read) ends the stream
  res.on('close', () => up.destroy());
  req.pipe(up);
}

function send(res: ServerResponse, u: Upstream): void {
  const headers = { ...u.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(u.body.length);
  res.writeHead(u.status, headers);
  res.end(u.body);
}

export async function startFaultProxy(targetUrl: string, initial: FaultRule | null = null): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let rule = initial;
  let n = 0;
  const log: FaultProxy['log'] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void (async () => {
      n += 1;
      const path = req.url ?? '/';
      if (req.headers.accept === 'text/event-stream') {
        const action = rule?.({ method: req.method ?? 'GET', path, n, body: Buffer.alloc(0), json: () => undefined }) ?? pass;
        log.push({ method: req.method ?? 'GET', path, action: action.kind });
        if (action.kind === 'pass') return stream(target, req, res);
        // the stream's headers come late, like a proxy that accepts a connection and stalls
        if (action.kind === 'delay') {
          const later = setTimeout(() => stream(target, req, res), action.ms);
          res.on('close', () => clearTimeout(later));
          return;
        }
        // an answer that ends at once: an error, a captive portal's page, a proxy closing the stream
        if (action.kind === 'status') return void res.writeHead(action.status, action.headers).end(action.body === undefined ? '' : String(action.body));
        // a stream that opens and then says nothing, like one a NAT silently dropped
        if (action.kind === 'hang') return void res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': hello\n\n');
        return void req.socket.destroy();
      }
      const raw = await readBody(req);
      const body = req.headers['content-encoding'] === 'gzip' && raw.length > 0 ? gunzipSync(raw) : raw;
      const info: FaultRequest = { method: req.method ?? 'GET', path, n, body, json: () => (body.length ? JSON.parse(body.toString('utf8')) : undefined) };
      const action = rule?.(info) ?? pass;
      log.push({ method: info.method, path, action: action.kind });
      switch (action.kind) {
        case 'reset':
          return void req.socket.destroy();
        case 'hang':
          return; // never answers: the station's timeout must fire
        case 'status': {
          const payload = JSON.stringify(action.body ?? { error: { code: action.status === 413 ? 'payload_too_large' : 'unavailable', reason: 'injected' } });
          res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
          return void res.end(payload);
        }
        case 'delay':
          await new Promise((r) => setTimeout(r, action.ms));
          return send(res, await forward(target, req, raw));
        case 'lose-response':
          await forward(target, req, raw);
          return void req.socket.destroy();
        case 'truncate': {
          const u = await forward(target, req, raw);
          res.writeHead(u.status, { 'content-type': String(u.headers['content-type'] ?? 'application/json'), 'content-length': String(u.body.length) });
          res.write(u.body.subarray(0, Math.min(action.bytes, u.body.length - 1)));
          return void setTimeout(() => req.socket.destroy(), 5);
        }
        case 'duplicate':
          await forward(target, req, raw);
          return send(res, await forward(target, req, raw));
        case 'rewrite': {
          const u = await forward(target, req, raw);
          return send(res, { ...u, body: action.edit(u.body) });
        }
        case 'pass':
          return send(res, await forward(target, req, raw));
      }
    })().catch(() => req.socket.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setRule: (r) => {
      rule = r;
    },
    log,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A small seeded PRNG (mulberry32), so a failing fault run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random faults at the given rates (the rest pass), reproducible from `seed`. */
export function randomFaults(
  seed: number,
  rates: Partial<Record<'reset' | 'lose-response' | 'status503' | 'status500' | 'duplicate' | 'delay' | 'truncate', number>>,
): FaultRule {
  const random = seededRandom(seed);
  return () => {
    let roll = random();
    for (const [kind, rate] of Object.entries(rates)) {
      if (roll < rate) {
        if (kind === 'status503') return { kind: 'status', status: 503 };
        if (kind === 'status500') return { kind: 'status', status: 500 };
        if (kind === 'delay') return { kind: 'delay', ms: Math.floor(random() * 200) };
        if (kind === 'truncate') return { kind: 'truncate', bytes: Math.floor(random() * 200) };
        return { kind } as FaultAction;
      }
      roll -= rate;
    }
    return pass;
  };
}
