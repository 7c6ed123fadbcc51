import { defineConfig } from 'vitest/config';

// The real CLIs take seconds per run and share 2 cores: one file, one test at a time.
export default defineConfig({
  test: {
    include: ['*.e2e.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
