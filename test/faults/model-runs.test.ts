import { afterAll, beforeAll, describe, it } from 'vitest';
import { pgliteBackend, type Backend } from './backend';
import { failureReport, runScenario } from './run';
import { FIXED_SEEDS, GRID_SEEDS } from './seeds';

// The seeded, model-based fault suite (docs/testing-faults.md): 200 fixed seeds, each a fresh
// street with 2-3 stations behind fault proxies, against one in-process server on PGlite; and
// 40 of the `grids` mix, where stations race over grid moves and retirements (commands).
// A failure prints its seed, the one-line replay command and a trace of ops and faults.

let backend: Backend;
beforeAll(async () => {
  backend = await pgliteBackend();
});
afterAll(async () => {
  await backend.close();
});

describe('seeded fault runs (PGlite)', () => {
  it.each(FIXED_SEEDS)('seed %i keeps every invariant', async (seed) => {
    const result = await runScenario(backend, seed);
    if (result.violations.length > 0) throw new Error(failureReport(result));
  });
  it.each(GRID_SEEDS)('grids seed %i keeps every invariant', async (seed) => {
    const result = await runScenario(backend, seed, { mix: 'grids' });
    if (result.violations.length > 0) throw new Error(failureReport(result));
  });
});
