import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    // A page under load (2 cores, a server and Chromium) can take seconds to settle: polls wait
    // up to 10 s for the state they expect instead of the default 1 s.
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});
