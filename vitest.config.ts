import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'plugins/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
    // Process tests spawn `sekisho` several times per test; on a busy 2-core machine one such test
    // takes 15-20 s. A timeout only bounds a hang, so it is set well above that.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
