import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './shared-data.js'

/**
 * Vitest global setup: compiles the tree to dist/ so the tests that run the real `sluice` binary
 * exercise the code under test, not a stale build.
 */
export default function setup(): void {
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  )
}
