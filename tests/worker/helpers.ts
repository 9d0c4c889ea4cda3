/**
 * A worker under test: a throwaway database (SQLite or PostgreSQL), a real paper exchange over
 * HTTP with a frozen, test-controlled clock, the real QKA client, quote service and MonitorWorker.
 * The test moves the market (price, clock) and calls tick() — no mocks of our own code.
 */
import pino from 'pino'
import { createBroker } from '@/lib/broker'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { createQuoteService } from '@/lib/quotes'
import { MonitorWorker, type TickResult } from '@/lib/services/trading/worker'
import { SimClock, type MarketClock } from '@/lib/services/runtime/clock'
import { stockInputSchema, type StockFormValues } from '@/lib/schemas/stock'
import { createStock } from '@/lib/db/stocks'
import { createUser } from '@/lib/db/users'
import { getDb } from '@/lib/db/client'
import { createTestDb, type TestDb } from '../helpers/db'

export const MONDAY = '2026-11-23' // a trading day
export const TUESDAY = '2026-11-24'

export function at(day: string, hhmmss: string): string {
  return new Date(`${day}T${hhmmss}+08:00`).toISOString()
}

export interface WorkerHarness {
  db: TestDb
  sim: PaperExchangeHandle
  userId: number
  worker: MonitorWorker
  newWorker(id: string, opts?: { leaseTtlMs?: number; clock?: MarketClock; bridgeUrl?: string }): MonitorWorker
  control(path: string, body?: unknown): Promise<unknown>
  state(): Promise<SimState>
  setClock(iso: string): Promise<void>
  setPrice(code: string, last: number, extra?: Record<string, unknown>): Promise<void>
  /** Advances the market clock by `seconds` (so the next quote is newer) and ticks the worker. */
  step(seconds?: number, w?: MonitorWorker): Promise<TickResult>
  addStock(values: Partial<StockFormValues> & { code: string }, quant?: Record<string, unknown>): Promise<number>
  close(): Promise<void>
}

export interface SimState {
  account: { cash: number; total_asset: number }
  positions: Array<{ stock_code: string; volume: number; can_use_volume: number }>
  orders: Array<{ order_id: number; stock_code: string; order_type: number; order_volume: number; order_status: number; traded_volume: number; order_remark: string; status_msg: string }>
  requests: Record<string, number>
}

export async function startWorkerHarness(provider: 'sqlite' | 'postgresql', opts: { start?: string; absentAfterMs?: number; bridgeTimeoutMs?: number; closures?: string[] } = {}): Promise<WorkerHarness> {
  const db = await createTestDb(provider)
  process.env.DATABASE_URL = db.url
  const sim = await startPaperExchange({ stateFile: null, scenario: 'none', start: opts.start ?? at(MONDAY, '09:29:00'), paused: true, cash: 1_000_000, seed: 7, closures: opts.closures ?? [] })
  const user = await createUser(`t${Date.now()}@example.com`, 'x', 'ADMIN')
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
  const bridgeTimeoutMs = opts.bridgeTimeoutMs ?? 1_500
  const make = (workerId: string, o: { leaseTtlMs?: number; clock?: MarketClock; bridgeUrl?: string } = {}) => {
    const clock = o.clock ?? new SimClock(sim.url)
    return new MonitorWorker({
      workerId,
      clock,
      broker: createBroker({ broker: 'qmt', baseUrl: o.bridgeUrl ?? sim.bridgeUrl, token: sim.token, timeoutMs: bridgeTimeoutMs, clock: () => clock.now() }),
      quotes: createQuoteService({ providers: ['tencent'], baseUrls: { tencent: sim.url }, timeoutMs: 2_000, concurrency: 2 }),
      log,
      defaults: { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 },
      auctions: false,
      bridgeTimeoutMs,
      leaseTtlMs: o.leaseTtlMs ?? 60_000,
      absentAfterMs: opts.absentAfterMs ?? 1_000,
    })
  }
  const worker = make('w1')
  const control = (path: string, body?: unknown) => simControl(sim, path, body)
  const h: WorkerHarness = {
    db,
    sim,
    userId: user.id,
    worker,
    newWorker: make,
    control,
    state: () => control('/control/state') as Promise<SimState>,
    setClock: async (iso) => {
      await control('/control/clock', { now: iso, paused: true })
    },
    setPrice: async (code, last, extra = {}) => {
      await control('/control/price', { code, last, ...extra })
    },
    step: async (seconds = 3, w = worker) => {
      await control('/control/tick', { seconds })
      return w.tick()
    },
    addStock: async (values, quant = {}) => {
      const input = stockInputSchema.parse({
        name: 'TEST',
        entryLow: '9.00',
        entryHigh: '9.10',
        takeProfit: '9.50',
        stopLoss: '8.80',
        ...values,
        quant: { autoTrade: true, maxPositionPct: 10, minTradeAmount: 1000, entryPriceMode: 'BEST_OPPOSITE', ...quant },
      })
      return (await createStock(user.id, input)).id
    },
    close: async () => {
      await sim.close()
      await getDb().$disconnect()
      await db.drop()
    },
  }
  return h
}

/** order_stock requests the paper exchange received (executed or not). */
export function orderRequests(s: SimState): number {
  return (s.requests as Record<string, number>).order_stock ?? 0
}

export async function notificationTypes(userId: number): Promise<string[]> {
  const rows = await getDb().notification.findMany({ where: { userId }, orderBy: { id: 'asc' }, select: { type: true } })
  return rows.map((r) => r.type)
}

/** A control request to a paper exchange (GET without a body, POST with one); its JSON answer. */
export async function simControl(sim: { url: string; controlToken: string }, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-token': sim.controlToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${path} → ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}
