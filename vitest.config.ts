import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    // hooks start real servers (PGlite, PostgreSQL): as slow as a test on a loaded machine
    hookTimeout: 30_000,
  },
});
