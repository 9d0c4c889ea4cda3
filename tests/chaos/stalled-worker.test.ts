// A stalled worker sends nothing after it wakes (issue 12, Proof). Two worker processes on one
// database (PostgreSQL when enabled): the active one is stopped (SIGSTOP) past its lease, the standby
// takes over and settles everything, then the first is continued (SIGCONT). From the wake on, the
// exchange receives 0 order_stock requests (nothing is left for the new holder to send, so any
// request would be the woken worker's), and no order reaches the exchange twice.
//   - stopped from outside between cycles, with entries about to fire;
//   - stopped by itself right after claiming an order, before sending it (DINGPAN_STALL_POINT): the
//     worst moment — on waking it holds a claim for a request it has not made yet.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { getDb } from '@/lib/db/client'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { createUser } from '@/lib/db/users'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { startWorker, type Proc } from '../../scripts/stack'
import { benchCodes } from '../../scripts/bench'
import { createTestDb, pgEnabled, type TestDb } from '../helpers/db'
import { abandonedLive, duplicateOrders, writeFigures } from './report'

const LEASE_SECONDS = 4
const FINAL = ['FILLED', 'FAILED', 'CANCELLED', 'REJECTED']

let db: TestDb
let sim: PaperExchangeHandle
let userId: number
let env: Record<string, string>
let procs: Proc[] = []
const figures: Record<string, unknown> = {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function control(p: string, body: unknown) {
  const res = await fetch(`${sim.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': sim.controlToken }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`)
}
async function state(): Promise<{ orders: Array<{ order_remark: string; order_status: number }>; requests: Record<string, number> }> {
  return (await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })).json()
}
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${procs.map((p) => `--- ${p.child.pid}\n${p.output().slice(-2000)}`).join('\n')}`)
    await sleep(200)
  }
}
/** 'T' when the process is stopped (Linux /proc). */
function stopped(p: Proc): boolean {
  try {
    return fs.readFileSync(`/proc/${p.child.pid}/stat`, 'utf8').split(') ')[1]!.startsWith('T')
  } catch {
    return false
  }
}
async function holder(): Promise<string | null> {
  return (await getDb().workerLease.findUnique({ where: { name: 'monitor' } }))?.holderId ?? null
}
const holds = async (p: Proc) => ((await holder()) ?? '').includes(`:${p.child.pid}:`)

async function addStocks(codes: string[]): Promise<void> {
  for (const code of codes) {
    await createStock(userId, stockInputSchema.parse({ code, name: 'STALL', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80', quant: { autoTrade: true, maxPositionPct: 0.01, minTradeAmount: 100 } }))
  }
}
async function fire(codes: string[]): Promise<void> {
  for (const code of codes) await control('/control/price', { code, last: 9.05, prevClose: 9.1, asks: [{ price: 9.05, volume: 10_000_000 }] })
  await control('/control/tick', { seconds: 3 })
}
async function settled(triggers: number): Promise<boolean> {
  if ((await getDb().triggerEvent.count()) < triggers) return false
  const open = await getDb().order.count({ where: { status: { notIn: FINAL as never } } })
  const unfinished = await getDb().triggerEvent.count({ where: { outcome: { in: ['PENDING', 'ORDERED'] } } })
  return open === 0 && unfinished === 0
}

/** After the wake: `ms` of market time passing and prices held in the zone; order_stock requests received meanwhile. */
async function afterWake(a: Proc, ms: number): Promise<number> {
  const before = (await state()).requests.order_stock ?? 0
  a.child.kill('SIGCONT')
  const end = Date.now() + ms
  while (Date.now() < end) {
    await control('/control/tick', { seconds: 3 })
    await sleep(500)
  }
  return ((await state()).requests.order_stock ?? 0) - before
}

beforeAll(async () => {
  db = await createTestDb(pgEnabled() ? 'postgresql' : 'sqlite')
  process.env.DATABASE_URL = db.url
  sim = await startPaperExchange({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', paused: true, cash: 1e10, seed: 13 })
  userId = (await createUser('stall@example.com', 'x', 'ADMIN')).id
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
    WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
  }
})

afterEach(async () => {
  for (const p of procs) {
    p.child.kill('SIGCONT')
    await p.stop('SIGKILL', 1_000).catch(() => undefined)
  }
  procs = []
})

afterAll(async () => {
  writeFigures('stalled-worker', { leaseSeconds: LEASE_SECONDS, ...figures })
  await sim?.close()
  await getDb().$disconnect()
  await db?.drop()
})

describe('a stalled worker (SIGSTOP past its lease, then SIGCONT)', () => {
  it('stopped between cycles: the standby takes over and sends; the woken worker sends nothing', async () => {
    const codes = benchCodes(20).slice(0, 10)
    await addStocks(codes)
    const a = startWorker(env)
    procs.push(a)
    await until('A to hold the lease', () => holds(a))
    const b = startWorker(env)
    procs.push(b)
    await sleep(1_500)
    a.child.kill('SIGSTOP')
    const stoppedAt = Date.now()
    await until('B to take the lease over', () => holds(b), 30_000)
    const takeoverMs = Date.now() - stoppedAt
    await fire(codes) // the entries fire under B while A is stopped
    await until('the entries to settle under B', () => settled(codes.length))
    const sentByB = (await state()).requests.order_stock ?? 0
    const fromA = await afterWake(a, 8_000)
    const s = await state()
    const orders = await getDb().order.findMany({ select: { clientOrderId: true, status: true } })
    const { duplicates } = duplicateOrders(orders, s.orders)
    figures.betweenCycles = { takeoverMs, orderStockBeforeWake: sentByB, orderStockAfterWake: fromA, duplicates, abandonedLive: abandonedLive(orders, s.orders).length }
    expect(sentByB).toBe(codes.length)
    expect(fromA).toBe(0)
    expect(duplicates).toBe(0)
    expect(abandonedLive(orders, s.orders)).toEqual([])
    expect(a.child.exitCode).toBeNull() // it woke and lives on as the standby
    expect(await holds(b)).toBe(true)
  }, 180_000)

  it('stopped right after claiming an order, before sending it: on waking it does not send', async () => {
    const codes = benchCodes(20).slice(10, 11)
    await addStocks(codes)
    const a = startWorker({ ...env, DINGPAN_STALL_POINT: 'after-claim' })
    procs.push(a)
    await until('A to hold the lease', () => holds(a))
    const requestsBefore = (await state()).requests.order_stock ?? 0
    await fire(codes)
    await until('A to stop itself after the claim', async () => stopped(a), 30_000)
    const stoppedAt = Date.now()
    const claimed = await getDb().order.findFirstOrThrow({ where: { status: 'SENDING' } })
    expect(claimed.status).toBe('SENDING')
    const b = startWorker(env)
    procs.push(b)
    await until('B to take the lease over', () => holds(b), 30_000)
    const takeoverMs = Date.now() - stoppedAt
    await until('B to settle the claimed order', () => settled(11))
    const settledAs = (await getDb().order.findUniqueOrThrow({ where: { id: claimed.id } })).status
    const beforeWake = ((await state()).requests.order_stock ?? 0) - requestsBefore
    const fromA = await afterWake(a, 8_000)
    const s = await state()
    const orders = await getDb().order.findMany({ select: { clientOrderId: true, status: true } })
    const { duplicates } = duplicateOrders(orders, s.orders)
    const abandoned = abandonedLive(orders, s.orders)
    const atExchange = s.orders.filter((o) => o.order_remark === claimed.clientOrderId).length
    figures.afterClaim = { takeoverMs, claimedOrderSettledAs: settledAs, orderStockBeforeWake: beforeWake, orderStockAfterWake: fromA, claimedOrderAtExchange: atExchange, duplicates, abandonedLive: abandoned.length }
    expect(fromA).toBe(0)
    expect(duplicates).toBe(0)
    expect(abandoned).toEqual([])
  }, 180_000)
})
