// Two workers on one database: one acts, the other stands by and takes over once the first stops
// beating; the deposed one can no longer act (fencing token); never a duplicate order.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { LeaseLostError, assertLease } from '@/lib/db/lease'
import { writeTx } from '@/lib/db/tx'
import { LEASE_NAME } from '@/lib/services/trading/worker'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe.each(providers())('one active worker on %s', (provider) => {
  it('stands by, takes over within the lease, fences the old worker out, no duplicate orders', async () => {
    h = await startWorkerHarness(provider)
    const a = h.newWorker('worker-a', { leaseTtlMs: 1_500 })
    const b = h.newWorker('worker-b', { leaseTtlMs: 1_500 })
    const s1 = await h.addStock({ code: '600000.SH' })
    await h.addStock({ code: '000001.SZ', entryLow: '11.00', entryHigh: '11.10', takeProfit: '11.80', stopLoss: '10.50' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.setPrice('000001.SZ', 11.5)

    expect((await h.step(3, a)).kind).toBe('cycle')
    expect((await h.step(3, b)).kind).toBe('standby')
    expect((await h.step(3, a)).kind).toBe('cycle')
    const first = await getDb().order.findMany({ where: { stockId: s1 } })
    expect(first).toHaveLength(1)
    const tokenA = (await getDb().workerLease.findUniqueOrThrow({ where: { name: LEASE_NAME } })).fencingToken

    // A stops beating (killed). B takes over once the lease lapses.
    const killedAt = Date.now()
    let took = false
    while (Date.now() - killedAt < 10_000) {
      const r = await h.step(3, b)
      if (r.kind === 'cycle') {
        took = true
        break
      }
      await new Promise((res) => setTimeout(res, 200))
    }
    expect(took).toBe(true)
    const takeoverMs = Date.now() - killedAt
    expect(takeoverMs).toBeLessThan(5_000)
    const lease = await getDb().workerLease.findUniqueOrThrow({ where: { name: LEASE_NAME } })
    expect(lease.holderId).toBe('worker-b')
    expect(lease.fencingToken).toBe(tokenA + 1)

    // The deposed worker cannot act: its token no longer matches, and its next tick only stands by.
    await expect(writeTx(getDb(), (tx) => assertLease(tx, LEASE_NAME, 'worker-a', tokenA))).rejects.toBeInstanceOf(LeaseLostError)
    expect((await h.step(3, a)).kind).toBe('standby')

    // B acts on a new signal; A's old order is tracked by B; nothing was sent twice.
    await h.setPrice('000001.SZ', 11.05, { asks: [{ price: 11.05, volume: 1_000_000 }] })
    await h.step(3, b)
    await h.step(3, b)
    const all = await getDb().order.findMany({ orderBy: { id: 'asc' } })
    expect(all.map((o) => [o.code, o.status])).toEqual([
      ['600000.SH', 'FILLED'],
      ['000001.SZ', 'FILLED'],
    ])
    expect(orderRequests(await h.state())).toBe(2)
    expect((await getDb().triggerEvent.findMany()).map((t) => t.fencingToken)).toEqual([tokenA, tokenA + 1])
  })
})
