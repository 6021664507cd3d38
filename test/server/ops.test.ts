import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushResponse } from '../../core/sync/protocol';
import { adminRecord, listDevices, revokeDevice } from '../../server/admin/admin';
import { DEMO_STREETS, importDemo } from '../../server/admin/demo';
import { withAdmin } from '../../server/db/scope';
import { buildApp, closeServer } from '../../server/http/app';
import { createServerLogger } from '../../server/log';
import {
  call,
  createPgDatabase,
  enrollDevice,
  FACTORIES,
  MidCounter,
  mutation,
  newStreet,
  openMigrated,
  person,
  pushBody,
  startServer,
  uid,
  type TestDb,
  type TestServer,
} from './harness';

describe.each(FACTORIES)('administration on $name', (factory) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openMigrated(factory);
  }, 30_000);
  afterAll(async () => t?.drop(), 30_000);

  it('import-demo creates the district and its streets once; every street log starts with the reference data', async () => {
    const first = await importDemo(t.db, 'district');
    expect(first.streets).toHaveLength(DEMO_STREETS.length);
    expect(first.streets.every((s) => s.created)).toBe(true);
    const again = await importDemo(t.db, 'district');
    expect(again.streets.every((s) => !s.created)).toBe(true);
    const street = first.streets[3]!;
    const log = await withAdmin(t.db, (tx) =>
      tx.query<{ seq: unknown; id: string; fields: { level: string } }>('SELECT seq, id, fields FROM change WHERE street_id = $1 ORDER BY seq', [street.id]),
    );
    expect(log.rows.map((r) => [Number(r.seq), r.fields.level])).toEqual([
      [1, 'district'],
      [2, 'street'],
    ]);
    expect((await adminRecord(t.db, 'orgUnit', street.id))?.data).toMatchObject({ level: 'street', parentId: first.district.id, code: street.code });
  });

  it('lists and revokes devices', async () => {
    const server = await startServer(t.db);
    try {
      const street = await newStreet(t.db);
      const d = await enrollDevice(t.db, server.url, street, '一号机');
      const listed = await listDevices(t.db, street.code);
      expect(listed.map((x) => [x.id, x.name, x.revokedAt])).toEqual([[d.deviceId, '一号机', null]]);
      expect(await revokeDevice(t.db, d.deviceId)).toBe(true);
      expect((await listDevices(t.db, street.code))[0]?.revokedAt).not.toBeNull();
      expect(await revokeDevice(t.db, 'no-such-device')).toBe(false);
      // a station that only reads is seen too: a pull marks it, at most once a minute
      const other = await enrollDevice(t.db, server.url, street, '二号机');
      const seenAt = async () => (await listDevices(t.db, street.code)).find((x) => x.id === other.deviceId)!.lastSeenAt!;
      const setSeen = (ago: string) => withAdmin(t.db, (tx) => tx.query(`UPDATE device SET last_seen_at = now() - $2::interval WHERE id = $1`, [other.deviceId, ago]));
      await setSeen('2 hours');
      const pull = () => call(server.url, '/v1/pull?after=0', { token: other.token });
      expect((await pull()).status).toBe(200);
      expect(Date.now() - Date.parse(await seenAt())).toBeLessThan(60_000);
      await setSeen('30 seconds');
      const recent = await seenAt();
      expect((await pull()).status).toBe(200);
      expect(await seenAt()).toBe(recent);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!FACTORIES.some((f) => f.name === 'pg'))('transient failures on pg', () => {
  let t: TestDb;
  let server: TestServer;
  beforeAll(async () => {
    t = await openMigrated(FACTORIES.find((f) => f.name === 'pg')!);
    server = await startServer(t.db, { pushTimeoutMs: 300 });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await t?.drop();
  }, 30_000);

  it('a transient failure mid-batch aborts the whole batch with 503; the retry applies it', async () => {
    const street = await newStreet(t.db);
    const device = await enrollDevice(t.db, server.url, street);
    const mids = new MidCounter();
    const target = uid('p');
    const ok = await call(server.url, '/v1/push', { token: device.token, body: pushBody([mutation(mids.next(), 'person', target, person(street, street.id, '甲'))]) });
    expect(ok.status).toBe(200);
    // another session holds the record's row lock: the batch's second mutation waits past the statement timeout
    const blocker = new pg.Client({ connectionString: t.url! });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM record WHERE entity = 'person' AND id = $1 FOR UPDATE`, [target]);
    const fresh = uid('p');
    const batch = pushBody([
      mutation(mids.next(), 'person', fresh, person(street, street.id, '乙')),
      mutation(mids.next(), 'person', target, { note: '改' }, 'update', 1),
    ]);
    try {
      const failed = await call<{ error: { code: string } }>(server.url, '/v1/push', { token: device.token, body: batch, gzip: true });
      expect(failed.status).toBe(503);
      expect(failed.body.error.code).toBe('unavailable');
      expect(await adminRecord(t.db, 'person', fresh)).toBeNull();
      expect((await listDevices(t.db, street.code))[0]?.lastMid).toBe(1);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const retried = await call(server.url, '/v1/push', { token: device.token, body: batch, gzip: true });
    expect(retried.status).toBe(200);
    expect(pushResponse.parse(retried.body)).toMatchObject({ ackedThrough: 3, rejected: [] });
    expect((await adminRecord(t.db, 'person', target))?.data.note).toBe('改');
  });
});

describe('logging', () => {
  it('masks phone and resident ID numbers on every line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createServerLogger('info', sink);
    log.info({ detail: 'Key (residentId)=(11010519491231002X) already exists', contact: '13800138000' }, 'call 13912345678');
    log.info({ phone: '13800138000', residentId: '11010519491231002X' }, 'fields');
    const out = lines.join('');
    expect(out).not.toMatch(/11010519491231002X|13800138000|13912345678/);
    expect(out).toContain('139****5678');
    expect(out).toContain('[masked]');
  });
});

const run = (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });

describe('closing the server', () => {
  it('does not wait a request timeout for a connection that never sent a request', async () => {
    const db = await openMigrated(FACTORIES[0]!);
    try {
      const { app } = await buildApp({ db: db.db });
      const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
      // a client that gave up while connecting: the connection is open and silent
      const socket = connect(Number(url.port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const started = Date.now();
      await closeServer(app, 200);
      expect(Date.now() - started).toBeLessThan(5000);
      socket.destroy();
    } finally {
      await db.drop();
    }
  }, 30_000);
});

describe('server CLI flags', () => {
  it.each([
    [['--snapshot-chunk-size', '0'], '--snapshot-chunk-size'],
    [['--heartbeat-ms', 'soon'], '--heartbeat-ms'],
    // a station would take a stream this quiet for dead and reconnect every 45 s
    [['--heartbeat-ms', '60000'], '--heartbeat-ms'],
    [['--rate-limit', '0'], '--rate-limit'],
    [['--port', '70000'], '--port'],
  ])('%j stops with a clear message and exit code 2, before any database opens', async (args, named) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-cli-'));
    try {
      const result = await run([...args, '--data-dir', dataDir], { ...process.env, DATABASE_URL: '' });
      expect(result.code).toBe(2);
      expect(result.err).toContain(named);
      expect(result.err).toContain('npm run server');
      expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a mistyped option or a stray word stops with the usage and exit code 2', async () => {
    for (const args of [['--prot', '8787'], ['serve']]) {
      const result = await run(args, { ...process.env, DATABASE_URL: '' });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toContain('npm run server -- admin enroll-code');
    }
  }, 30_000);

  it('admin takes the data folder before or after its command, as the server does', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-cli-'));
    const env = { ...process.env, DATABASE_URL: '', GRIDDESK_LOG_LEVEL: 'warn' };
    try {
      const before = await run(['--data-dir', dataDir, 'admin', 'import-demo', '--scale', 'street'], env);
      expect(before.code, before.err).toBe(0);
      expect(before.out).toContain('610116001000 韦曲街道');
      const after = await run(['admin', 'enroll-code', '--street', '610116001000', `--data-dir=${dataDir}`], { ...env, TZ: 'Asia/Shanghai' });
      expect(after.code, after.err).toBe(0);
      expect(after.out).toMatch(/韦曲街道: [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
      // on the admin's clock, not in UTC
      expect(after.out).toMatch(/valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+08:00/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!FACTORIES.some((f) => f.name === 'pg'))('the CLI against PostgreSQL', () => {

  it('admin commands and the server run against DATABASE_URL', async () => {
    const created = await createPgDatabase();
    const env = { ...process.env, DATABASE_URL: created.url, GRIDDESK_LOG_LEVEL: 'warn' };
    let child: ChildProcess | null = null;
    try {
      const demo = await run(['admin', 'import-demo', '--scale', 'street'], env);
      expect(demo.code, demo.err).toBe(0);
      expect(demo.out).toContain('610116001000 韦曲街道');
      const code = await run(['admin', 'enroll-code', '--street', '610116001000'], env);
      expect(code.code, code.err).toBe(0);
      expect(code.out).toMatch(/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
      const bad = await run(['admin', 'enroll-code'], env);
      expect(bad.code).toBe(2);
      const devices = await run(['admin', 'devices'], env);
      expect(devices.out).toContain('no devices');
      child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
        child!.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const health = await call<{ database: string }>(url, '/health', { headers: {} });
      expect(health.body.database).toBe('pg');
    } finally {
      if (child?.pid) process.kill(child.pid, 'SIGTERM');
      await created.drop();
    }
  }, 60_000);
});
