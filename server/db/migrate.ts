import type { Db } from './db';
import { num } from './db';
import { MIGRATIONS } from './migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class DatabaseFromTheFuture extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`database schema version ${found} is newer than this server knows (${known}); upgrade the server`);
  }
}

/**
 * Runs as the owner login. All pending migrations run in one transaction (a failure leaves the
 * database at its old version); concurrent runners wait on an advisory lock.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return db.transaction(async (tx) => {
    // the lock comes first: two servers starting together on an empty database would otherwise
    // race on CREATE TABLE IF NOT EXISTS (a duplicate pg_type row fails one of them)
    await tx.query('SELECT pg_advisory_xact_lock(7100116)');
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const rows = (await tx.query<{ v: unknown }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows;
    let current = num(rows[0]?.v ?? 0);
    if (current > known) throw new DatabaseFromTheFuture(current, known);
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      current = m.version;
    }
    return current;
  });
}

export async function schemaVersion(db: Db): Promise<number> {
  const rows = (await db.query<{ v: unknown }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows;
  return num(rows[0]?.v ?? 0);
}
