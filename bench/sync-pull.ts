import type { Change } from '../core/sync/protocol';
import { applyPullPage, PULL_PAGE } from '../electron/sync/pull';
import type { BenchDevice } from './sync-env';
import { openStation } from './sync-station';

// Pull apply on a station: a fresh replica of the push bench's street fetches the whole change
// log in the engine's page size (not timed: the network part), then applies every page with the
// engine's applyPullPage — one transaction per page, own pending edits re-applied, cursor
// stored (timed). Baseline: the same changes INSERTed as plain rows (seq, id, version, JSON)
// with one prepared statement in one transaction, in the same SQLite file.

export interface PullRun {
  rows: number;
  ms: number;
  baselineMs: number;
}

export async function pullRun(serverUrl: string, device: BenchDevice): Promise<PullRun> {
  const station = openStation(serverUrl, device);
  try {
    const pages: { changes: Change[]; cursor: number }[] = [];
    let after = 0;
    for (;;) {
      const page = await station.run.transport.pull(after, PULL_PAGE);
      pages.push({ changes: page.changes, cursor: page.cursor });
      after = page.cursor;
      if (!page.hasMore) break;
    }
    const rows = pages.reduce((n, p) => n + p.changes.length, 0);
    const db = station.ctx.db;
    const started = performance.now();
    for (const p of pages) applyPullPage(db, p.changes, p.cursor, device.deviceId, new Date().toISOString());
    const ms = performance.now() - started;

    db.exec('CREATE TABLE bench_raw (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO bench_raw (seq, id, version, fields) VALUES (?, ?, ?, ?)');
    const rawStarted = performance.now();
    db.transaction(() => {
      for (const p of pages) for (const c of p.changes) insert.run(c.seq, c.id, c.version, JSON.stringify(c.fields));
    })();
    const baselineMs = performance.now() - rawStarted;
    return { rows, ms, baselineMs };
  } finally {
    station.close();
  }
}
