import { join } from 'node:path';
import type { Db } from './db';
import { migrate } from './migrate';
import { openPg } from './pg';
import { openPglite } from './pglite';

/** DATABASE_URL → PostgreSQL; otherwise PGlite in `<dataDir>/pglite`. Migrates before returning. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  const db = options.databaseUrl ? openPg(options.databaseUrl) : await openPglite(join(options.dataDir, 'pglite'));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
