import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Chaos suites (npm run test:chaos): long-running, real processes, one file at a time.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['tests/chaos/**/*.test.ts'],
    environment: 'node',
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
