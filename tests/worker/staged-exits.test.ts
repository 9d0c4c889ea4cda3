// Staged exits (分批止盈), the take-profit's exit quantity and the breakeven stop (保本), issue 14,
// end to end through the paper exchange: 1 000 shares bought at 9.05; three take-profit tranches of
// 30 % each fill one after another (300, 300, 300: each in its own episode, the next tranche waiting
// for its own level), the breakeven stop activates after the first tranche (told once) and the stop
// then sells the last 100 at the breakeven level, not at the configured 8.50. One order per trigger
// key, none more than held. Without the wiring the first take-profit sells all 1 000.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { breakevenStopMilli } from '@/lib/market'
import { toStockView } from '@/lib/services/views/stock-view'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, startWorkerHarness, TUESDAY, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const stock = (id: number) => db().monitoredStock.findUniqueOrThrow({ where: { id }, include: { quantConfig: true } })
const sells = (stockId: number) => db().order.findMany({ where: { stockId, side: 'SELL' }, orderBy: { id: 'asc' }, include: { triggerEvent: true } })

describe.each(providers())('staged exits on %s', (provider) => {
  it('three tranches of 30 % fill one after another, then the breakeven stop sells the rest; 0 duplicate orders', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock(
      {
        code: '600000.SH',
        entryLow: '9.00',
        entryHigh: '9.10',
        takeProfit: '9.30',
        stopLoss: '8.50',
        takeProfit2: '9.50',
        takeProfit2SharePct: '30',
        takeProfit3: '9.70',
        takeProfit3SharePct: '30',
        breakevenStop: true,
      },
      { maxPositionPct: 50, entryQtyMode: 'SHARES', entryQty: '1000', exitQtyMode: 'PCT', exitPct: '30' },
    )
    expect(await stock(id)).toMatchObject({ takeProfit2Milli: 9_500, takeProfit2ShareBp: 3000, takeProfit3Milli: 9_700, takeProfit3ShareBp: 3000, breakevenStop: true, quantConfig: { exitQtyMode: 'PCT', exitQty: 3000 } })

    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect(await stock(id)).toMatchObject({ state: 'HOLDING', positionQty: 1000, entryCostMilli: 9_050 })

    const at_ = async (price: number, steps = 3) => {
      await h!.setPrice('600000.SH', price, { prevClose: 9.05, bids: [{ price, volume: 1_000_000 }], asks: [{ price: price + 0.01, volume: 1_000_000 }] })
      for (let i = 0; i < steps; i++) await h!.step()
    }
    await h.setClock(at(TUESDAY, '09:30:00'))
    await at_(9.3) // tranche 1
    expect((await sells(id)).map((o) => [o.triggerEvent.kind, o.quantity, o.status])).toEqual([['TAKE_PROFIT', 300, 'FILLED']])
    expect(await stock(id)).toMatchObject({ state: 'HOLDING', positionQty: 700 })
    // The breakeven stop is on after the first tranche: told once.
    const be = breakevenStopMilli('600000.SH', 9_050, 700)
    expect((await notificationTypes(h.userId)).filter((t) => t === 'BREAKEVEN_ACTIVE')).toHaveLength(1)
    const view = toStockView((await stock(id)) as never)
    expect(view.exits).toMatchObject({ tranchesDone: 1, baseQty: 1000, breakevenLevel: be / 1000 })

    await at_(9.4) // between tranches: nothing
    expect(await sells(id)).toHaveLength(1)
    await at_(9.5) // tranche 2
    await at_(9.7) // tranche 3
    expect((await sells(id)).map((o) => [o.triggerEvent.kind, o.quantity, o.status])).toEqual([
      ['TAKE_PROFIT', 300, 'FILLED'],
      ['TAKE_PROFIT', 300, 'FILLED'],
      ['TAKE_PROFIT', 300, 'FILLED'],
    ])
    expect(await stock(id)).toMatchObject({ state: 'HOLDING', positionQty: 100 })
    await at_(9.9) // every tranche done: the take-profit is silent
    expect(await sells(id)).toHaveLength(3)

    // Above the breakeven level nothing; at it the stop sells the last 100 (8.50 is far below).
    await at_((be + 10) / 1000)
    expect(await sells(id)).toHaveLength(3)
    await at_(be / 1000)
    const all = await sells(id)
    expect(all.map((o) => [o.triggerEvent.kind, o.quantity, o.status])).toEqual([
      ['TAKE_PROFIT', 300, 'FILLED'],
      ['TAKE_PROFIT', 300, 'FILLED'],
      ['TAKE_PROFIT', 300, 'FILLED'],
      ['STOP_LOSS', 100, 'FILLED'],
    ])
    expect(all[3]!.triggerEvent.levelMilli).toBe(be)
    // One order per (kind, episode), each tranche in its own episode.
    const keys = all.map((o) => `${o.triggerEvent.kind}:${o.triggerEvent.episode}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(all.reduce((n, o) => n + o.filledQuantity, 0)).toBe(1000)
    expect(await stock(id)).toMatchObject({ state: 'CLOSED', positionQty: 0 })
    expect((await notificationTypes(h.userId)).filter((t) => t === 'BREAKEVEN_ACTIVE')).toHaveLength(1)
  }, 180_000)

  it('exit quantity in shares: the take-profit sells 200 of 500, the stop the rest', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.30', stopLoss: '8.80' }, { maxPositionPct: 50, entryQtyMode: 'SHARES', entryQty: '500', exitQtyMode: 'SHARES', exitShares: '250' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.setClock(at(TUESDAY, '09:30:00'))
    for (const price of [9.3, 9.35, 8.8]) {
      await h.setPrice('600000.SH', price, { prevClose: 9.05, bids: [{ price, volume: 1_000_000 }], asks: [{ price: price + 0.01, volume: 1_000_000 }] })
      for (let i = 0; i < 3; i++) await h.step()
    }
    expect((await sells(id)).map((o) => [o.triggerEvent.kind, o.quantity, o.status])).toEqual([
      ['TAKE_PROFIT', 200, 'FILLED'],
      ['STOP_LOSS', 300, 'FILLED'],
    ])
  }, 120_000)

  it('the schema refuses descending tranche levels and shares over 100 % on their fields', async () => {
    h = await startWorkerHarness(provider)
    await expect(h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.30', stopLoss: '8.50', takeProfit2: '9.20', takeProfit2SharePct: '30' }, { exitQtyMode: 'PCT', exitPct: '30' })).rejects.toThrow(/levelsAscending/)
    await expect(h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.30', stopLoss: '8.50', takeProfit2: '9.50', takeProfit2SharePct: '80' }, { exitQtyMode: 'PCT', exitPct: '30' })).rejects.toThrow(/sharesOver100/)
    await expect(h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.30', stopLoss: '8.50', takeProfit2: '9.50', takeProfit2SharePct: '30' })).rejects.toThrow(/firstNotAll/)
    await expect(h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.30', stopLoss: '8.50', takeProfit2: '9.505', takeProfit2SharePct: '30' }, { exitQtyMode: 'PCT', exitPct: '30' })).rejects.toThrow(/tooManyDecimals/)
  }, 60_000)
})
