import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import dayjs from 'dayjs';
import { EVENTS_HEARTBEAT_MAX_MS } from '../core/sync/protocol';
import { createDistrict, createStreet, issueEnrollmentCode, listDevices, restoreDevice, revokeDevice } from './admin/admin';
import { importDemo } from './admin/demo';
import type { Db } from './db/db';
import { openDatabase } from './db/open';
import { buildApp, closeServer, type ServerOptions } from './http/app';
import { createServerLogger } from './log';

// npm run server -- [--port N] [--host H] [--data-dir DIR] [tuning flags]
// npm run server -- admin <command> [options]        (docs/server.md)

const USAGE = `GridDesk district server
  npm run server -- [--port 8787] [--host 127.0.0.1] [--data-dir DIR]
      [--rate-limit 600] [--enroll-rate-limit 20] [--heartbeat-ms 15000] [--snapshot-chunk-size 5000]
      --port 0 picks a free port; the "listening on" line says which.
      --rate-limit: requests per minute per device; --enroll-rate-limit: enrollments per minute per IP;
      --heartbeat-ms: SSE ping interval, at most 30000 (stations reconnect after 45 s of silence);
      --snapshot-chunk-size: records per snapshot chunk.
  npm run server -- admin create-district --code 610116000000 --name 长安区
  npm run server -- admin create-street --code 610116001000 --name 韦曲街道 [--district CODE]
  npm run server -- admin import-demo [--scale street|district]
  npm run server -- admin enroll-code --street 610116001000 [--hours 24]
  npm run server -- admin devices [--street 610116001000]
  npm run server -- admin revoke --device <id>
  npm run server -- admin restore --device <id>      (takes a revocation back)
Environment: DATABASE_URL (PostgreSQL; otherwise PGlite in <data-dir>/pglite), GRIDDESK_SERVER_DATA,
GRIDDESK_LOG_LEVEL, PORT, HOST.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function withDb<T>(dataDir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** An instant on the admin's clock, with its offset: an ISO time in UTC reads as the wrong hour. */
const localTime = (iso: string): string => dayjs(iso).format('YYYY-MM-DD HH:mm Z');

async function admin(command: string | undefined, args: string[], dataDir: string): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      code: { type: 'string' },
      name: { type: 'string' },
      district: { type: 'string' },
      scale: { type: 'string' },
      street: { type: 'string' },
      hours: { type: 'string' },
      device: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const need = (key: 'code' | 'name' | 'street' | 'device'): string => values[key] ?? fail(`--${key} is required`);
  await withDb(values['data-dir'] ? resolve(values['data-dir']) : dataDir, async (db) => {
    switch (command) {
      case 'create-district': {
        const d = await createDistrict(db, { code: need('code'), name: need('name') });
        print(`district ${d.code} ${d.name} id=${d.id}`);
        return;
      }
      case 'create-street': {
        const s = await createStreet(db, { code: need('code'), name: need('name'), districtCode: values.district });
        print(`${s.created ? 'created' : 'exists '} street ${s.code} ${s.name} id=${s.id}`);
        return;
      }
      case 'import-demo': {
        const scale = values.scale ?? 'district';
        if (scale !== 'street' && scale !== 'district') fail('--scale is street or district');
        const result = await importDemo(db, scale);
        print(`district ${result.district.code} ${result.district.name}`);
        for (const s of result.streets) print(`  ${s.created ? 'created' : 'exists '} ${s.code} ${s.name}`);
        return;
      }
      case 'enroll-code': {
        const hours = Number(values.hours ?? '24');
        if (!(hours > 0 && hours <= 24 * 7)) fail('--hours must be between 0 and 168');
        const issued = await issueEnrollmentCode(db, need('street'), hours * 3600_000);
        print(`enrollment code for ${issued.streetCode} ${issued.streetName}: ${issued.code}`);
        print(`one-time use, valid until ${localTime(issued.expiresAt)}`);
        return;
      }
      case 'devices': {
        const devices = await listDevices(db, values.street);
        for (const d of devices) {
          const state = d.revokedAt ? `revoked ${localTime(d.revokedAt)}` : `last seen ${d.lastSeenAt ? localTime(d.lastSeenAt) : 'never'}`;
          print(`${d.id}  ${d.streetCode ?? '-'} ${d.streetName ?? ''}  "${d.name}"  last_mid=${d.lastMid}  ${state}`);
        }
        if (devices.length === 0) print('no devices');
        return;
      }
      case 'revoke': {
        const id = need('device');
        print((await revokeDevice(db, id)) ? `revoked ${id}` : `no device ${id}`);
        return;
      }
      case 'restore': {
        const id = need('device');
        print((await restoreDevice(db, id)) ? `restored ${id}` : `no revoked device ${id}`);
        return;
      }
      default:
        fail(`unknown admin command: ${command ?? '(none)'}`);
    }
  });
}

/** A whole number from `min` to `max`, or `undefined` when the setting is absent. */
function wholeNumber(setting: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) fail(`${setting} must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

const perMinute = (max: number | undefined): ServerOptions['rateLimit'] => (max === undefined ? undefined : { max, timeWindowMs: 60_000 });

async function serve(args: string[], dataDir: string): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'rate-limit': { type: 'string' },
      'enroll-rate-limit': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'snapshot-chunk-size': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    print(USAGE);
    return;
  }
  const port = (values.port === undefined ? wholeNumber('PORT', process.env.PORT, 0, 65535) : wholeNumber('--port', values.port, 0, 65535)) ?? 8787;
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  // validated before the database opens, so a typo costs no migration run
  const tuning = {
    rateLimit: perMinute(wholeNumber('--rate-limit', values['rate-limit'], 1, 1_000_000)),
    enrollRateLimit: perMinute(wholeNumber('--enroll-rate-limit', values['enroll-rate-limit'], 1, 1_000_000)),
    heartbeatMs: wholeNumber('--heartbeat-ms', values['heartbeat-ms'], 100, EVENTS_HEARTBEAT_MAX_MS),
    snapshotChunkSize: wholeNumber('--snapshot-chunk-size', values['snapshot-chunk-size'], 1, 50_000),
  };
  const logger = createServerLogger();
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: values['data-dir'] ? resolve(values['data-dir']) : dataDir });
  const { app } = await buildApp({ db, logger, ...tuning });
  const address = await app.listen({ port, host });
  print(`GridDesk district server listening on ${address} (${db.kind})`);
  const stop = async (): Promise<void> => {
    await closeServer(app, 10_000);
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

/** How many leading arguments are `--data-dir DIR` (or `--data-dir=DIR`): the one option `admin` shares with the server. */
function leadingDataDir(argv: readonly string[]): number {
  if (argv[0]?.startsWith('--data-dir=')) return 1;
  return argv[0] === '--data-dir' && argv.length > 1 ? 2 : 0;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dataDir = resolve(process.env.GRIDDESK_SERVER_DATA ?? '.griddesk-server');
  // `admin` first, or after the data folder (`--data-dir DIR admin …`, as the server is started)
  const skip = leadingDataDir(argv);
  if (argv[skip] === 'admin') await admin(argv[skip + 1], [...argv.slice(0, skip), ...argv.slice(skip + 2)], dataDir);
  else await serve(argv, dataDir);
}

main().catch((error: unknown) => {
  // a mistyped option or a stray word gets the usage, as other bad arguments do
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS_')) fail(error.message);
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
