import { afterAll, beforeAll, describe, it } from 'vitest';
import { pgBackend, type Backend } from './backend';
import { expectRunPasses, TEST_RUN_TIMEOUT_MS } from './run';
import { PG_EDIT_SEEDS, PG_GRID_SEEDS, PG_SEEDS } from './seeds';

// The same runs against real PostgreSQL with TWO server processes on one database, requests
// alternating between them: whatever a server kept only in memory would show here. Skipped
// only when GRIDDESK_SKIP_PG=1 says so (like test/server).

const skip = process.env.GRIDDESK_SKIP_PG === '1';
let backend: Backend;
beforeAll(async () => {
  if (!skip) backend = await pgBackend();
}, 60_000);
afterAll(async () => {
  await backend?.close();
}, 30_000);

describe.skipIf(skip)('seeded fault runs (PostgreSQL, two server processes)', () => {
  const timeout = TEST_RUN_TIMEOUT_MS;
  it.each(PG_SEEDS)('seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed));
  it.each(PG_GRID_SEEDS)('grids seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed, 'grids'));
  it.each(PG_EDIT_SEEDS)('edits seed %i keeps every invariant', { timeout }, (seed) => expectRunPasses(backend, seed, 'edits'));
});
