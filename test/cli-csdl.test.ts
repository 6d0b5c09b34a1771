import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compile, matchDefinition, streamHash } from '../query-dsl/index.js'
import { encodeInteraction } from '../schemas/index.js'
import { interactionsOf } from './support/normalized-corpus.js'
import { REPO_ROOT } from './support/shared-data.js'
import { tempDir } from './support/temp-dir.js'

const BIN = join(REPO_ROOT, 'dist', 'infra', 'bin', 'sluice.js')
const tmp = tempDir('csdl')
const dir = tmp.path
afterAll(() => tmp.remove())

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function sluice(
  args: readonly string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: input ?? '' })
}

describe('sluice csdl validate', () => {
  it('prints the hash and DPU of a valid definition, exit 0', () => {
    const source =
      'interaction.content contains_any "rugby, cycling" // sports\nand language.tag == "en"'
    const r = sluice(['csdl', 'validate', file('ok.csdl', source)])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`hash ${streamHash(source)}\ndpu 0.3\n`)
  })

  it('prints LINE:COL: message per error, exit 1', () => {
    const r = sluice(
      ['csdl', 'validate', '-'],
      'interactin.content contains "x" and\ntwitter.text contians "y" and interaction.geo geo_radius "95,0:5"',
    )
    expect(r.status).toBe(1)
    expect(r.stdout.trim().split('\n')).toEqual([
      '1:1: The target interactin.content does not exist (did you mean interaction.content?).',
      '2:14: "contians" is not a CSDL operator (did you mean contains?).',
      expect.stringMatching(/^2:58: Latitude 95 is out of range/),
    ])
  })

  it('resolves stream references and dynamic lists given on the command line', () => {
    const inner = 'interaction.content contains "rugby"'
    const h = streamHash(inner)
    const r = sluice(
      [
        'csdl',
        'validate',
        '--json',
        '--stream',
        `${h}=${file('inner.csdl', inner)}`,
        '--list',
        `vips=${file('vips.txt', 'a\nb\n')}`,
        '-',
      ],
      `stream "${h}" and twitter.user.screen_name list_in "vips"`,
    )
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as {
      hash: string
      dpu: number
      detail: Record<string, unknown>
    }
    expect(out.dpu).toBeGreaterThan(0.2)
    expect(Object.keys(out.detail)).toEqual(expect.arrayContaining(['stream', 'list_in']))
  })

  it('fails with status 2 naming a missing file', () => {
    const r = sluice(['csdl', 'validate', join(dir, 'nope.csdl')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no such file')
  })
})

describe('sluice csdl match', () => {
  it('writes one line per input with the matching hashes and tags, as the library decides', () => {
    const f1 = 'interaction.content contains_any "coronavirus, covid" and language.tag == "en"'
    const f2 =
      'tag "who" { interaction.author.username == "WHO" }\ntag.topic.score +2 { interaction.hashtags exists }\nreturn { interaction.content contains "health" }'
    const interactions = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 1500)
    const input = `${interactions.map(encodeInteraction).join('\n')}\nnot json\n[1]\n`
    const r = sluice(
      ['csdl', 'match', '--filter', file('f1.csdl', f1), '--filter', file('f2.csdl', f2), '-'],
      input,
    )
    expect(r.status).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string | null
            matches: string[]
            tags: Record<string, unknown>
            error?: string
          },
      )
    expect(lines).toHaveLength(interactions.length + 2)
    const defs = [f1, f2].map((s) => {
      const c = compile(s)
      if (!c.ok) throw new Error('does not compile')
      return c.definition
    })
    let matched = 0
    interactions.forEach((i, k) => {
      const line = lines[k]
      const decoded = JSON.parse(encodeInteraction(i)) as unknown
      const expected = defs.map((d) => matchDefinition(d, decoded)).filter((m) => m !== undefined)
      expect(line?.id).toBe(i.interaction?.id)
      expect(line?.matches).toEqual(expected.map((m) => m.hash))
      for (const m of expected)
        if (m.tags.length > 0 || Object.keys(m.tagTree).length > 0)
          expect(line?.tags[m.hash]).toEqual({
            ...(m.tags.length > 0 ? { tags: m.tags } : {}),
            ...(Object.keys(m.tagTree).length > 0 ? { tag_tree: m.tagTree } : {}),
          })
      matched += expected.length
    })
    expect(matched).toBeGreaterThan(50)
    expect(lines.slice(-2).map((l) => l.error)).toEqual([
      expect.stringMatching(/^invalid JSON/),
      'not a JSON object',
    ])
    expect(r.stderr).toMatch(/not an interaction:\s+2/)
  })

  it('refuses a filter that does not compile, with its errors', () => {
    const r = sluice(
      ['csdl', 'match', '--filter', file('bad.csdl', 'interaction.content contains'), '-'],
      '{}\n',
    )
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('1:21: The operator contains needs an argument')
  })
})
