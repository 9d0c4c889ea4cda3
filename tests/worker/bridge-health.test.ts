// Seen against QKA's own server: with the bridge never started, the worker told the trader
// "bridge back" every ~30 s and stored a lastOkAt although the bridge never answered; and an entry
// that fired with no account ever read was sized against 0 yuan, refused and the monitor CLOSED,
// so nothing was bought when the bridge came up with the price still in the zone.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { providers } from '../helpers/db'
import { closedPortUrl } from '../broker/helpers'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe.each(providers())('bridge health and a missing account on %s', (provider) => {
  it('a bridge that never answered is never reported up; an entry waits for the account instead of closing, then buys', async () => {
    h = await startWorkerHarness(provider)
    const dead = h.newWorker('w-main', { bridgeUrl: await closedPortUrl() })
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })

    for (let i = 0; i < 6; i++) await h.step(3, dead)
    const types = await notificationTypes(h.userId)
    expect(types.filter((t) => t === 'BRIDGE_UP')).toHaveLength(0)
    expect(types.filter((t) => t === 'BRIDGE_DOWN')).toHaveLength(1)
    expect(types).not.toContain('NOT_SIZED')
    expect(types.filter((t) => t === 'SIZING_WAITS')).toHaveLength(1)
    const health = await getDb().serviceHealth.findUnique({ where: { name: 'bridge' } })
    expect(health).toMatchObject({ status: 'down', lastOkAt: null })
    const stock = await getDb().monitoredStock.findUniqueOrThrow({ where: { id } })
    expect(stock.state).toBe('WATCHING')
    expect(await getDb().order.count()).toBe(0)

    // The bridge comes up (same worker identity, same lease): the entry is sized from the account and sent.
    const live = h.newWorker('w-main')
    await h.step(3, live)
    await h.step(3, live)
    const orders = await getDb().order.findMany({ where: { stockId: id } })
    expect(orders).toHaveLength(1)
    expect(orders[0]).toMatchObject({ side: 'BUY', quantity: 11_000, status: 'FILLED' })
    expect(orderRequests(await h.state())).toBe(1)
    expect(await notificationTypes(h.userId)).toContain('BRIDGE_UP')
  }, 90_000)
})
