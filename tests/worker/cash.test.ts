// Cash and exposure promised to buys that the broker's account read does not show yet: several
// entries in one cycle are sized against what the earlier ones left, and the exposure cap counts
// buys that are working — through the real paper exchange over HTTP and a real database.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { putSetting } from '@/lib/db/settings'
import { SETTING_KEYS } from '@/lib/services/runtime/runtime-settings'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const db = () => getDb()
const orders = () => db().order.findMany({ orderBy: { id: 'asc' } })

async function risk(w: WorkerHarness, limits: Record<string, unknown>) {
  await putSetting(SETTING_KEYS.risk, limits, { id: w.userId, label: 'test' })
}

/** Two monitors whose entries fire in the same cycle (the paper account holds 1,000,000 yuan). */
async function twoEntries(w: WorkerHarness, pct: number) {
  const a = await w.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' }, { maxPositionPct: pct })
  const b = await w.addStock({ code: '601398.SH', entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.60', stopLoss: '7.80' }, { maxPositionPct: pct })
  await w.setClock(at(MONDAY, '09:30:00'))
  await w.setPrice('600000.SH', 9.3)
  await w.setPrice('601398.SH', 8.3)
  await w.step()
  await w.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 10_000_000 }] })
  await w.setPrice('601398.SH', 8.05, { asks: [{ price: 8.05, volume: 10_000_000 }] })
  await w.step() // both entries fire in this cycle
  await w.step()
  return { a, b }
}

describe.each(providers())('cash reserved for buys on %s', (provider) => {
  it('two entries in one cycle are not sized against the same cash: the second gets what the first left, nothing is rejected', async () => {
    h = await startWorkerHarness(provider)
    await risk(h, { maxExposurePct: 1, maxOrderValue: null })
    const { a, b } = await twoEntries(h, 60)
    const all = await orders()
    expect(all.map((o) => o.status)).not.toContain('REJECTED')
    expect(all.map((o) => o.status)).not.toContain('FAILED')
    const first = all.find((o) => o.stockId === a)!
    const second = all.find((o) => o.stockId === b)!
    expect(first).toMatchObject({ side: 'BUY', status: 'FILLED' })
    expect(second).toMatchObject({ side: 'BUY', status: 'FILLED' })
    const cost = (o: typeof first) => (o.limitPriceMilli! * o.quantity + Number(o.estFeesMilli)) / 1000
    expect(cost(first) + cost(second)).toBeLessThanOrEqual(1_000_000)
    expect(orderRequests(await h.state())).toBe(2)
    expect((await h.state()).account.cash).toBeGreaterThanOrEqual(0)
  })

  it('the exposure cap counts the buy still working: the second entry is refused, not sent past the cap', async () => {
    h = await startWorkerHarness(provider)
    await risk(h, { maxExposurePct: 0.8, maxOrderValue: null })
    const { a, b } = await twoEntries(h, 45)
    const all = await orders()
    expect(all.filter((o) => o.stockId === a)).toHaveLength(1)
    expect(all.filter((o) => o.stockId === b)).toHaveLength(0)
    expect(orderRequests(await h.state())).toBe(1)
    const trig = await db().triggerEvent.findFirstOrThrow({ where: { stockId: b } })
    expect(trig.outcome).toBe('RISK_REJECTED')
    expect(trig.reason).toMatch(/总持仓|holdings/)
  })
})
