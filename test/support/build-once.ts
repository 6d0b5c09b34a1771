import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './shared-data.js'

/**
 * Vitest global setup: compiles the tree to dist/ and builds the console, so the tests that run
 * the real `sluice` binary (and the browser test) exercise the code under test, not a stale build.
 */
export default function setup(): void {
  const run = (script: string, ...args: string[]): void => {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', ...script.split('/')), ...args],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    )
  }
  run('typescript/bin/tsc', '-p', 'tsconfig.build.json')
  run('vite/bin/vite.js', 'build', '--config', 'serving/console/vite.config.js')
}
