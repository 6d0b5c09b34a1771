import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openMatchChannel } from '../../infra/adapters/open-match-channel.js'
import { parseQueueUrl, type QueueConfig } from '../../infra/config/adapter-urls.js'
import type { LaunchedProcess } from '../../infra/launchers/launched-process.js'
import { startRedis } from '../../infra/launchers/redis-launcher.js'
import { encodeInteraction, type Interaction } from '../../schemas/index.js'
import { ALL_STREAMS, type MatchChannel, type MatchMessage } from '../../schemas/ports/index.js'
import { chosenAdapters } from '../support/adapter-choice.js'
import { interactionsOf } from '../support/normalized-corpus.js'
import { until } from '../support/until.js'

const ADAPTERS = chosenAdapters('SLUICE_TEST_QUEUES', ['memory', 'redis'] as const)
const tweets: readonly Interaction[] = interactionsOf('twitter-v1-sample.jsonl.gz').slice(0, 30)

describe.each(ADAPTERS)('MatchChannel contract: %s', (adapter) => {
  let redis: { process: LaunchedProcess; url: string } | undefined
  const opened: MatchChannel[] = []
  const config = (): QueueConfig =>
    adapter === 'memory'
      ? { kind: 'memory' }
      : parseQueueUrl('queue', `${redis?.url ?? ''}?prefix=m${randomUUID()}`)

  beforeAll(async () => {
    if (adapter === 'redis') redis = await startRedis()
  })
  afterAll(async () => {
    for (const c of opened) await c.close()
    await redis?.process.stop()
  })

  it('delivers a stream’s matches to its subscribers, in order, and every match to `*`', async () => {
    const channel = openMatchChannel(config())
    opened.push(channel)
    const a: MatchMessage[] = []
    const b: MatchMessage[] = []
    const all: MatchMessage[] = []
    await channel.subscribe('a', (m) => a.push(m))
    await channel.subscribe('b', (m) => b.push(m))
    await channel.subscribe(ALL_STREAMS, (m) => all.push(m))
    const sent = tweets.map((interaction, n) => ({ stream: n % 3 === 0 ? 'b' : 'a', interaction }))
    await channel.publish(sent)
    await until('every match delivered', () => all.length === sent.length, 10_000)
    expect(a.map((m) => m.interaction.interaction?.id)).toEqual(
      sent.filter((m) => m.stream === 'a').map((m) => m.interaction.interaction?.id),
    )
    expect(b.map((m) => m.interaction.interaction?.id)).toEqual(
      sent.filter((m) => m.stream === 'b').map((m) => m.interaction.interaction?.id),
    )
    expect(all.map((m) => m.stream)).toEqual(sent.map((m) => m.stream))
    // The interaction arrives whole (compared in Sluice's JSON, which leaves out empty objects).
    const first = sent.find((m) => m.stream === 'a')?.interaction as Interaction
    expect(encodeInteraction(a[0]?.interaction as Interaction)).toBe(encodeInteraction(first))
  })

  it('stops delivering to a subscriber once it unsubscribes', async () => {
    const channel = openMatchChannel(config())
    opened.push(channel)
    const kept: MatchMessage[] = []
    const dropped: MatchMessage[] = []
    await channel.subscribe('s', (m) => kept.push(m))
    const stop = await channel.subscribe('s', (m) => dropped.push(m))
    await channel.publish([{ stream: 's', interaction: tweets[0] as Interaction }])
    await until('both subscribers served', () => kept.length === 1 && dropped.length === 1, 10_000)
    await stop()
    await channel.publish([{ stream: 's', interaction: tweets[1] as Interaction }])
    await until('the second match', () => kept.length === 2, 10_000)
    expect(dropped).toHaveLength(1)
  })
})
