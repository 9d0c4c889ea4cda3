import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// The API fuzz (10,000 generated requests against the built app): part of `npm run test:chaos`,
// too slow for every `npm test`. Needs `next build` first, like the browser suite.
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['tests/fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
