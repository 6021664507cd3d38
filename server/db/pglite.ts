import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { assertChannel, type Db, type Queryable, type QueryResult } from './db';

// Embedded PostgreSQL (WASM). One connection, so PGlite serialises transactions itself.
// It runs as a superuser: request transactions still SET LOCAL ROLE, so RLS applies here too.
// QueryOptions.prepared is ignored: there is no connection round trip to save in process.

function wrap(target: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite is one process's database: a second opener (an admin command while the server runs) is refused. */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lock, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new Error(`${dataDir} is in use by process ${pid} (stop the server first, or use DATABASE_URL)`);
      }
      rmSync(lock, { force: true }); // stale
    }
  }
  throw new Error(`cannot lock ${dataDir}`);
}

/** `dataDir` null = in memory (tests). */
export async function openPglite(dataDir: string | null): Promise<Db> {
  let unlock = (): void => undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let pg: PGlite;
  try {
    pg = dataDir ? new PGlite(dataDir) : new PGlite();
    await pg.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const direct = wrap(pg);
  return {
    kind: 'pglite',
    query: (sql, params) => direct.query(sql, params),
    exec: (sql) => direct.exec(sql),
    async script<Row>(sql: string) {
      const last = (await pg.exec(sql)).at(-1);
      return { rows: (last?.rows ?? []) as Row[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    },
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onPayload) {
      assertChannel(channel);
      const unlisten = await pg.listen(channel, onPayload);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async close() {
      if (!pg.closed) await pg.close();
      unlock();
    },
  };
}
