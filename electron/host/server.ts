import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Handlers } from '../../core/api/contract';
import { AppError } from '../../core/api/errors';
import { dispatch } from '../dispatch';
import { createLogger } from '../log';

const log = createLogger('host');

// The browser-mode transport: the same handlers as IPC, behind loopback HTTP. Every API
// call needs this launch's random token; Host is checked so a page on another origin
// cannot reach us through DNS rebinding.

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface Host {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendReply(res: ServerResponse, status: number, reply: unknown): void {
  send(res, status, JSON.stringify(reply), 'application/json; charset=utf-8');
}

const failure = (code: AppError['code'], reason: string) => ({ ok: false, error: new AppError(code, reason).toShape() });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AppError('bad_request', 'body_too_large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function serveApi(req: IncomingMessage, res: ServerResponse, handlers: Handlers, token: string, method: string): Promise<void> {
  if (req.method !== 'POST') return sendReply(res, 405, failure('bad_request', 'post_only'));
  if (!tokenMatches(req.headers.authorization, token)) return sendReply(res, 401, failure('unauthorized', 'bad_token'));
  if (!req.headers['content-type']?.startsWith('application/json')) return sendReply(res, 415, failure('bad_request', 'json_only'));
  let args: unknown;
  try {
    const body = await readBody(req);
    args = body.length ? JSON.parse(body) : {};
  } catch (error) {
    const reason = error instanceof AppError ? error.reason : 'invalid_json';
    return sendReply(res, reason === 'body_too_large' ? 413 : 400, failure('bad_request', reason));
  }
  const reply = await dispatch(handlers, method, args);
  const status = reply.ok ? 200 : reply.error.code === 'internal' ? 500 : reply.error.code === 'unknown_method' ? 404 : 422;
  sendReply(res, status, reply);
}

async function serveStatic(res: ServerResponse, root: string, urlPath: string): Promise<void> {
  const relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  const file = join(root, relative === '' ? 'index.html' : relative);
  if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'Not found', 'text/plain');
  try {
    send(res, 200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
  } catch {
    send(res, 404, 'Not found', 'text/plain');
  }
}

export function startHost(options: { handlers: Handlers; rendererDir: string; port: number }): Promise<Host> {
  const token = randomBytes(24).toString('base64url');
  let port = options.port;
  const server: Server = createServer((req, res) => {
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(req.headers.host ?? '')) return send(res, 421, 'Misdirected request', 'text/plain');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const api = /^\/api\/([a-z]+\.[a-zA-Z]+)$/.exec(url.pathname);
    const work = api ? serveApi(req, res, options.handlers, token, api[1]!) : serveStatic(res, options.rendererDir, url.pathname);
    work.catch((error: unknown) => {
      log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendReply(res, 500, failure('internal', 'internal'));
    });
  });
  server.requestTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/#token=${token}`,
        token,
        port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
