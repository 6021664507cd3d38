import pg from 'pg';
import { newId } from '../electron/services/ids';
import { Batcher } from '../electron/sync/batcher';
import { outboxCounts } from '../electron/sync/outbox';
import { pushAll } from '../electron/sync/push';
import { cachedStatement } from '../electron/store/statements';
import { benchDevice, benchStreet, type SyncEnv } from './sync-env';
import { openStation, residentIdFor, type BenchStation } from './sync-station';

// Push end to end: a station's outbox (change_log rows) → the engine's pushAll (batches of the
// engine's default size, gzip, HTTP) → the server's apply → PostgreSQL, acknowledged back into
// the outbox. Half the mutations create people, half edit them (phone/status), as a busy
// street's day. Baseline: the same JSON documents INSERTed into a plain two-column table,
// 1,000 rows per statement, on the same database.

const PHONES = ['13800138000', '13912345678', '15029876543', '18691234567'];
const STATUSES = ['inactive', 'active', 'left', 'active'] as const;

export interface PushRun {
  mutations: number;
  ms: number;
  rejected: number;
  baselineMs: number;
  /** The station replica with everything acknowledged (the pull bench reads its street). */
  station: BenchStation;
  streetId: string;
  device: Awaited<ReturnType<typeof benchDevice>>;
}

let residentNo = 0;

/** Fills the station's outbox with `n` mutations; returns their field documents for the baseline. */
function fillOutbox(station: BenchStation, streetId: string, n: number): { id: string; fields: Record<string, unknown> }[] {
  const db = station.ctx.db;
  const insert = cachedStatement(db, 'INSERT INTO change_log (entity, entity_id, op, fields, base_version, at) VALUES (?, ?, ?, ?, ?, ?)');
  const docs: { id: string; fields: Record<string, unknown> }[] = [];
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < n / 2; i++) {
      const id = newId();
      ids.push(id);
      const fields = {
        name: `居民${i}`,
        gender: i % 2 === 0 ? 'female' : 'male',
        phone: PHONES[i % PHONES.length],
        residentId: i % 3 === 0 ? null : residentIdFor((residentNo += 1)),
        partyMember: i % 7 === 0,
        partyBranch: null,
        status: 'active',
        orgUnitId: streetId,
        streetId,
        note: i % 5 === 0 ? '独居老人，每周走访' : null,
      };
      insert.run('person', id, 'insert', JSON.stringify(fields), null, new Date().toISOString());
      docs.push({ id, fields });
    }
    for (let i = 0; i < n / 2; i++) {
      const fields = i % 2 === 0 ? { phone: PHONES[(i + 1) % PHONES.length] } : { status: STATUSES[i % STATUSES.length] };
      insert.run('person', ids[i]!, 'update', JSON.stringify(fields), 1, new Date().toISOString());
      docs.push({ id: `${ids[i]!}-u`, fields });
    }
  })();
  return docs;
}

async function rawInsert(owner: pg.Pool, docs: readonly { id: string; fields: Record<string, unknown> }[]): Promise<number> {
  const table = `bench_raw_${Math.random().toString(36).slice(2, 8)}`;
  await owner.query(`CREATE TABLE ${table} (id text PRIMARY KEY, data jsonb NOT NULL)`);
  const started = performance.now();
  for (let at = 0; at < docs.length; at += 1000) {
    const slice = docs.slice(at, at + 1000);
    const params: string[] = [];
    const values = slice.map((d, i) => {
      params.push(d.id, JSON.stringify(d.fields));
      return `($${2 * i + 1}, $${2 * i + 2}::jsonb)`;
    });
    await owner.query(`INSERT INTO ${table} (id, data) VALUES ${values.join(', ')}`, params);
  }
  const ms = performance.now() - started;
  await owner.query(`DROP TABLE ${table}`);
  return ms;
}

export async function pushRun(env: SyncEnv, n: number): Promise<PushRun> {
  const street = await benchStreet(env);
  const device = await benchDevice(env, street);
  const station = openStation(env.url, device);
  const docs = fillOutbox(station, street.id, n);
  const started = performance.now();
  await pushAll(station.run, { batcher: new Batcher(), quarantineAfter: 3 });
  const ms = performance.now() - started;
  const counts = outboxCounts(station.ctx.db);
  if (counts.pending !== 0 || counts.sent + counts.rejected !== n) throw new Error(`push bench: outbox not drained ${JSON.stringify(counts)}`);
  const baselineMs = await rawInsert(env.owner, docs);
  return { mutations: n, ms, rejected: counts.rejected, baselineMs, station, streetId: street.id, device };
}
