import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (no "exports" map) for graphql-yoga; Vite would pick
    // its ESM build ("module") for our code: two GraphQLError classes, and yoga would mask
    // every error we throw as unexpected. One copy, as in production.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['**/*.test.ts'],
    // Builds dist/ once so tests of the `sluice` binary run the code under test.
    globalSetup: ['test/support/build-once.ts'],
    // Test files share a worker's module cache, so the real corpus is normalized and the
    // language model loaded once per worker instead of once per file (test/support caches).
    isolate: false,
    exclude: ['node_modules/**', 'dist/**'],
    // The real-data suites read ~80k records through the full normalize+augment path.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
