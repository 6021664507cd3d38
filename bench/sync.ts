import { percentile } from './stats';
import { bootstrapInChild, seedStreet } from './sync-bootstrap';
import { openSyncEnv } from './sync-env';
import { freshness } from './sync-fresh';
import { poll, pollers, type PollResult } from './sync-poll';
import { pullRun } from './sync-pull';
import { pushRun } from './sync-push';
import { wireBytes } from './sync-wire';

// `npm run bench -- --only sync`: the sync targets of docs/performance.md ("Sync"), each with
// its raw baseline measured in the same run, against a real PostgreSQL on loopback and the
// real server started here on port 0 (its database is created and dropped by the bench).
// Throughputs are medians of several runs: these machines are shared and noisy.

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  target: number | null;
  /** For throughputs the target is a floor. */
  higherIsBetter?: boolean;
  baseline: number | null;
}

const median = (xs: readonly number[]): number => percentile(xs, 50);
const log = (text: string): void => console.log(`  sync: ${text}`);

export async function runSyncBench(options: { pushRuns?: number; pushMutations?: number; bootstrapRows?: number } = {}): Promise<BenchRow[]> {
  const pushRuns = options.pushRuns ?? 3;
  const pushMutations = options.pushMutations ?? 20_000;
  const bootstrapRows = options.bootstrapRows ?? Number(process.env.GRIDDESK_BENCH_BOOTSTRAP_ROWS ?? 500_000);
  const env = await openSyncEnv();
  const rows: BenchRow[] = [];
  try {
    // 1 + 2: push end to end, then a fresh station pulls and applies the same street. One
    // untimed round first: a district server and its database run for months, so JIT-compiled
    // code, pooled connections, prepared statements and warm caches are the steady state, not
    // a cold start (the first round measured 15-20% slower than the ones after it).
    const warm = await pushRun(env, pushMutations);
    warm.station.close();
    await pullRun(env.url, warm.device);
    const push: number[] = [];
    const pushRaw: number[] = [];
    const pull: number[] = [];
    const pullRaw: number[] = [];
    for (let i = 0; i < pushRuns; i++) {
      const r = await pushRun(env, pushMutations);
      r.station.close();
      push.push((r.mutations / r.ms) * 1000);
      pushRaw.push((r.mutations / r.baselineMs) * 1000);
      const p = await pullRun(env.url, r.device);
      pull.push((p.rows / p.ms) * 1000);
      pullRaw.push((p.rows / p.baselineMs) * 1000);
      log(`push ${r.mutations} in ${r.ms.toFixed(0)} ms (raw ${r.baselineMs.toFixed(0)} ms); pull apply ${p.rows} in ${p.ms.toFixed(0)} ms (raw ${p.baselineMs.toFixed(0)} ms)`);
    }
    rows.push(
      { metric: 'sync_push_mutations_per_s', value: median(push), unit: 'mut/s', target: 25_000, higherIsBetter: true, baseline: median(pushRaw) },
      { metric: 'sync_pull_apply_rows_per_s', value: median(pull), unit: 'rows/s', target: 200_000, higherIsBetter: true, baseline: median(pullRaw) },
    );

    // 4: bytes on the wire per field change (pure CPU: the body the transport would send)
    for (const batch of [100, 500]) {
      const w = wireBytes(batch);
      rows.push({ metric: `sync_wire_bytes_per_field_b${batch}`, value: w.gzipBytes / w.fieldChanges, unit: 'B', target: 60, baseline: w.rawBytes / w.fieldChanges });
    }

    // 5: freshness between two stations of one street (real engine on both)
    const fresh = await freshness(env, 40);
    rows.push(
      { metric: 'sync_freshness_p50', value: percentile(fresh, 50), unit: 'ms', target: null, baseline: null },
      { metric: 'sync_freshness_p95', value: percentile(fresh, 95), unit: 'ms', target: 1000, baseline: null },
    );

    // 6: empty pulls, 25 streets × 5 stations, each polling every 500 ms (60× the real 30 s
    // timer), 20 polls each, three times (a p99 of one run moves by ±2× on this shared machine:
    // the median of three, as for the throughputs); then the same pollers with no pause at all
    // (saturation, for scale)
    const list = await pollers(env, 25, 5);
    const paced: PollResult[] = [];
    for (let i = 0; i < 3; i++) paced.push(await poll(env.url, list, 20, 500));
    const closed = await poll(env.url, list, 20, 0);
    log(`empty pull paced: ${paced.map((p) => JSON.stringify(p)).join('; ')}; closed loop: ${JSON.stringify(closed)}`);
    if ([...paced, closed].some((p) => p.failures > 0)) throw new Error('empty pull bench: some polls failed');
    rows.push(
      { metric: 'sync_empty_pull_p50', value: median(paced.map((p) => p.p50)), unit: 'ms', target: null, baseline: null },
      { metric: 'sync_empty_pull_p99', value: median(paced.map((p) => p.p99)), unit: 'ms', target: 10, baseline: null },
      { metric: 'sync_empty_pull_saturated_p99', value: closed.p99, unit: 'ms', target: null, baseline: null },
      { metric: 'sync_empty_pull_saturated_per_s', value: (closed.requests / closed.wallMs) * 1000, unit: 'req/s', target: null, baseline: null },
    );

    // 3: bootstrap of a large street (station in a child process, for its memory)
    const seeded = await seedStreet(env, bootstrapRows);
    log(`seeded ${bootstrapRows} records in ${(seeded.seedMs / 1000).toFixed(1)} s`);
    const boot = await bootstrapInChild(env.url, seeded.device);
    log(`bootstrap ${JSON.stringify(boot)}`);
    if (boot.records !== bootstrapRows) throw new Error(`bootstrap bench: ${boot.records} of ${bootstrapRows} people arrived`);
    const mb = (bytes: number): number => bytes / 1024 / 1024;
    rows.push(
      { metric: `sync_bootstrap_${bootstrapRows / 1000}k_s`, value: boot.ms / 1000, unit: 's', target: bootstrapRows === 500_000 ? 10 : null, baseline: null },
      { metric: 'sync_bootstrap_peak_rss', value: mb(boot.peakRss), unit: 'MB', target: 300, baseline: null },
      { metric: 'sync_bootstrap_rss_growth', value: mb(boot.peakRss - boot.rssBefore), unit: 'MB', target: null, baseline: null },
    );
  } finally {
    await env.close();
  }
  return rows;
}
