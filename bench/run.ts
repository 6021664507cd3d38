import './quiet';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MethodName } from '../core/api/contract';
import type { Role } from '../core/domain/people';
import { dispatch } from '../electron/dispatch';
import { createRng } from '../electron/demo/prng';
import { createHandlers } from '../electron/services';
import { closeAppContext } from '../electron/services/context';
import { openBenchDb } from './demo-db';
import { percentile, timeRuns } from './stats';
import { runSyncBench, type BenchRow } from './sync';

// `npm run bench`: the hot paths of a street workstation on district-scale data, each
// next to a hand-written SQL baseline on the same database in the same run. Numbers are
// printed and written to bench/results/latest.json; nothing here asserts a time.
// `npm run bench -- --only app` or `--only sync` runs one half (bench/sync.ts is the other);
// metrics not measured in a run keep their previous entry in latest.json.

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? process.argv[onlyArg + 1] : undefined;
if (only !== undefined && only !== 'app' && only !== 'sync') throw new Error(`--only app|sync, not ${only}`);
const results: BenchRow[] = [];

if (only !== 'sync') {

  const SEED = 1;
  const { ctx, dataDir, reused } = openBenchDb(SEED);
  const handlers = createHandlers(ctx);
  const db = ctx.db;
  const rng = createRng(42);

  async function call(method: MethodName, request: unknown): Promise<unknown> {
    const reply = await dispatch(handlers, method, request);
    if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
    return reply.result;
}

const streets = db.prepare("SELECT id FROM org_unit WHERE level = 'street' ORDER BY code").all() as { id: string }[];
const people = db.prepare('SELECT count(*) AS n FROM person').get() as { n: number };
const grids = db.prepare('SELECT count(*) AS n FROM grid_unit').get() as { n: number };
console.log(`Bench database: ${dataDir} (${reused ? 'reused' : 'new'}; ${streets.length} streets, ${grids.n} grids, ${people.n} people)`);


// (a) Roster page: street + active, sometimes a role filter, sorted by name or last change.
const ROLE_FILTERS: Role[] = ['household_head', 'grid_chief', 'party_member', 'volunteer'];
const RUNS = 500;
const rosterCases = Array.from({ length: RUNS + 20 }, () => ({
  orgUnitId: rng.pick(streets).id,
  status: 'active' as const,
  role: rng.chance(0.3) ? rng.pick(ROLE_FILTERS) : undefined,
  sort: rng.chance(0.5) ? ('name' as const) : ('updatedAt' as const),
  page: rng.int(1, 30),
  pageSize: 50,
}));
const roster = await timeRuns(RUNS, (i) => call('people.list', rosterCases[i]!));
const rawPage = db.prepare('SELECT * FROM person WHERE street_id = ? ORDER BY name LIMIT 50 OFFSET ?');
const rosterRaw = await timeRuns(RUNS, (i) => rawPage.all(rosterCases[i]!.orgUnitId, (rosterCases[i]!.page - 1) * 50));
results.push(
  { metric: 'roster_page_p50', value: percentile(roster, 50), unit: 'ms', target: null, baseline: percentile(rosterRaw, 50) },
  { metric: 'roster_page_p95', value: percentile(roster, 95), unit: 'ms', target: 5, baseline: percentile(rosterRaw, 95) },
);

// (b) A street's whole grid subtree (~760 grids with child counts and active members).
const TREE_RUNS = 100;
const tree = await timeRuns(TREE_RUNS, (i) => call('grid.tree', { orgUnitId: streets[i % streets.length]!.id }), 5);
const rawTree = db.prepare('SELECT * FROM grid_unit WHERE street_id = ?');
const treeRaw = await timeRuns(TREE_RUNS, (i) => rawTree.all(streets[i % streets.length]!.id), 5);
results.push(
  { metric: 'street_subtree_p50', value: percentile(tree, 50), unit: 'ms', target: null, baseline: percentile(treeRaw, 50) },
  { metric: 'street_subtree_p95', value: percentile(tree, 95), unit: 'ms', target: 20, baseline: percentile(treeRaw, 95) },
);

// (c) Durable single write: one people.update (synchronous=FULL, WAL: one fsync per commit).
const WRITE_RUNS = 300;
const targets = (db.prepare('SELECT id FROM person ORDER BY rowid LIMIT ?').all(WRITE_RUNS + 40) as { id: string }[]).map((r) => r.id);
const write = await timeRuns(WRITE_RUNS, (i) => call('people.update', { id: targets[i]!, patch: { note: `bench ${Date.now()}` } }));
const rawUpdate = db.prepare('UPDATE person SET note = ? WHERE id = ?');
const rawWrite = db.transaction((id: string) => rawUpdate.run(`raw ${Date.now()}`, id));
const writeRaw = await timeRuns(WRITE_RUNS, (i) => rawWrite(targets[i + 20]!));
results.push(
  { metric: 'durable_write_p50', value: percentile(write, 50), unit: 'ms', target: null, baseline: percentile(writeRaw, 50) },
  { metric: 'durable_write_p95', value: percentile(write, 95), unit: 'ms', target: 2, baseline: percentile(writeRaw, 95) },
);

// (d) Import dry run of one street's exported roster: the event loop is held this long.
const exported = (await call('transfer.export', { kind: 'roster', orgUnitId: streets[0]!.id })) as { base64: string };
const started = performance.now();
let job = (await call('transfer.startImport', { kind: 'roster', fileName: 'bench.xlsx', base64: exported.base64 })) as { id: string; state: string; total: number };
while (job.state === 'reading') {
  await new Promise((r) => setTimeout(r, 5));
  job = (await call('transfer.job', { id: job.id })) as typeof job;
}
const importMs = performance.now() - started;
await call('transfer.cancelImport', { id: job.id });
results.push({ metric: 'import_read_and_dry_run_per_row', value: importMs / Math.max(1, job.total), unit: 'ms', target: null, baseline: null });
console.log(`Import of ${job.total} roster rows: read + dry run ${importMs.toFixed(0)} ms (${job.state})`);

closeAppContext(ctx);
}

if (only !== 'app') {
  console.log('Sync bench: real PostgreSQL on loopback, the server as its own process (server/cli.ts) on a free port');
  results.push(...(await runSyncBench()));
}

const fmt = (n: number | null): string => (n === null ? '—' : n < 10 ? n.toFixed(3) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
const met = (r: BenchRow): boolean => (r.higherIsBetter ? r.value >= r.target! : r.value <= r.target!);
const table = results.map((r) => {
  const ratio = r.baseline ? r.value / r.baseline : null;
  return {
    metric: r.metric,
    value: fmt(r.value),
    unit: r.unit,
    target: r.target === null ? '—' : `${r.higherIsBetter ? '≥' : '≤'} ${r.target}`,
    baseline: fmt(r.baseline),
    ratio: ratio === null ? '—' : ratio < 0.1 ? `${ratio.toFixed(3)}×` : `${ratio.toFixed(1)}×`,
    result: r.target === null ? '' : met(r) ? 'pass' : 'MISS',
  };
});
console.log(`\nGridDesk bench — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} — node ${process.version}`);
console.table(table);

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
const latest = `${outDir}latest.json`;
const previous = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
const json = {
  ...previous,
  ...Object.fromEntries(
    results.map((r) => [r.metric, { value: r.value, unit: r.unit, baseline: r.baseline, ratio: r.baseline ? r.value / r.baseline : null }]),
  ),
};
mkdirSync(outDir, { recursive: true });
writeFileSync(latest, `${JSON.stringify(json, null, 2)}\n`);
console.log(`Written: bench/results/latest.json`);
