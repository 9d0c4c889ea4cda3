// A confirmed broker-settings change while a DingPan order works (issue 12, item 9), through the
// real paper exchange over HTTP: the order becomes UNKNOWN, and the worker's tracking — still
// talking to the bridge that holds it — reconciles it back by its bridge id with its fills: never
// FAILED, never re-sent.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { parseEnv } from '@/lib/env'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { saveBroker } from '@/lib/services/runtime/settings-admin'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe.each(providers())('broker settings changed with a working order, on %s', (provider) => {
  it('the order becomes UNKNOWN and tracking reconciles it with its fills; never failed, never re-sent', async () => {
    h = await startWorkerHarness(provider)
    const id = await h.addStock({ code: '600000.SH' }, { unfilledTimeoutSec: 600 })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.step()
    // The entry fills 100 shares and the rest rests.
    await h.control('/control/fault', { kind: 'partial_fill', shares: 100 })
    await h.setPrice('600000.SH', 9.05)
    await h.step()
    await h.setPrice('600000.SH', 9.3)
    await h.step()
    const [o] = await getDb().order.findMany({ where: { stockId: id } })
    expect(o).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 100 })

    const e = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY, BROKER: 'qmt' })
    const change = brokerFormSchema.parse({ mode: 'paper' })
    const refused = await saveBroker(change, { id: h.userId, label: 'admin' }, e, 'en').catch((err) => err)
    expect(refused.fields?.confirmWorkingOrders?.[0]).toMatch(/1 DingPan order\(s\)/)
    await saveBroker(brokerFormSchema.parse({ mode: 'paper', confirmWorkingOrders: true }), { id: h.userId, label: 'admin' }, e, 'en')
    expect((await getDb().order.findUniqueOrThrow({ where: { id: o!.id } })).status).toBe('UNKNOWN')

    for (let i = 0; i < 4; i++) await h.step(5)
    const back = await getDb().order.findUniqueOrThrow({ where: { id: o!.id } })
    expect(back).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: 100, bridgeOrderId: o!.bridgeOrderId })
    expect(await getDb().order.count({ where: { status: 'FAILED' } })).toBe(0)
    expect(await getDb().order.count()).toBe(1)
    expect(orderRequests(await h.state())).toBe(1)
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id } })).positionQty).toBe(100)
  })
})
