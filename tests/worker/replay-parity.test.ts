// One engine: the replay of a scripted price series gives exactly the triggers the live worker gives
// for the same prices through the paper exchange (real HTTP, real database, the real MonitorWorker).
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { replay, type ReplayBar } from '@/lib/market'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, startWorkerHarness, TUESDAY, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

/** [day, price, repeats]: each repeat is one quote 3 s after the previous one. */
const SCRIPT: Array<[string, number, number]> = [
  [MONDAY, 9.3, 2],
  [MONDAY, 9.05, 3], // entry zone 9.00–9.10
  [MONDAY, 9.2, 2],
  [MONDAY, 8.7, 3], // stop 8.80, bought today: T+1 deferral
  [MONDAY, 9.6, 2], // take-profit 9.50, still T+1
  [MONDAY, 9.3, 1],
  [TUESDAY, 9.4, 2],
  [TUESDAY, 8.75, 3], // the stop sells
  [TUESDAY, 9.6, 2], // closed: nothing more
]
const PREV_CLOSE: Record<string, number> = { [MONDAY]: 9.2, [TUESDAY]: 9.3 }
const deep = (p: number) => ({ asks: [{ price: p, volume: 1_000_000 }], bids: [{ price: p, volume: 1_000_000 }] })

describe.each(providers())('replay parity with the live worker (%s)', (provider) => {
  it('same prices → same triggers, kinds, prices and T+1 deferrals', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' }, { maxPositionPct: 10 })
    const bars: ReplayBar[] = []
    let day = ''
    for (const [d, price, n] of SCRIPT) {
      if (d !== day) {
        day = d
        await h.setClock(at(d, '09:30:00'))
      }
      for (let i = 0; i < n; i++) {
        await h.setPrice('600000.SH', price, { prevClose: PREV_CLOSE[d], ...deep(price) })
        await h.step()
        const clock = (await h.control('/control/clock')) as { now: string }
        bars.push({ time: new Date(clock.now), day: d, open: price, high: price, low: price, close: price })
      }
    }
    await h.step()
    const live = await getDb().triggerEvent.findMany({ where: { stockId: id }, orderBy: { id: 'asc' } })
    const liveDeferred = (await notificationTypes(h.userId)).filter((t) => t === 'T1_DEFERRED').length

    const r = replay({ code: '600000.SH', bars, barSeconds: 3, prevClose: PREV_CLOSE[MONDAY], levels: { entryLow: 9, entryHigh: 9.1, takeProfit: 9.5, stopLoss: 8.8, trailingStopPct: null }, cash: 100_000 })
    // The worker keeps one trigger row per (kind, episode), updated by a later signal of that kind
    // (a T+1 deferral, then the order): compare each kind's last signal.
    const lastByKind = new Map<string, (typeof r.triggers)[number]>()
    for (const t of r.triggers) lastByKind.set(t.kind, t)
    const byKind = (a: [string, number, string], b: [string, number, string]) => a[0].localeCompare(b[0])
    expect(live.map((e) => [e.kind, e.priceMilli / 1000, e.quoteTime.toISOString().slice(0, 10)] as [string, number, string]).sort(byKind)).toEqual(
      [...lastByKind.values()].map((t) => [t.kind, t.price, t.time.toISOString().slice(0, 10)] as [string, number, string]).sort(byKind),
    )
    const ordered = r.triggers.filter((t) => t.action === 'order')
    expect(ordered.map((t) => [t.kind, t.price])).toEqual([['ENTRY', 9.05], ['STOP_LOSS', 8.75]])
    const liveOrders = await getDb().order.findMany({ where: { stockId: id }, orderBy: { id: 'asc' }, include: { triggerEvent: true } })
    expect(liveOrders.map((o) => [o.side === 'BUY' ? 'buy' : 'sell', o.triggerEvent.kind])).toEqual(r.orders.filter((o) => o.status === 'placed').map((o) => [o.side, o.kind]))
    expect(r.triggers.filter((t) => t.action === 'deferred').length).toBe(liveDeferred)
    expect(liveDeferred).toBe(2)
    expect(r.finalState).toBe('CLOSED')
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id } })).state).toBe('CLOSED')
  }, 120_000)
})
