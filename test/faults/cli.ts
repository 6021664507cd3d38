import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { MIXES, type Mix } from './model';

// npm run test:faults -- --runs N [--pg] [--mix grids|edits] [--trace]   N random seeds beyond the fixed CI set
// npm run test:faults -- --seed S [--pg] [--mix grids|edits] [--trace]   replay one seed (prints its trace)
// --pg: PostgreSQL (GRIDDESK_TEST_PG_URL) with two server processes instead of PGlite in-process.
// --mix grids: writes mostly draw, move and retire grids and give duties on them; --mix edits:
// stations edit the same few grids and people between syncs (conflicts). test/faults/model.ts MIXES.
// Exit code 1 when any run breaks an invariant; each failure prints its seed and replay line.

const USAGE = 'usage: npm run test:faults -- (--runs N | --seed S) [--pg] [--mix roster|grids|edits] [--trace]';
const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string', multiple: true },
    pg: { type: 'boolean', default: false },
    mix: { type: 'string', default: 'roster' },
    trace: { type: 'boolean', default: false },
  },
  strict: true,
});

const seeds: number[] = (values.seed ?? []).map(Number);
const mix = values.mix as Mix;
if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0) || !Object.hasOwn(MIXES, mix)) {
  console.error(USAGE);
  process.exit(2);
}
if (values.runs !== undefined) {
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(USAGE);
    process.exit(2);
  }
  // beyond the fixed CI seeds (test/faults/seeds.ts): fresh ones each time
  for (let i = 0; i < runs; i++) seeds.push(randomInt(1_000_000, 2 ** 31 - 1));
}
if (seeds.length === 0) {
  console.error(USAGE);
  process.exit(2);
}

// the logger level is read when the modules load: quiet unless asked
process.env.GRIDDESK_LOG_LEVEL ??= 'silent';
const { openBackend } = await import('./backend');
const { failureReport, runBounded, RunHung } = await import('./run');

const kind = values.pg ? 'pg' : 'pglite';
/**
 * Runs per database: each run adds a street or two, and a district has 900 street codes (the
 * statistical code's three digits); a fresh database also keeps PGlite's memory bounded.
 */
const RUNS_PER_DATABASE = 300;
let backend = await openBackend(kind);
const failed: number[] = [];
const started = Date.now();
/** A run bounded by its own deadlines (30 s drains, six review rounds) ends well within this. */
const HUNG_MS = 5 * 60_000;
try {
  for (const [i, seed] of seeds.entries()) {
    if (i > 0 && i % RUNS_PER_DATABASE === 0) {
      await backend.close();
      backend = await openBackend(kind);
    }
    // a run that never ends must still say which seed it was, where it stood and what it waits on
    const result = await runBounded(backend, seed, { mix }, HUNG_MS).catch((error: unknown) => {
      if (!(error instanceof RunHung)) throw error;
      console.log(`${i + 1}/${seeds.length} ${error.message}`);
      if (failed.length > 0) console.log(`failing seeds before it: ${failed.join(' ')}`);
      process.exit(1);
    });
    const ok = result.violations.length === 0;
    const { ops, stations, faults } = result.stats;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${i + 1}/${seeds.length} seed ${seed}  ${stations} stations ${ops} ops ${faults} faults  ${result.ms} ms`);
    if (!ok) {
      failed.push(seed);
      console.log(failureReport(result));
    } else if (values.trace) {
      console.log(result.trace.map((l) => `  ${l}`).join('\n'));
    }
  }
} finally {
  await backend.close();
}
console.log(`\n${seeds.length - failed.length}/${seeds.length} runs passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${backend.name}, ${mix})`);
if (failed.length > 0) console.log(`failing seeds: ${failed.join(' ')}`);
// a run that failed mid-request may leave a socket or timer behind: do not wait for it
process.exit(failed.length > 0 ? 1 : 0);
