import { join } from 'node:path';
import type { Db } from './db';
import { migrate } from './migrate';
import { openPg } from './pg';

/** DATABASE_URL → PostgreSQL; otherwise PGlite in `<dataDir>/pglite`. Migrates before returning. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  // PGlite's WebAssembly module is loaded only when it is used: a PostgreSQL server starts ~0.3 s sooner
  const db = options.databaseUrl
    ? openPg(options.databaseUrl)
    : await import('./pglite').then(({ openPglite }) => openPglite(join(options.dataDir, 'pglite')));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
