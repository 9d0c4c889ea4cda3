// Realised P&L on real databases: fills written as the tracker writes them, read back per user,
// matched FIFO with fees; the daily summary carries the day's figure.
import { describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { estimateFeesMilli, shanghaiTime } from '@/lib/market'
import { pnlReport } from '@/lib/services/views/pnl-view'
import { dailySummary, dayRealizedPnl } from '@/lib/services/notifications/daily-summary'
import { providers } from '../../helpers/db'
import { makeUser, useTestDb } from '../helpers'
import { seedOrderWithFills } from './seed-fills'

const fee = (side: 'buy' | 'sell', v: number) => estimateFeesMilli('600000.SH', side, v).milli.total
const stockInput = (code: string) => stockInputSchema.parse({ code, name: '浦发银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' })

describe.each(providers())('realised P&L (%s)', (provider) => {
  useTestDb(provider)

  it('round trip with a partial fill, per day and month, only the user’s own fills, and today in the daily summary', async () => {
    const a = await makeUser('zh')
    const b = await makeUser('en')
    const s = await createStock(a, stockInput('600000'))
    const sb = await createStock(b, stockInput('600000'))
    const d1 = shanghaiTime('2026-11-30', '10:00')
    const d2 = shanghaiTime('2026-12-01', '10:00')
    await seedOrderWithFills(a, s.id, '600000.SH', 'BUY', [{ priceMilli: 9_100, quantity: 600, at: d1 }, { priceMilli: 9_100, quantity: 400, at: new Date(d1.getTime() + 5_000) }])
    await seedOrderWithFills(a, s.id, '600000.SH', 'SELL', [{ priceMilli: 11_000, quantity: 1000, at: d2 }])
    await seedOrderWithFills(b, sb.id, '600000.SH', 'BUY', [{ priceMilli: 9_000, quantity: 100, at: d1 }])
    await seedOrderWithFills(b, sb.id, '600000.SH', 'SELL', [{ priceMilli: 5_000, quantity: 100, at: d2 }])

    const expected = 11_000_000 - 9_100_000 - fee('buy', 9_100_000) - fee('sell', 11_000_000)
    const r = await pnlReport(a, {}, { today: '2026-12-01' })
    expect(Math.round(r.total.pnl * 1000)).toBe(expected)
    expect(r.byMonth.map((m) => m.month)).toEqual(['2026-12'])
    expect(r.byDay.map((m) => m.day)).toEqual(['2026-12-01'])
    expect(r.byStock).toHaveLength(1)
    expect(r.byStock[0]).toMatchObject({ code: '600000.SH', name: '浦发银行' })
    expect(r.roundTrips).toHaveLength(1)
    expect(r.roundTrips[0]).toMatchObject({ status: 'closed', entryQty: 1000, exitQty: 1000, openedDay: '2026-11-30', closedDay: '2026-12-01' })
    expect(r.headline.today?.pnl).toBe(r.total.pnl)
    // a range without exits
    const before = await pnlReport(a, { from: '2026-11-01', to: '2026-11-30' }, { today: '2026-12-01' })
    expect(before.total.exits).toBe(0)
    // user b sees only b's loss
    const rb = await pnlReport(b, {}, { today: '2026-12-01' })
    expect(rb.total.pnl).toBeLessThan(0)
    expect(rb.byStock.map((x) => x.stockId)).toEqual([sb.id])
    // stock filter
    expect((await pnlReport(a, { stockId: sb.id }, { today: '2026-12-01' })).total.exits).toBe(0)

    expect((await dayRealizedPnl(a, '2026-12-01')).milli).toBe(expected)
    expect((await dayRealizedPnl(a, '2026-11-30')).text).toBe('0.00')
    await dailySummary('2026-12-01')
    const na = await getDb().notification.findFirst({ where: { userId: a, type: 'DAILY_SUMMARY' } })
    const nb = await getDb().notification.findFirst({ where: { userId: b, type: 'DAILY_SUMMARY' } })
    expect(na?.body).toContain(`今日已实现盈亏 +${(expected / 1000).toFixed(2)} 元`)
    expect(nb?.body).toMatch(/Realised P&L today -\d+\.\d\d yuan/)
  })
})

describe('daily summary text', () => {
  it('a summary stored before the P&L figure existed still reads in full, without it', async () => {
    const { renderEvent } = await import('@/lib/services/notifications/notify')
    const old = { day: '2026-12-01', signals: 1, orders: 2, filled: 1, cancelled: 0, rejected: 0, unknown: 0, positions: 3 }
    expect(renderEvent('DAILY_SUMMARY', old, 'en').body).toBe('1 signal(s), 2 order(s) (1 filled, 0 cancelled, 0 rejected, 0 unknown). 3 position(s).')
    expect(renderEvent('DAILY_SUMMARY', { ...old, pnl: '-5.00' }, 'zh').body).toMatch(/持仓 3 只。今日已实现盈亏 -5\.00 元（含费用）。$/)
  })
})
