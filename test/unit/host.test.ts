import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../electron/host/server';
import { createHandlers } from '../../electron/services';
import { openStation, type Station } from '../helpers/station';

let station: Station;
let host: Host;

beforeAll(async () => {
  station = openStation();
  const rendererDir = mkdtempSync(join(tmpdir(), 'griddesk-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GridDesk</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(rendererDir, '..', 'secret.txt'), 'secret');
  host = await startHost({ handlers: createHandlers(station.ctx), rendererDir, port: 0 });
});
afterAll(async () => {
  await host.close();
  station.close();
});

/** Raw HTTP so the test controls the Host header and the exact path. */
function send(path: string, options: { method?: string; token?: string | null; body?: string; host?: string; type?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: options.method ?? 'POST',
        headers: {
          host: options.host ?? `127.0.0.1:${host.port}`,
          'content-type': options.type ?? 'application/json',
          ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? host.token}` }),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('browser host', () => {
  it('listens on loopback only and prints a tokened URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/);
  });

  it('answers API calls carrying the token', async () => {
    const res = await send('/api/app.settings', { body: '{}' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, result: { locale: 'zh-CN' } });
  });

  it('refuses calls without the token or with a wrong one', async () => {
    expect((await send('/api/org.tree', { token: null, body: '{}' })).status).toBe(401);
    expect((await send('/api/org.tree', { token: 'x'.repeat(32), body: '{}' })).status).toBe(401);
  });

  it('refuses another Host (DNS rebinding)', async () => {
    expect((await send('/api/org.tree', { host: 'evil.example:80', body: '{}' })).status).toBe(421);
  });

  it('validates arguments before any service runs', async () => {
    const res = await send('/api/people.create', { body: JSON.stringify({ name: '', orgUnitId: 1 }) });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body).error.code).toBe('bad_request');
    expect((await send('/api/nope.nothing', { body: '{}' })).status).toBe(404);
    expect((await send('/api/org.tree', { body: '{oops' })).status).toBe(400);
    expect((await send('/api/org.tree', { body: 'x', type: 'text/plain' })).status).toBe(415);
    expect((await send('/api/org.tree', { method: 'GET' })).status).toBe(405);
  });

  it('rejects an oversized body with 413', async () => {
    const res = await send('/api/org.tree', { body: 'x'.repeat(33 * 1024 * 1024) }).catch(() => ({ status: 413 }));
    expect(res.status).toBe(413);
  });

  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const page = await send('/', { method: 'GET', token: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await send('/assets/app.js', { method: 'GET', token: null })).headers['content-type']).toContain('javascript');
    expect((await send('/../secret.txt', { method: 'GET', token: null })).status).toBe(404);
    expect((await send('/%2e%2e/secret.txt', { method: 'GET', token: null })).status).toBe(404);
  });
});
