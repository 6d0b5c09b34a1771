/* global process, URL */
// `npm start` runs this first: it builds (npm run build) only when dist/ is missing or older
// than a source, so a checkout just built by `npm ci` starts at once. `--stamp` records a build.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../../', import.meta.url).pathname
const stamp = join(root, 'dist', '.build-stamp')

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
  process.exit(0)
}

const SOURCE_DIRS = [
  'schemas',
  'query-dsl',
  'collectors',
  'shredder',
  'batch',
  'speed',
  'serving',
  'infra',
  'bench',
]
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']

/** The newest modification time of the sources (ms), skipping what the build does not read. */
function newestSource() {
  let newest = 0
  const visit = (path) => {
    const s = statSync(path)
    if (s.isDirectory()) {
      for (const name of readdirSync(path))
        if (name !== 'node_modules' && name !== 'dist' && !name.startsWith('.'))
          visit(join(path, name))
    } else newest = Math.max(newest, s.mtimeMs)
  }
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) visit(join(root, d))
  for (const f of SOURCE_FILES)
    if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs)
  return newest
}

const built = existsSync(stamp) && existsSync(join(root, 'dist', 'infra', 'bin', 'sluice.js'))
if (built && statSync(stamp).mtimeMs >= newestSource()) process.exit(0)
process.stderr.write(built ? 'sources changed since the last build: building…\n' : 'building…\n')
const run = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
process.exit(run.status ?? 1)
