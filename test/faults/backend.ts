import type { Db as ServerDb } from '../../server/db/db';
import { migrate } from '../../server/db/migrate';
import { openPg } from '../../server/db/pg';
import { openPglite } from '../../server/db/pglite';
import type { ServerOptions } from '../../server/http/app';
import { createPgDatabase, startServer } from '../server/harness';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { startRoundRobin, type RoundRobin } from './round-robin';

// The district side of a fault run. One backend serves many runs (a fresh street each), so a
// run costs a street, not a database: PGlite in memory with an in-process server, or real
// PostgreSQL with TWO server processes (`npm run server`'s entry) on one database behind a
// round-robin balancer — the server must keep nothing that matters outside the database.

export interface Backend {
  name: 'pglite' | 'pg';
  /** Admin access for fixtures and the checker. */
  db: ServerDb;
  /** Where the stations' fault proxies send requests. */
  url: string;
  /** Why the backend broke while open (a server process died, with its last output), else null. */
  crashed(): string | null;
  close(): Promise<void>;
}

// Every station enrolls from 127.0.0.1 (the per-IP enrollment limit would refuse run 3) and
// the runs push hard: both limits out of the way. Snapshot chunks of 8 records, so a late
// station's bootstrap has several chunks to break between.
const PER_MINUTE = 1_000_000;
const HEARTBEAT_MS = 500;
const SNAPSHOT_CHUNK_SIZE = 8;

const SERVER_OPTIONS: Omit<ServerOptions, 'db'> = {
  rateLimit: { max: PER_MINUTE, timeWindowMs: 60_000 },
  enrollRateLimit: { max: PER_MINUTE, timeWindowMs: 60_000 },
  heartbeatMs: HEARTBEAT_MS,
  snapshotChunkSize: SNAPSHOT_CHUNK_SIZE,
};

const SERVER_FLAGS = [
  ...['--rate-limit', `${PER_MINUTE}`, '--enroll-rate-limit', `${PER_MINUTE}`],
  ...['--heartbeat-ms', `${HEARTBEAT_MS}`, '--snapshot-chunk-size', `${SNAPSHOT_CHUNK_SIZE}`],
];

// The processes log warnings and errors into the tail a crash report shows, never to the
// test output.
const SERVER_ENV = { ...process.env, GRIDDESK_LOG_LEVEL: 'warn' };

export async function pgliteBackend(): Promise<Backend> {
  const db = await openPglite(null);
  await migrate(db);
  const server = await startServer(db, SERVER_OPTIONS);
  return {
    name: 'pglite',
    db,
    url: server.url,
    crashed: () => null,
    async close() {
      await server.close();
      await db.close();
    },
  };
}

export async function pgBackend(): Promise<Backend> {
  const created = await createPgDatabase();
  const db = openPg(created.url, { max: 4 });
  let servers: ServerProcess[] = [];
  let balancer: RoundRobin | null = null;
  let closing = false;
  let crash: string | null = null;
  const close = async (): Promise<void> => {
    closing = true;
    await balancer?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await db.close();
    await created.drop();
  };
  try {
    // migrated here once, so the two processes start on a database that is already current
    await migrate(db);
    const started = await Promise.allSettled([1, 2].map(() => startServerProcess(created.url, SERVER_FLAGS, SERVER_ENV)));
    servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    for (const [i, s] of servers.entries()) {
      // 'close', not 'exit': the tail then holds everything the process wrote
      s.child.once('close', (code, signal) => {
        if (closing) return;
        const report = `server process ${i + 1} (pid ${s.child.pid}) exited (${signal ?? `code ${code}`}) while the backend was open; its last output:\n${s.tail()}`;
        process.stderr.write(`${report}\n`);
        crash ??= report;
      });
    }
    balancer = await startRoundRobin(servers.map((s) => s.url));
  } catch (error) {
    await close();
    throw error;
  }
  return { name: 'pg', db, url: balancer.url, crashed: () => crash, close };
}

export const openBackend = (name: Backend['name']): Promise<Backend> => (name === 'pg' ? pgBackend() : pgliteBackend());
