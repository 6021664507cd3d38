import type { PullResponse } from '../core/sync/protocol';
import { pullAll, PULL_PAGE } from '../electron/sync/pull';
import type { SyncRun } from '../electron/sync/run';
import type { BenchDevice } from './sync-env';
import { openStation } from './sync-station';

// Pull apply on a station: a fresh replica of the push bench's street fetches the whole change
// log in the engine's page size (not timed: the network part), then the engine's pullAll runs
// over those pages served from memory (timed): batches of pages in one transaction each, cursor
// stored, own pending edits re-applied, WAL checkpointed. Baseline: the same changes INSERTed as
// plain rows (seq, id, version, JSON) with one prepared statement in one transaction, in the
// same SQLite file, and checkpointed.

export interface PullRun {
  rows: number;
  ms: number;
  baselineMs: number;
}

export async function pullRun(serverUrl: string, device: BenchDevice): Promise<PullRun> {
  const station = openStation(serverUrl, device);
  try {
    const pages = new Map<number, PullResponse>();
    let after = 0;
    for (;;) {
      const page = await station.run.transport.pull(after, PULL_PAGE);
      pages.set(after, page);
      after = page.cursor;
      if (!page.hasMore) break;
    }
    const changes = [...pages.values()].flatMap((p) => p.changes);
    const fromMemory: SyncRun = {
      ...station.run,
      transport: {
        ...station.run.transport,
        pull: (from) => {
          const page = pages.get(from);
          return page ? Promise.resolve(page) : Promise.reject(new Error(`pull bench: no page after ${from}`));
        },
      },
    };
    const db = station.ctx.db;
    // Both timings end with a WAL checkpoint: whether SQLite's automatic one (every 1,000
    // pages) falls inside a commit depends on the page size and the batch, and a pull that
    // left its checkpoint to the next writer would look faster than it is.
    const checkpoint = (): void => void db.pragma('wal_checkpoint(PASSIVE)');
    checkpoint();
    const started = performance.now();
    await pullAll(fromMemory, after);
    checkpoint();
    const ms = performance.now() - started;

    db.exec('CREATE TABLE bench_raw (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL)');
    checkpoint();
    const insert = db.prepare('INSERT INTO bench_raw (seq, id, version, fields) VALUES (?, ?, ?, ?)');
    const rawStarted = performance.now();
    db.transaction(() => {
      for (const c of changes) insert.run(c.seq, c.id, c.version, JSON.stringify(c.fields));
    })();
    checkpoint();
    const baselineMs = performance.now() - rawStarted;
    return { rows: changes.length, ms, baselineMs };
  } finally {
    station.close();
  }
}
