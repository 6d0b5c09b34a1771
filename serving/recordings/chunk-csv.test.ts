import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { parse } from 'csv-parse/sync'
import { afterAll, describe, expect, it } from 'vitest'
import { recordsToCsv } from './chunk-csv.js'

/** Contents that break CSV written carelessly: every kind of line break, quotes, commas, emoji. */
const CONTENTS = [
  'plain',
  'two\nlines',
  'windows\r\nline',
  'old mac\rline',
  'a "quoted" word',
  'commas, here, and there',
  'emoji 😀🇫🇷 and "all", at\nonce\r\n',
  '',
  '"starts with a quote',
  'trailing spaces   ',
]

const FIELDS = ['interaction.id', 'interaction.content', 'interaction.hashtags']

const records = CONTENTS.map((content, n) =>
  JSON.stringify({
    interaction: { id: `id-${n}`, content, hashtags: n % 2 === 0 ? ['a', 'b,c'] : [] },
  }),
)

describe('recordsToCsv (RFC 4180)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-csv-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const csv = recordsToCsv(records, FIELDS)

  it('ends every record with CRLF and quotes every field that holds CR, LF, a quote or a comma', () => {
    expect(csv.endsWith('\r\n')).toBe(true)
    // Outside quoted fields there is no line break but the CRLF between records.
    const unquoted = csv.replace(/"(?:[^"]|"")*"/g, '')
    expect(unquoted.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    expect(unquoted.split('\r\n').length - 1).toBe(records.length + 1)
  })

  it('reads back field for field with csv-parse held to CRLF records', () => {
    const rows = parse<Record<string, string>>(csv, {
      columns: true,
      record_delimiter: '\r\n',
      relax_quotes: false,
    })
    expect(rows.map((r) => r['interaction.content'])).toEqual(CONTENTS)
    expect(rows[0]?.['interaction.hashtags']).toBe('["a","b,c"]')
  })

  it("reads back field for field with DuckDB's read_csv and Python's csv module", async () => {
    const file = join(dir, 'records.csv')
    writeFileSync(file, csv)
    const duck = await (await DuckDBInstance.create(':memory:')).connect()
    try {
      const rows = (
        await duck.runAndReadAll(
          `SELECT "interaction.content" FROM read_csv('${file}', header = true, all_varchar = true) ORDER BY "interaction.id"`,
        )
      ).getRows() as [string | null][]
      // DuckDB reads an empty field as NULL.
      expect(rows.map(([c]) => c ?? '')).toEqual(CONTENTS)
    } finally {
      duck.closeSync()
    }
    const python = spawnSync(
      'python3',
      [
        '-c',
        'import csv,json,sys\nwith open(sys.argv[1], newline="", encoding="utf-8") as f:\n  print(json.dumps([r["interaction.content"] for r in csv.DictReader(f)]))',
        file,
      ],
      { encoding: 'utf8' },
    )
    expect(python.stderr).toBe('')
    expect(JSON.parse(python.stdout) as string[]).toEqual(CONTENTS)
  })
})
