// Replay view: the history adapters read the paper exchange's K-lines over HTTP, the levels go
// through lib/market's replay, and errors come back typed (bad levels, unknown code, source down).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { parseEnv } from '@/lib/env'
import { AppError, ValidationError } from '@/lib/errors'
import { replayRequestSchema } from '@/lib/schemas/replay'
import { replayView } from '@/lib/services/views/replay'
import { providers } from '../helpers/db'
import { fixtureText } from '../quotes/helpers/fixtures'
import { at, useWebDb } from './helpers'

describe.each(providers())('replay view (%s)', (provider) => {
  useWebDb(provider)
  let ex: PaperExchangeHandle
  // A stand-in for the real sources answering "unknown code" (the paper exchange knows every valid code).
  let rejecting: http.Server
  let rejectUrl = ''
  beforeAll(async () => {
    ex = await startPaperExchange({ port: 0, bridgePort: 0, start: at(15, 30), paused: true })
    rejecting = http.createServer((req, res) => res.end(fixtureText(req.url!.startsWith('/api/') ? 'eastmoney_kline_rc100_null.json' : 'tencent_fqkline_param_error.json')))
    await new Promise<void>((r) => rejecting.listen(0, '127.0.0.1', () => r()))
    rejectUrl = `http://127.0.0.1:${(rejecting.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await ex?.close()
    rejecting?.close()
  })
  const env = (url = ex.url) => parseEnv({ DATABASE_URL: process.env.DATABASE_URL, HISTORY_PROVIDERS: 'tencent,eastmoney', HISTORY_TENCENT_URL: url, HISTORY_TENCENT_MINUTE_URL: url, HISTORY_EASTMONEY_URL: url, HISTORY_TIMEOUT_MS: '2000' })

  it('replays the last 20 trading days of daily bars with variants side by side', async () => {
    const last = ex.exchange.quote('600000.SH').last
    const input = replayRequestSchema.parse({ code: '600000', stopLoss: (last * 0.9).toFixed(2), takeProfit: (last * 1.2).toFixed(2), range: '20', bar: 'day', cash: 100000, variants: [{ label: '-3%', stopLoss: (last * 0.97).toFixed(2) }] })
    const v = await replayView(input, { env: env(), now: at(15, 30), locale: 'zh' })
    expect(v.barCount).toBe(20)
    expect(v.tradingDays).toBe(20)
    expect(v.lastDay).toBe('2026-09-14')
    expect(v.source).toBe('tencent')
    expect(v.adjust).toBe('qfq')
    expect(v.chart).toHaveLength(20)
    expect(v.variants.map((x) => x.label)).toEqual(['当前价位', '-3%'])
    // No entry zone: the position is bought at the first open and managed from there.
    for (const x of v.variants) expect(x.result.fills[0]).toMatchObject({ kind: 'START', side: 'buy' })
    expect(v.variants[1]!.levels.stopLoss).toBe(Number((last * 0.97).toFixed(2)))
    expect(v.variants[1]!.levels.takeProfit).toBe(v.variants[0]!.levels.takeProfit)
  })

  it('minute bars are unadjusted and say so', async () => {
    const input = replayRequestSchema.parse({ code: '600000.SH', stopLoss: '1.00', range: '20', bar: 'm5' })
    const v = await replayView(input, { env: env(), now: at(15, 30), locale: 'en' })
    expect(v.adjust).toBe('none')
    expect(v.barCount).toBe(20 * 48)
  })

  it('refuses levels in the wrong order, with the market rule text, and no levels at all', async () => {
    const bad = replayRequestSchema.parse({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.20', stopLoss: '9.10', range: '20' })
    await expect(replayView(bad, { env: env(), now: at(15, 30), locale: 'en' })).rejects.toBeInstanceOf(ValidationError)
    const none = replayRequestSchema.parse({ code: '600000.SH', range: '20' })
    await expect(replayView(none, { env: env(), now: at(15, 30), locale: 'en' })).rejects.toMatchObject({ fields: { levels: [expect.stringContaining('at least one level')] } })
  })

  it('an unknown code is a 422, a source that is down a 502', async () => {
    const unknown = replayRequestSchema.parse({ code: '600999.SH', stopLoss: '1.00', range: '20' })
    await expect(replayView(unknown, { env: env(rejectUrl), now: at(15, 30), locale: 'en' })).rejects.toMatchObject({ status: 422, message: 'replay.unknownCode' })
    const down = replayRequestSchema.parse({ code: '600000.SH', stopLoss: '1.00', range: '20' })
    const err = await replayView(down, { env: env('http://127.0.0.1:1'), now: at(15, 30), locale: 'en' }).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ status: 502, message: 'replay.sourceDown' })
  })

  it('the schema requires both dates for a date range, in order, at most 800 days', () => {
    expect(replayRequestSchema.safeParse({ code: '600000.SH', range: 'dates', start: '2026-09-01' }).success).toBe(false)
    expect(replayRequestSchema.safeParse({ code: '600000.SH', range: 'dates', start: '2026-09-10', end: '2026-09-01' }).success).toBe(false)
    expect(replayRequestSchema.safeParse({ code: '600000.SH', range: 'dates', start: '2023-01-01', end: '2026-09-01' }).success).toBe(false)
    expect(replayRequestSchema.safeParse({ code: '600000.SH', range: 'dates', start: '2026-08-01', end: '2026-09-01' }).success).toBe(true)
    expect(replayRequestSchema.safeParse({ code: '600000.SH', bar: 'm2' }).success).toBe(false)
    expect(replayRequestSchema.safeParse({ code: '600000.SH', variants: [1, 2, 3, 4, 5].map((i) => ({ label: `v${i}` })) }).success).toBe(false)
  })
})
