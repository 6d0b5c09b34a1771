import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // The real-data suites read ~80k records through the full normalize+augment path.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
