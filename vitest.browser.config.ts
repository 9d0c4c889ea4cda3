import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Browser tests: a real build of the app, the worker and the paper exchange, driven by Chromium.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['tests/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
