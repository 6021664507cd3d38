import type { Db as ServerDb } from '../../server/db/db';
import { migrate } from '../../server/db/migrate';
import { openPg } from '../../server/db/pg';
import { openPglite } from '../../server/db/pglite';
import type { ServerOptions } from '../../server/http/app';
import { createPgDatabase, startServer, type TestServer } from '../server/harness';
import { startRoundRobin } from './round-robin';

// The district side of a fault run. One backend serves many runs (a fresh street each), so a
// run costs a street, not a database: PGlite in memory, or real PostgreSQL with TWO server
// instances on one database behind a round-robin balancer — the server must keep nothing that
// matters outside the database.

export interface Backend {
  name: 'pglite' | 'pg';
  /** Admin access for fixtures and the checker. */
  db: ServerDb;
  /** Where the stations' fault proxies send requests. */
  url: string;
  close(): Promise<void>;
}

export const SERVER_OPTIONS: Omit<ServerOptions, 'db'> = {
  rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
  // every station enrolls from 127.0.0.1: the per-IP enrollment limit would refuse run 3
  enrollRateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
  heartbeatMs: 500,
  // several chunks per snapshot, so a late station's bootstrap can break between chunks
  snapshotChunkSize: 8,
};

export async function pgliteBackend(): Promise<Backend> {
  const db = await openPglite(null);
  await migrate(db);
  const server = await startServer(db, SERVER_OPTIONS);
  return {
    name: 'pglite',
    db,
    url: server.url,
    async close() {
      await server.close();
      await db.close();
    },
  };
}

export async function pgBackend(): Promise<Backend> {
  const created = await createPgDatabase();
  const dbs = [openPg(created.url, { max: 4 }), openPg(created.url, { max: 4 })] as const;
  await migrate(dbs[0]);
  const servers: TestServer[] = [];
  for (const db of dbs) servers.push(await startServer(db, SERVER_OPTIONS));
  const balancer = await startRoundRobin(servers.map((s) => s.url));
  return {
    name: 'pg',
    db: dbs[0],
    url: balancer.url,
    async close() {
      await balancer.close();
      for (const s of servers) await s.close();
      for (const db of dbs) await db.close();
      await created.drop();
    },
  };
}

export const openBackend = (name: Backend['name']): Promise<Backend> => (name === 'pg' ? pgBackend() : pgliteBackend());
