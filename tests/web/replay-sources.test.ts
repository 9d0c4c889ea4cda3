// Replay view (issue 15): DingPan's own stored 1-minute bars as a source, and the monitor's quant
// settings applied as the worker maps them (checked against the worker's own toMonitorInput /
// pricingFor / entryModeOf on the saved monitor).
import { describe, expect, it } from 'vitest'
import { parseEnv } from '@/lib/env'
import { shanghaiTime, toMilli } from '@/lib/market'
import { saveQuotes, type Bar } from '@/lib/db/quotes'
import { loadMonitorsByIds } from '@/lib/db/monitors'
import { replayRequestSchema } from '@/lib/schemas/replay'
import { quantConfigSchema } from '@/lib/schemas/stock'
import { replayView } from '@/lib/services/views/replay'
import { replaySettingsOf } from '@/lib/services/views/replay-settings'
import { toMonitorInput } from '@/lib/services/trading/monitor-input'
import { entryModeOf, pricingFor } from '@/lib/services/trading/signals'
import { providers } from '../helpers/db'
import { at, makeStock, makeUser, useWebDb } from './helpers'

const DAY = '2026-09-14'
/** One-minute bars (minute = start, as the worker stores them) from [open, high, low, close] rows starting 09:30. */
function stored(code: string, rows: Array<[number, number, number, number]>, from = '09:30'): Bar[] {
  const t0 = shanghaiTime(DAY, from).getTime()
  return rows.map(([o, h, l, c], i) => ({ code, minute: new Date(t0 + i * 60_000), openMilli: toMilli(o), highMilli: toMilli(h), lowMilli: toMilli(l), closeMilli: toMilli(c) }))
}

describe.each(providers())('replay sources and settings (%s)', (provider) => {
  useWebDb(provider)
  // No history source is reachable: the stored source must not need one.
  const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, HISTORY_PROVIDERS: 'tencent', HISTORY_TENCENT_URL: 'http://127.0.0.1:1', HISTORY_TENCENT_MINUTE_URL: 'http://127.0.0.1:1', HISTORY_EASTMONEY_URL: 'http://127.0.0.1:1', HISTORY_TIMEOUT_MS: '500' })
  const deps = { env, now: at(15, 30), locale: 'en' as const }
  const ROWS: Array<[number, number, number, number]> = [
    [10.2, 10.25, 10.1, 10.1],
    [10.1, 10.1, 9.95, 9.96],
    [9.96, 9.99, 9.9, 9.92],
    [9.92, 10, 9.9, 10],
    [10, 10.05, 9.98, 10.02],
    [10.02, 10.6, 10.02, 10.55],
  ]

  it("replays DingPan's stored 1-minute bars, merged into the asked bar size, and says how long they are kept", async () => {
    await saveQuotes([], stored('600000.SH', ROWS), new Date())
    const m1 = await replayView(replayRequestSchema.parse({ code: '600000', entryLow: '9.80', entryHigh: '10.00', takeProfit: '10.50', stopLoss: '9.50', range: '20', bar: 'm1', source: 'stored' }), deps)
    expect(m1).toMatchObject({ source: 'stored', adjust: 'none', storedDays: 10, barCount: 6, tradingDays: 1, firstDay: DAY, lastDay: DAY })
    // Bar time is the minute's end.
    expect(m1.chart[0]!.t * 1000).toBe(shanghaiTime(DAY, '09:31').getTime())
    const r = m1.variants[0]!.result
    expect(r.fills.map((f) => [f.side, f.kind, f.price])).toEqual([['buy', 'ENTRY', 10]])
    // Bought today: the take-profit reached in the last minute waits for T+1.
    expect(r.triggers.map((t) => [t.kind, t.action])).toEqual([
      ['ENTRY', 'order'],
      ['TAKE_PROFIT', 'deferred'],
    ])
    const m5 = await replayView(replayRequestSchema.parse({ code: '600000', stopLoss: '9.50', range: '20', bar: 'm5', source: 'stored' }), deps)
    expect(m5.barCount).toBe(2)
    expect(m5.chart[0]).toMatchObject({ o: 10.2, h: 10.25, l: 9.9, c: 10.02, t: shanghaiTime(DAY, '09:35').getTime() / 1000 })
  })

  it('no stored bars in the range is a clear 422', async () => {
    const err = await replayView(replayRequestSchema.parse({ code: '000001.SZ', stopLoss: '9.50', range: '20', bar: 'm1', source: 'stored' }), deps).catch((e) => e)
    expect(err).toMatchObject({ status: 422, code: 'replay_no_stored_bars', message: 'replay.noStoredBars', params: { days: 10 } })
  })

  it("the monitor's anti-spike count applies: 2 fires later than 1 on the same stored bars", async () => {
    await saveQuotes([], stored('600001.SH', ROWS), new Date())
    const run = (antiSpikeCount: string) =>
      replayView(replayRequestSchema.parse({ code: '600001', entryLow: '9.80', entryHigh: '10.00', takeProfit: '10.50', stopLoss: '9.50', range: '20', bar: 'm1', source: 'stored', quant: { antiSpikeCount, entryPriceMode: 'TRIGGER_PRICE', maxPositionPct: '100', minTradeAmount: '0' } }), deps)
    const [one, two] = await Promise.all([run('1'), run('2')])
    expect(one.settingsApplied).toBe(true)
    const t1 = one.variants[0]!.result.triggers[0]!
    const t2 = two.variants[0]!.result.triggers[0]!
    expect([t1.kind, t2.kind]).toEqual(['ENTRY', 'ENTRY'])
    expect(Date.parse(t2.time)).toBeGreaterThan(Date.parse(t1.time))
  })

  it('a relative stop −5 % from the form resolves against the modelled fill', async () => {
    await saveQuotes([], stored('600002.SH', [[10.2, 10.2, 10, 10.05], [10.05, 10.05, 9.6, 9.7], [9.7, 9.7, 9.45, 9.6]]), new Date())
    const v = await replayView(replayRequestSchema.parse({ code: '600002', entryLow: '9.80', entryHigh: '10.00', stopLossPct: '5', takeProfitPct: '8', range: '20', bar: 'm1', source: 'stored', quant: { entryPriceMode: 'TRIGGER_PRICE', maxPositionPct: '100' } }), deps)
    const r = v.variants[0]!.result
    expect(r.fills[0]).toMatchObject({ side: 'buy', price: 10 })
    // T+1: the stop at 9.50 (5 % under the 10.00 fill, not under the zone's 9.80) is deferred today.
    expect(r.triggers.find((t) => t.kind === 'STOP_LOSS')).toMatchObject({ level: 9.5, action: 'deferred' })
  })

  it('the replay settings equal what the worker derives from the saved monitor', async () => {
    const user = await makeUser()
    const quant = {
      autoTrade: false,
      maxPositionPct: '35',
      minTradeAmount: '3000',
      entryPriceMode: 'LATEST_OFFSET',
      entryOffsetTicks: '2',
      exitPriceMode: 'TRIGGER_PRICE',
      exitOffsetTicks: '1',
      stopLossPriceMode: 'MARKET',
      stopLossOffsetTicks: '4',
      unfilledTimeoutSec: '90',
      antiSpikeCount: '3',
      hysteresisPct: '0.7',
      renotifyCooldownSec: '300',
      autoStopLoss: false,
      entryQtyMode: 'AMOUNT',
      entryQty: '20000',
    }
    const s = await makeStock(user, { code: '600003.SH', takeProfit: '', takeProfitPct: '8', stopLoss: '', stopLossPct: '5', quant } as never)
    const [row] = await loadMonitorsByIds([s.id])
    const mi = toMonitorInput(row!, null, { maxQuoteAgeSec: 30, auctions: false })
    const mine = replaySettingsOf(quantConfigSchema.parse(quant), { takeProfitPct: 0.08, stopLossPct: 0.05 })
    expect(mine.options).toEqual({ ...mi.options, maxQuoteAgeSec: undefined, allowAuctions: false } as never)
    for (const k of ['ENTRY', 'TAKE_PROFIT', 'STOP_LOSS', 'TRAILING_STOP'] as const) expect(mine.pricing[k]).toEqual(pricingFor(row!, k))
    expect(mine.entryMode).toEqual(entryModeOf(row!.quantConfig))
    expect(mine.maxPositionPct).toBe(row!.quantConfig!.maxPositionBp / 10_000)
    expect(mine.minTradeAmount).toBe(row!.quantConfig!.minTradeAmountYuan)
    expect(mine.unfilledTimeoutSec).toBe(row!.quantConfig!.unfilledTimeoutSec)
    expect(mine.relative).toEqual({ takeProfitBp: row!.takeProfitBp, stopLossBp: row!.stopLossBp })
    expect([mine.autoStopLoss, mine.autoTakeProfit]).toEqual([mi.autoStopLoss, mi.autoTakeProfit])
  })
})
