// Levels relative to cost on the dashboard and the stock views: before a fill, the price resolved
// against the entry zone; once held, against the entry's cost (or the managed position's cost);
// the percentage is shown beside the price.
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { toStockListItem, toStockView } from '@/lib/services/views/stock-view'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, fixedClock, makeStock, makeUser, useWebDb } from './helpers'

const defaults = { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 }

describe.each(providers())('relative levels shown on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  it('shows the zone-resolved level before a fill and the cost-resolved one while held, with the percentage', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '', stopLoss: '', takeProfitPct: '5', stopLossPct: '3' })
    const dash = async () => (await buildDashboard(me, { clock: fixedClock(at(10, 30)), defaults, staleAfterSec: 30, wallNow: new Date() })).rows[0]!
    expect(await dash()).toMatchObject({ takeProfit: 9.56, stopLoss: 8.73, takeProfitCostPct: 0.05, stopLossCostPct: 0.03 })

    // Held with an entry cost of 9.05 → 9.51 / 8.78.
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', entryCostMilli: 9_050, positionQty: 1000 } })
    expect(await dash()).toMatchObject({ takeProfit: 9.51, stopLoss: 8.78 })
    const row = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: s.id }, include: { quantConfig: true } })
    expect(toStockView(row as never)).toMatchObject({ takeProfit: 9.51, stopLoss: 8.78, takeProfitPct: 0.05, stopLossPct: 0.03 })
    expect(toStockListItem(row as never)).toMatchObject({ takeProfit: 9.51, stopLoss: 8.78 })

    // A managed position without an entry of DingPan's: the broker position's cost (10.00 → 10.50 / 9.70).
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { entryCostMilli: null, positionCostMilli: 10_000 } })
    expect(await dash()).toMatchObject({ takeProfit: 10.5, stopLoss: 9.7 })
  })
})
