// The bridge fault matrix through the paper exchange's fault injection: for each fault, the final
// order state, the notification the trader got, and blind resubmits (must be 0: an order reaches
// the bridge at most once per recorded attempt, and no attempt is sent before the previous one is
// proven dead).
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from '../worker/helpers'
import { duplicateOrders, writeFigures } from './report'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

interface Row {
  fault: string
  orderStates: string[]
  counterStatus: Array<number | null>
  notifications: string[]
  orderStockRequests: number
  blindResubmits: number
  monitorState: string
}

const rows: Row[] = []

async function run(
  name: string,
  fault: Record<string, unknown> | null,
  opts: { steps?: number; timeoutMs?: number; quant?: Record<string, unknown>; asks?: Array<{ price: number; volume: number }>; between?: (h: WorkerHarness) => Promise<void> } = {},
): Promise<Row> {
  h = await startWorkerHarness('sqlite', { bridgeTimeoutMs: opts.timeoutMs ?? 1_500, absentAfterMs: 500 })
  const id = await h.addStock({ code: '600000.SH' }, opts.quant ?? {})
  if (fault) await h.control('/control/fault', fault)
  await h.setClock(at(MONDAY, '09:30:00'))
  await h.setPrice('600000.SH', 9.05, { asks: opts.asks ?? [{ price: 9.05, volume: 1_000_000 }] })
  await h.step()
  if (opts.between) await opts.between(h)
  for (let i = 0; i < (opts.steps ?? 6); i++) {
    await new Promise((r) => setTimeout(r, 200))
    await h.step()
  }
  const orders = await getDb().order.findMany({ where: { stockId: id }, orderBy: { id: 'asc' } })
  const state = await h.state()
  const { duplicates } = duplicateOrders(orders, state.orders)
  const notifications = (await getDb().notification.findMany({ orderBy: { id: 'asc' } })).map((n) => n.type)
  const row: Row = {
    fault: name,
    orderStates: orders.map((o) => o.status),
    counterStatus: orders.map((o) => o.xtStatus),
    notifications,
    orderStockRequests: state.requests.order_stock ?? 0,
    blindResubmits: duplicates,
    monitorState: (await getDb().monitoredStock.findUniqueOrThrow({ where: { id } })).state,
  }
  rows.push(row)
  return row
}

describe('bridge fault matrix', () => {
  it('timeout (the order went live, no answer): UNKNOWN, reconciled by clientOrderId, filled', async () => {
    const r = await run('timeout', { kind: 'timeout_after_execute', method: 'order_stock', delayMs: 3_000 })
    expect(r.orderStates).toEqual(['FILLED'])
    expect(r.notifications).toEqual(expect.arrayContaining(['ORDER_UNKNOWN', 'ORDER_RECONCILED', 'ORDER_FILLED']))
    expect(r.blindResubmits).toBe(0)
    expect(r.orderStockRequests).toBe(1)
  })

  it('HTTP 500 before MiniQMT ran: UNKNOWN until proven absent, failed and told, not resent', async () => {
    const r = await run('http 500', { kind: 'http_500', method: 'order_stock' })
    expect(r.orderStates).toEqual(['FAILED'])
    expect(r.notifications).toEqual(expect.arrayContaining(['ORDER_UNKNOWN', 'ORDER_RECONCILED']))
    expect(r.blindResubmits).toBe(0)
    expect(r.monitorState).toBe('CLOSED')
  })

  it('HTTP 401 (token rotated): refused, failed at once and told; nothing live', async () => {
    const r = await run('http 401', { kind: 'unauthorized', method: 'order_stock' })
    expect(r.orderStates).toEqual(['FAILED'])
    expect(r.notifications).toContain('ORDER_FAILED')
    expect(r.blindResubmits).toBe(0)
  })

  it('connection refused: the intent waits (nothing left the machine), sent once the bridge is back', async () => {
    const r = await run('connection refused', { kind: 'refuse', seconds: 1 }, { between: () => new Promise((res) => setTimeout(res, 1_500)) })
    expect(r.orderStates).toEqual(['FILLED'])
    expect(r.notifications).toEqual(expect.arrayContaining(['BRIDGE_DOWN', 'ORDER_FILLED']))
    expect(r.orderStockRequests).toBe(1)
    expect(r.blindResubmits).toBe(0)
  })

  it('10-second slow answer: a timeout at the client, the order found live, never sent twice', async () => {
    const r = await run('10 s slow answer', { kind: 'delay', method: 'order_stock', delayMs: 10_000 }, { timeoutMs: 8_000, steps: 8 })
    expect(r.orderStates).toEqual(['FILLED'])
    expect(r.notifications).toEqual(expect.arrayContaining(['ORDER_UNKNOWN', 'ORDER_FILLED']))
    expect(r.orderStockRequests).toBe(1)
    expect(r.blindResubmits).toBe(0)
  })

  it('废单 57: rejected with the counter message, told, the entry closes', async () => {
    const r = await run('废单', { kind: 'reject_order', statusMsg: '[COUNTER] 价格笼子外' })
    expect(r.orderStates).toEqual(['REJECTED'])
    expect(r.counterStatus).toEqual([57])
    expect(r.notifications).toContain('ORDER_REJECTED')
    expect(r.monitorState).toBe('CLOSED')
  })

  it('partial fill: part filled, the rest cancelled after the unfilled timeout, holds what filled', async () => {
    const r = await run('partial fill', { kind: 'partial_fill', shares: 500 }, {
      quant: { unfilledTimeoutSec: 10, maxReprices: 0 },
      between: async (w) => {
        await w.setPrice('600000.SH', 9.2)
        await w.step(20) // past the unfilled timeout
      },
    })
    expect(r.orderStates).toEqual(['CANCELLED'])
    expect(r.counterStatus).toEqual([53])
    expect(r.notifications).toEqual(expect.arrayContaining(['ORDER_PARTIALLY_FILLED', 'ORDER_UNFILLED_TIMEOUT', 'ORDER_CANCELLED']))
    expect(r.monitorState).toBe('HOLDING')
  })

  it('cancel error: the timeout cancel is refused, the order stays tracked and is cancelled on retry', async () => {
    // A limit at the trigger price below the best ask rests; the first cancel after the timeout fails.
    const r = await run('cancel error', { kind: 'cancel_error', count: 1 }, {
      quant: { unfilledTimeoutSec: 10, maxReprices: 0, entryPriceMode: 'TRIGGER_PRICE' },
      asks: [{ price: 9.07, volume: 1_000_000 }],
      steps: 3,
      between: async (w) => {
        await w.step(20) // past the unfilled timeout: the cancel is refused
        await new Promise((res) => setTimeout(res, 15_500)) // a refused cancel is retried after 15 s
        await w.step()
      },
    })
    expect(r.blindResubmits).toBe(0)
    expect(r.orderStates[0]).toBe('CANCELLED')
    expect(r.counterStatus[0]).toBe(54)
    expect(r.notifications).toEqual(expect.arrayContaining(['ORDER_UNFILLED_TIMEOUT', 'ORDER_CANCELLED']))
    // Nothing filled and it was our timeout: the entry re-armed for a new episode (bounded per day),
    // and the price still in the zone produced the next episode's single order — a new trigger, not a resend.
    expect(r.orderStockRequests).toBe(r.orderStates.length)
    const episodes = await getDb().triggerEvent.findMany({ orderBy: { id: 'asc' } })
    expect(episodes.map((t) => t.episode)).toEqual(r.orderStates.map((_, i) => i + 1))
    writeFigures('bridge-faults', { rows })
  })
})
