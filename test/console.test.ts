import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../infra/launchers/chromium-launcher.js'
import { REPO_ROOT } from './support/shared-data.js'
import { startStack, type StackProcess } from './support/stack-process.js'
import { tempDir } from './support/temp-dir.js'

/** How long the page may take to show what the API answered (shared, loaded machines). */
const UI_WAIT = { timeout: 15_000 }

/** Where the run leaves its screenshots of the console's main views. */
const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'console')

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

describe('the web console, in Chromium, against the running stack', () => {
  const dir = tempDir('console-e2e')
  let stack: StackProcess | undefined
  let browser: Browser | undefined
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
    dir.remove()
  })

  it('signs in, marks a filter error where it is, previews, saves, charts, replays and downloads', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    stack = await startStack(dir.path, { rate: 300, batchEverySeconds: 8 })
    const { consoleUrl, graphql, key } = stack
    const ask = async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query, variables }),
      })
      const answer = (await res.json()) as { data?: T; errors?: unknown[] }
      expect(answer.errors).toBeUndefined()
      return answer.data as T
    }

    browser = await launchChromium()
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))

    // Sign in: a wrong key is refused, the real one lets you in.
    await page.goto(consoleUrl)
    await page.getByLabel('API key').fill('sluice_not_a_key')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect
      .poll(() => page.getByRole('alert').textContent(), UI_WAIT)
      .toMatch(/unknown or revoked/)
    await shoot(page, '1-sign-in')
    await page.getByLabel('API key').fill(key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Filter' }).waitFor()

    // A filter with a misspelt operator on its second line: marked there, as the API places it.
    const broken = 'language.tag == "en"\nand interaction.content contians "the"'
    await page.locator('.cm-content').click()
    await page.keyboard.type(broken)
    expect(await page.locator('.cm-content').innerText()).toBe(broken)
    const expected = await ask<{
      validateCsdl: { errors: { line: number; column: number; message: string }[] }
    }>('query($c: String!) { validateCsdl(csdl: $c) { errors { line column message } } }', {
      c: broken,
    })
    const [error] = expected.validateCsdl.errors
    if (error === undefined) throw new Error('the API found no error in the broken filter')
    expect(error).toMatchObject({ line: 2, column: 25 })
    const errors = page.getByTestId('csdl-errors')
    await expect
      .poll(() => errors.textContent(), UI_WAIT)
      .toContain(`${error.line}:${error.column}`)
    expect(await errors.textContent()).toContain(error.message)
    const marked = page.locator('.cm-lintRange-error')
    await marked.first().waitFor()
    expect(await marked.count()).toBe(1)
    expect(await marked.textContent()).toBe('contians')
    // The gutter marks the second line, and only it.
    const gutterMarks = page.locator('.cm-gutter-lint .cm-gutterElement:has(.cm-lint-marker-error)')
    await expect.poll(() => gutterMarks.count(), UI_WAIT).toBe(1)
    const markerBox = await gutterMarks.boundingBox()
    const lineTwoBox = await page
      .locator('.cm-lineNumbers .cm-gutterElement', { hasText: /^2$/ })
      .boundingBox()
    expect(markerBox?.y).toBe(lineTwoBox?.y)
    await shoot(page, '2-filter-error')

    // Fix it where it is marked: the error goes, the hash and cost show.
    await marked.dblclick()
    await page.keyboard.type('contains')
    const fixed = 'language.tag == "en"\nand interaction.content contains "the"'
    expect(await page.locator('.cm-content').innerText()).toBe(fixed)
    const valid = await ask<{ validateCsdl: { hash: string; dpu: number } }>(
      'query($c: String!) { validateCsdl(csdl: $c) { hash dpu } }',
      {
        c: fixed,
      },
    )
    await page.getByTestId('csdl-valid').waitFor()
    expect(await page.getByTestId('csdl-hash').textContent()).toBe(valid.validateCsdl.hash)
    expect(await page.getByTestId('csdl-valid').textContent()).toContain(
      `${valid.validateCsdl.dpu} DPU`,
    )
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0)

    // Preview on the live firehose: matches arrive, and they are matches.
    await page.getByRole('button', { name: 'Preview', exact: true }).click()
    const arrived = page.getByTestId('preview-matches').locator('li')
    await expect.poll(() => arrived.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(5)
    for (const meta of await page.getByTestId('preview-matches').locator('.meta').allTextContents())
      expect(meta).toMatch(/· en$/)
    for (const text of await page
      .getByTestId('preview-matches')
      .locator('.content')
      .allTextContents())
      expect(text.toLowerCase()).toContain('the')
    expect(await page.getByTestId('preview-counts').textContent()).toMatch(
      /[1-9][\d,]* matched of [1-9][\d,]* interactions seen/,
    )
    await shoot(page, '3-preview')
    await page.getByRole('button', { name: 'Stop preview' }).click()

    // Save it: the stream's page charts its volume, non-zero once the speed layer counts it.
    await page.getByLabel('Stream name').fill('english the')
    await page.getByRole('button', { name: 'Save as stream' }).click()
    await page.waitForURL(new RegExp(`#/streams/${valid.validateCsdl.hash}$`))
    await page.getByRole('heading', { name: 'english the' }).waitFor()
    const total = page.getByTestId('stream-total')
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click()
          return Number((await total.textContent())?.replace(/,/g, ''))
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toBeGreaterThan(0)
    await page.getByRole('img', { name: 'stream volume over time' }).waitFor()
    await shoot(page, '4-stream')

    // A replay of the saved stream: estimated first, then run, then downloaded.
    await page.goto(`${consoleUrl}#/replays`)
    await page.getByRole('heading', { name: 'Replays' }).waitFor()
    await page.getByLabel('Stream').selectOption({ label: 'english the' })
    // The archive holds the stream's matches once a shred has run; estimate until it does.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Estimate' }).click()
          const text = (await page.getByTestId('replay-estimate').textContent()) ?? ''
          return Number(/Reads ([\d,]+) partitions/.exec(text)?.[1]?.replace(/,/g, '') ?? 0)
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toBeGreaterThan(0)
    await shoot(page, '5-replay-estimate')
    await page.getByRole('button', { name: 'Start replay' }).click()
    const state = page.getByTestId('replay-state').first()
    await expect.poll(() => state.textContent(), { timeout: 90_000 }).toBe('DONE')
    const replays = await ask<{
      replays: {
        id: string
        state: string
        chunks: { name: string; records: number; sha256: string }[]
      }[]
    }>('{ replays { id state chunks { name records sha256 } } }')
    const chunk = replays.replays[0]?.chunks[0]
    if (chunk === undefined) throw new Error('the finished replay has no chunk')
    expect(chunk.records).toBeGreaterThan(0)
    await shoot(page, '6-replays')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download ${chunk.name.split('/').pop()}` }).click(),
    ])
    const saved = join(dir.path, 'replay-chunk.ndjson.gz')
    await download.saveAs(saved)
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(chunk.sha256)
    const lines = gunzipSync(readFileSync(saved)).toString('utf8').trim().split('\n')
    expect(lines).toHaveLength(chunk.records)
    for (const line of lines) {
      const record = JSON.parse(line)
      expect(record.language.tag).toBe('en')
      expect(record.sluice.streams).toContain(valid.validateCsdl.hash)
    }

    // The replay's row says what it ran.
    expect(await page.getByTestId('job-subject').first().textContent()).toBe('stream english the')

    // Recordings: none yet, and the page says so; schedule one on the saved stream (times in
    // UTC, as the tables show them), see it listed, cancel it.
    await page.goto(`${consoleUrl}#/recordings`)
    await page.getByText('No recordings yet').waitFor()
    const startInput = await page.getByLabel('Start (UTC)').inputValue()
    expect(Math.abs(Date.parse(`${startInput}:00Z`) - (Date.now() + 120_000))).toBeLessThan(120_000)
    await page.getByLabel('Stream').selectOption({ label: 'english the' })
    await page.getByLabel('Name').fill('later')
    await page.getByRole('button', { name: 'Schedule' }).click()
    const row = page.locator('tr', { hasText: 'later' })
    await expect.poll(() => row.locator('.state').textContent(), UI_WAIT).toBe('SCHEDULED')
    await shoot(page, '7-recordings')
    await row.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => row.locator('.state').textContent(), UI_WAIT).toBe('CANCELLED')

    // Back on the stream's page once a batch version has been served: the watermark is shown.
    await page.goto(`${consoleUrl}#/streams/${valid.validateCsdl.hash}`)
    const watermark = page.getByTestId('watermark')
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click()
          return watermark.textContent()
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/)
    await shoot(page, '8-stream-watermark')

    // On a phone-sized screen the navigation wraps instead of running off the page.
    await page.setViewportSize({ width: 420, height: 800 })
    // (Charts follow the width a moment later, when their resize observer runs.)
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > 421)
              .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
              .slice(0, 5),
          ),
        UI_WAIT,
      )
      .toEqual([])
    await shoot(page, '9-narrow')
    await page.setViewportSize({ width: 1280, height: 900 })
    expect((await fetch(new URL('/console/favicon.svg', consoleUrl))).status).toBe(200)

    // A part of the stack failing shows as a banner naming it, and goes once it recovers:
    // the batch layer's work folder made a file, then a folder again.
    const work = join(dir.path, 'batch-work')
    rmSync(work, { recursive: true, force: true })
    writeFileSync(work, 'not a folder')
    const banner = page.getByTestId('health-banner')
    await expect.poll(() => banner.textContent(), { timeout: 60_000 }).toMatch(/batch/)
    await shoot(page, '10-degraded')
    rmSync(work, { force: true })
    await expect
      .poll(async () => ((await banner.count()) === 0 ? '' : await banner.textContent()), {
        timeout: 90_000,
      })
      .not.toMatch(/batch/)

    expect(pageErrors).toEqual([])
  }, 300_000)

  it('runs GraphiQL with nothing reachable but the server itself', async () => {
    if (stack === undefined || browser === undefined) throw new Error('the stack is not running')
    const { graphql, key } = stack
    const context = await browser.newContext()
    const refused: string[] = []
    // Everything off loopback is refused, as on a machine without internet.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
        // The key, as a user types it into GraphiQL's headers.
        const headers = { ...route.request().headers(), 'x-api-key': key }
        return route.continue({ headers })
      }
      refused.push(url.href)
      return route.abort()
    })
    const page = await context.newPage()
    // A link to GraphiQL carries the query; its run button runs it.
    await page.goto(`${graphql}?query=${encodeURIComponent('{ me { name admin } }')}`)
    await page.getByRole('button', { name: /execute query/i }).click({ timeout: 60_000 })
    await expect
      .poll(() => page.locator('.graphiql-response, .result-window').first().textContent(), {
        timeout: 30_000,
      })
      .toMatch(/"admin":\s*true/)
    await shoot(page, '11-graphiql-offline')
    expect(refused).toEqual([])
    await context.close()
  }, 120_000)
})
