import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteBackend, type Backend } from './backend';
import { expectRunPasses, runBounded, RunHung, TEST_RUN_TIMEOUT_MS } from './run';
import { EDIT_SEEDS, FIXED_SEEDS, GRID_SEEDS } from './seeds';

// The seeded, model-based fault suite (docs/testing-faults.md): 200 fixed seeds, each a fresh
// street with 2-3 stations behind fault proxies, against one in-process server on PGlite; and
// 40 of the `grids` mix, where stations race over grid moves and retirements (commands); and 60
// of the `edits` mix, where they edit the same few records, so conflicts are reviewed under faults.
// A failure prints its seed, the one-line replay command and a trace of ops and faults.

let backend: Backend;
beforeAll(async () => {
  backend = await pgliteBackend();
});
afterAll(async () => {
  await backend.close();
});

describe('seeded fault runs (PGlite)', () => {
  it('a run with no result in time fails with its seed, replay line, trace so far and open handles', async () => {
    // 5 ms: the run is still enrolling its stations (it goes on, in a street of its own, and ends by itself)
    const hung = await runBounded(backend, 4711, { mix: 'grids' }, 5).catch((error: unknown) => error);
    expect(hung).toBeInstanceOf(RunHung);
    const report = (hung as RunHung).message;
    expect(report).toContain('HUNG seed 4711 (pglite): no result after 0.005 s');
    expect(report).toContain('replay: npm run test:faults -- --seed 4711 --mix grids');
    expect(report).toMatch(/trace so far:\n {2}seed 4711 \(grids\): \d stations/);
    // (a station's line, `S0: push 3/8, 8 pending, last error …; last requests: …`, comes once it has enrolled)
    expect(report).toContain('stations:\n  none enrolled yet');
    expect(report).toMatch(/waiting on: .*\w/);
  });
  const timeout = TEST_RUN_TIMEOUT_MS;
  it.each(FIXED_SEEDS)('seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed));
  it.each(GRID_SEEDS)('grids seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed, 'grids'));
  it.each(EDIT_SEEDS)('edits seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed, 'edits'));
});
