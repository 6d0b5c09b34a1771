// @ts-check
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'

// The console is served by `sluice serve` at /console from dist/console (see serving/http/console-files.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // One bundle for an admin console is fine; the editor and charts are most of it.
    chunkSizeWarningLimit: 2000,
  },
})
