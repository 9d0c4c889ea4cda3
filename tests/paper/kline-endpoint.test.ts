/**
 * The paper exchange's K-line endpoints, read through the real history adapters (lib/quotes/history)
 * over HTTP: daily, minute and Eastmoney answers agree with each other and with the live quote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHistoryService } from '@/lib/quotes/history'
import { at, DAY, startSim, type Sim } from './helpers'

let sim: Sim
beforeAll(async () => {
  sim = await startSim({ start: at('14:00') })
})
afterAll(async () => {
  await sim.close()
})

const svc = () => createHistoryService({ providers: ['tencent'], baseUrls: { tencent: sim.url, tencentMinute: sim.url } })
const em = () => createHistoryService({ providers: ['eastmoney'], baseUrls: { eastmoney: sim.url } })

describe('paper K-line endpoints', () => {
  it('daily bars end today (partial up to the market time) and agree with the minute bars', async () => {
    const daily = await svc().getBars({ code: '600000.SH', period: 'day', adjust: 'qfq', start: null, end: null, count: 20 })
    expect(daily.bars).toHaveLength(20)
    expect(daily.bars.at(-1)!.day).toBe(DAY)
    expect(daily.adjust).toBe('qfq')
    const mins = await svc().getBars({ code: '600000.SH', period: 'm1', adjust: 'none', start: DAY, end: DAY, count: 2000 })
    // 09:31 … 11:30 and 13:01 … 14:00 = 180 completed minutes at 14:00.
    expect(mins.bars).toHaveLength(180)
    expect(mins.bars[0]!.time).toEqual(at('09:31'))
    expect(mins.bars.at(-1)!.time).toEqual(at('14:00'))
    const d = daily.bars.at(-1)!
    expect(d.open).toBe(mins.bars[0]!.open)
    expect(d.close).toBe(mins.bars.at(-1)!.close)
    expect(d.high).toBe(Math.max(...mins.bars.map((b) => b.high)))
    expect(d.low).toBe(Math.min(...mins.bars.map((b) => b.low)))
    const quote = await sim.get<{ last: number }>('quote?code=600000.SH')
    expect(d.close).toBe(quote.last)
  })

  it('Eastmoney day and 5-minute bars equal the Tencent ones', async () => {
    const t = await svc().getBars({ code: '600000.SH', period: 'day', adjust: 'none', start: '2026-09-01', end: DAY, count: 100 })
    const e = await em().getBars({ code: '600000.SH', period: 'day', adjust: 'none', start: '2026-09-01', end: DAY, count: 100 })
    expect(e.bars.map((b) => [b.day, b.open, b.high, b.low, b.close])).toEqual(t.bars.map((b) => [b.day, b.open, b.high, b.low, b.close]))
    const m5 = await em().getBars({ code: '600000.SH', period: 'm5', adjust: 'none', start: DAY, end: DAY, count: 100 })
    expect(m5.bars).toHaveLength(36)
    expect(m5.bars[0]!.time).toEqual(at('09:35'))
  })

  it('unknown code forms are rejected the way the real sources reject them', async () => {
    await expect(svc().getBars({ code: '999999.SZ', period: 'day', adjust: 'qfq', start: null, end: null, count: 5 })).rejects.toMatchObject({ kind: 'unknown_code' })
    await expect(em().getBars({ code: '999999.SZ', period: 'day', adjust: 'qfq', start: null, end: null, count: 5 })).rejects.toMatchObject({ kind: 'unknown_code' })
  })
})
