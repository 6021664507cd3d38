import type { Db } from './db';
import { ENTITIES } from './entities';

/**
 * Runs a bulk load with the synced tables' secondary indexes dropped, then rebuilds them:
 * building an index once over sorted data is far cheaper than updating several per row
 * (a bootstrap inserts hundreds of thousands). Call it inside a transaction, so a failure
 * puts the indexes back with everything else. Unique constraints (autoindexes) stay.
 */
export function withoutSecondaryIndexes<T>(db: Db, load: () => T): T {
  const tables = Object.values(ENTITIES).map((e) => e.table);
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(tables)) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  const result = load();
  for (const index of indexes) db.exec(index.sql);
  return result;
}
