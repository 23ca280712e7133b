import { defineConfig } from 'vitest/config';

// Integration tests talk over HTTP to real server processes (PGlite, or PostgreSQL when
// TEST_DATABASE_URL is set). Files run one at a time: the machine has two cores.
export default defineConfig({
  test: {
    include: ['tests/integration/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
