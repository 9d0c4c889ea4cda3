// 200 runs: the worker process is SIGKILLed at a random point of the trigger → order path (inside
// the signal transaction, after its commit, mid-request, after the bridge answered, after the
// answer was recorded, or at a random moment), then restarted. Per trigger: at most one order at
// the bridge, and a final outcome the user was told about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { getDb } from '@/lib/db/client'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { createUser } from '@/lib/db/users'
import { archiveStock, createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { startWorker, type Proc } from '../../scripts/stack'
import { createTestDb, type TestDb } from '../helpers/db'
import { benchCodes } from '../../scripts/bench'
import { duplicateOrders, writeFigures } from './report'

const RUNS = Number(process.env.CHAOS_RUNS ?? 200)
const SEED = Number(process.env.CHAOS_SEED ?? 20261121)
const POINTS = ['in-signal-tx', 'after-commit', 'after-claim', 'mid-request', 'after-send', 'after-record', 'random-time'] as const
type Point = (typeof POINTS)[number]

let db: TestDb
let sim: PaperExchangeHandle
let userId: number
let env: Record<string, string>

async function control(p: string, body: unknown) {
  const res = await fetch(`${sim.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': sim.controlToken }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`)
}

async function bridgeOrders(): Promise<Array<{ order_remark: string }>> {
  const res = await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })
  return ((await res.json()) as { orders: Array<{ order_remark: string }> }).orders
}

const FINAL = ['FILLED', 'FAILED', 'CANCELLED', 'REJECTED']

async function settled(stockId: number): Promise<boolean> {
  const trig = await getDb().triggerEvent.findMany({ where: { stockId } })
  if (trig.length === 0) return false
  const orders = await getDb().order.findMany({ where: { stockId } })
  return trig.every((t) => !['PENDING', 'ORDERED'].includes(t.outcome)) && orders.every((o) => FINAL.includes(o.status))
}

async function waitSettled(stockId: number, worker: Proc, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await settled(stockId)) return
    if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output().slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 150))
  }
  const trig = await getDb().triggerEvent.findMany({ where: { stockId } })
  const orders = await getDb().order.findMany({ where: { stockId } })
  const state = await (await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })).json()
  throw new Error(`stock ${stockId} did not settle: bridge ${JSON.stringify(state.orders.slice(-2))} triggers ${JSON.stringify(trig.map((t) => t.outcome))} orders ${JSON.stringify(orders.map((o) => [o.status, o.errorMessage]))}\n${worker.output().slice(-3000)}`)
}

beforeAll(async () => {
  db = await createTestDb('sqlite')
  process.env.DATABASE_URL = db.url
  sim = await startPaperExchange({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', paused: true, cash: 1e10, seed: 5 })
  userId = (await createUser('chaos@example.com', 'x', 'ADMIN')).id
  const { putSetting } = await import('@/lib/db/settings')
  const { SETTING_KEYS } = await import('@/lib/services/runtime/runtime-settings')
  await putSetting(SETTING_KEYS.risk, { maxOrdersPerMinute: 600, maxOrderValue: null, duplicateWindowSec: 0 }, { id: null, label: 'chaos' })
  const bridge = new URL(sim.bridgeUrl)
  env = {
    DATABASE_URL: db.url,
    BROKER: 'qmt',
    MINIQMT_HOST: bridge.hostname,
    MINIQMT_PORT: bridge.port,
    MINIQMT_TOKEN: sim.token,
    MINIQMT_TIMEOUT_MS: '1500',
    QUOTE_PROVIDERS: 'tencent',
    QUOTE_TENCENT_URL: sim.url,
    MARKET_CLOCK: 'sim',
    SIM_URL: sim.url,
    MONITOR_INTERVAL_SECONDS: '1',
    ORDER_ABSENT_GRACE_SECONDS: '1',
    WORKER_LEASE_SECONDS: '2',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
  }
})

afterAll(async () => {
  await sim?.close()
  await getDb().$disconnect()
  await db?.drop()
})

describe(`crash consistency over ${RUNS} SIGKILLs`, () => {
  it('never sends a second order for a trigger, and every trigger ends in a final outcome', async () => {
    const rng = fc.sample(fc.tuple(fc.constantFrom(...POINTS), fc.integer({ min: 0, max: 2_500 })), { numRuns: RUNS, seed: SEED })
    const codes = benchCodes(RUNS)
    const killedAt: Record<Point, number> = Object.fromEntries(POINTS.map((p) => [p, 0])) as Record<Point, number>
    const outcomes: Record<string, number> = {}
    let notKilled = 0
    for (let i = 0; i < RUNS; i++) {
      const [point, delayMs] = rng[i]!
      if (process.env.CHAOS_VERBOSE) process.stdout.write(`[chaos] run ${i} ${point} ${delayMs}\n`)
      const code = codes[i]!
      const stock = await createStock(
        userId,
        stockInputSchema.parse({ code, name: 'CHAOS', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80', quant: { autoTrade: true, maxPositionPct: 0.0001, minTradeAmount: 100 } }),
      )
      // Mid-request: the bridge answers slowly, so a kill during the request is likely.
      if (point === 'mid-request') await control('/control/fault', { kind: 'delay', method: 'order_stock', delayMs: 800, count: 1 })
      await control('/control/price', { code, last: 9.05, prevClose: 9.1, asks: [{ price: 9.05, volume: 10_000_000 }] })
      await control('/control/tick', { seconds: 3 })
      const named = point === 'mid-request' || point === 'random-time' ? {} : { DINGPAN_CRASH_POINT: point }
      const crashing = startWorker({ ...env, ...named })
      if (point === 'mid-request' || point === 'random-time') {
        const wait = point === 'mid-request' ? 1_200 + (delayMs % 600) : delayMs
        await new Promise((r) => setTimeout(r, wait))
        crashing.child.kill('SIGKILL')
      }
      const exit = await Promise.race([crashing.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 20_000))])
      if (exit === 'alive') {
        notKilled++
        crashing.child.kill('SIGKILL')
        await crashing.exited
      } else if (crashing.child.signalCode === 'SIGKILL') killedAt[point]++
      else notKilled++
      const restarted = startWorker(env)
      try {
        await waitSettled(stock.id, restarted)
      } finally {
        await restarted.stop('SIGTERM', 10_000)
      }
      // Done with this trigger: archive the monitor so its position cannot fire more triggers later.
      await archiveStock(userId, stock.id)
      await control('/control/price', { code, clear: true })
      const o = await getDb().order.findMany({ where: { stockId: stock.id } })
      for (const x of o) outcomes[x.status] = (outcomes[x.status] ?? 0) + 1
    }

    const orders = await getDb().order.findMany({ select: { clientOrderId: true, triggerEventId: true } })
    const atBridge = await bridgeOrders()
    const { duplicates } = duplicateOrders(orders, atBridge)
    const triggers = await getDb().triggerEvent.findMany()
    const unfinished = triggers.filter((t) => ['PENDING', 'ORDERED'].includes(t.outcome)).length
    const openOrders = await getDb().order.count({ where: { status: { notIn: FINAL as never } } })
    const untold = (await getDb().order.findMany({ include: { notifications: true } })).filter((o) => !o.notifications.some((n) => /ORDER_(FILLED|FAILED|REJECTED|CANCELLED|RECONCILED)/.test(n.type))).length

    writeFigures('crash-consistency', { runs: RUNS, seed: SEED, killedAt, notKilled, triggers: triggers.length, ordersAtBridge: atBridge.length, duplicateOrders: duplicates, triggersWithoutFinalOutcome: unfinished + openOrders, ordersWithoutFinalNotification: untold, outcomes })
    expect(triggers).toHaveLength(RUNS)
    expect(duplicates).toBe(0)
    expect(unfinished + openOrders).toBe(0)
    expect(untold).toBe(0)
  })
})
