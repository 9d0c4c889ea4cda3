/**
 * Set-up for the web-app service suites: a throwaway database per provider (real migrations),
 * users, monitors created through the real service, and direct seeding of what the worker writes
 * (quotes, bars, triggers, orders, fills, heartbeats, health rows, account snapshots).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema, type StockFormValues } from '@/lib/schemas/stock'
import { createTestDb, type TestDb } from '../helpers/db'

export const KEY = `test-key-${randomBytes(24).toString('hex')}`

export function useWebDb(provider: 'sqlite' | 'postgresql'): { current: () => TestDb } {
  let t: TestDb | undefined
  beforeAll(async () => {
    t = await createTestDb(provider)
    process.env.DATABASE_URL = t.url
    process.env.DINGPAN_ENCRYPTION_KEY = KEY
  })
  afterAll(async () => {
    await getDb().$disconnect()
    await t?.drop()
  })
  return { current: () => t! }
}

let seq = 0
export async function makeUser(role: 'ADMIN' | 'USER' = 'USER'): Promise<number> {
  const u = await getDb().user.create({ data: { email: `w${++seq}-${randomBytes(3).toString('hex')}@example.com`, passwordHash: 'x', role } })
  return u.id
}

export async function makeStock(userId: number, over: Partial<StockFormValues> = {}) {
  const input = stockInputSchema.parse({
    code: '600000.SH',
    name: '浦发银行',
    entryLow: '9.20',
    entryHigh: '9.50',
    takeProfit: '10.50',
    stopLoss: '8.80',
    ...over,
  })
  return createStock(userId, input)
}

export async function seedSnapshot(code: string, o: { lastMilli: number; prevCloseMilli: number; quoteTime: Date; name?: string; limitUpMilli?: number | null; limitDownMilli?: number | null; asks?: Array<{ price: number; volume: number }>; bids?: Array<{ price: number; volume: number }> }) {
  const data = {
    name: o.name ?? code,
    lastMilli: o.lastMilli,
    prevCloseMilli: o.prevCloseMilli,
    openMilli: o.prevCloseMilli,
    highMilli: Math.max(o.lastMilli, o.prevCloseMilli),
    lowMilli: Math.min(o.lastMilli, o.prevCloseMilli),
    volume: 1_000_000n,
    amountMilli: 10_000_000_000n,
    bids: o.bids ?? [{ price: (o.lastMilli - 10) / 1000, volume: 50_000 }],
    asks: o.asks ?? [{ price: o.lastMilli / 1000, volume: 50_000 }],
    limitUpMilli: o.limitUpMilli ?? null,
    limitDownMilli: o.limitDownMilli ?? null,
    suspended: false,
    source: 'tencent',
    quoteTime: o.quoteTime,
    fetchedAt: o.quoteTime,
  }
  await getDb().quoteSnapshot.upsert({ where: { code }, create: { code, ...data }, update: data })
}

export async function seedTrigger(stockId: number, o: { kind?: 'ENTRY' | 'TAKE_PROFIT' | 'STOP_LOSS' | 'TRAILING_STOP'; episode?: number; quoteTime: Date; outcome?: 'ORDERED' | 'NOTIFIED' | 'FILLED' | 'KILL_SWITCH' | 'FAILED'; priceMilli?: number }) {
  return getDb().triggerEvent.create({
    data: { stockId, kind: o.kind ?? 'ENTRY', episode: o.episode ?? 1, priceMilli: o.priceMilli ?? 9_300, levelMilli: 9_500, quoteTime: o.quoteTime, autoTrade: true, outcome: o.outcome ?? 'ORDERED' },
  })
}

export async function seedOrder(
  userId: number,
  stockId: number,
  triggerEventId: number,
  o: { status?: 'PENDING' | 'SENDING' | 'SUBMITTED' | 'PARTIALLY_FILLED' | 'CANCELLING' | 'FILLED' | 'CANCELLED' | 'REJECTED' | 'FAILED' | 'UNKNOWN'; bridgeOrderId?: string | null; xtStatus?: number | null; statusMsg?: string | null; code?: string; side?: 'BUY' | 'SELL'; attempt?: number; createdAt?: Date } = {},
) {
  const status = o.status ?? 'SUBMITTED'
  const terminal = ['FILLED', 'CANCELLED', 'REJECTED', 'FAILED'].includes(status)
  return getDb().order.create({
    data: {
      clientOrderId: `dp${randomBytes(8).toString('hex')}`,
      triggerEventId,
      attempt: o.attempt ?? 1,
      activeKey: terminal ? null : triggerEventId,
      stockId,
      userId,
      code: o.code ?? '600000.SH',
      side: o.side ?? 'BUY',
      quantity: 1000,
      priceType: 'LIMIT',
      xtPriceType: 11,
      limitPriceMilli: 9_300,
      status,
      bridgeOrderId: o.bridgeOrderId === undefined ? '1001' : o.bridgeOrderId,
      xtStatus: o.xtStatus === undefined ? 50 : o.xtStatus,
      statusMsg: o.statusMsg ?? null,
      ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    },
  })
}

export async function seedHeartbeat(o: { endedAt: Date; phase?: string; marketTime?: Date; errors?: number; errorText?: string | null; clockMode?: string }) {
  return getDb().workerHeartbeat.create({
    data: {
      workerId: 'test-worker',
      cycleStartedAt: new Date(o.endedAt.getTime() - 120),
      cycleEndedAt: o.endedAt,
      durationMs: 120,
      marketPhase: o.phase ?? 'continuous',
      clockMode: o.clockMode ?? 'wall',
      marketTime: o.marketTime ?? o.endedAt,
      monitors: 2,
      quotesFetched: 2,
      signals: 0,
      ordersSent: 0,
      errors: o.errors ?? 0,
      errorText: o.errorText ?? null,
    },
  })
}

export async function clearWorkerTables() {
  const db = getDb()
  await db.fill.deleteMany({})
  await db.notificationDelivery.deleteMany({})
  await db.notification.deleteMany({})
  await db.order.deleteMany({})
  await db.triggerEvent.deleteMany({})
  await db.quoteBar.deleteMany({})
  await db.quoteSnapshot.deleteMany({})
  await db.workerHeartbeat.deleteMany({})
  await db.serviceHealth.deleteMany({})
  await db.positionSnapshot.deleteMany({})
  await db.accountSnapshot.deleteMany({})
  await db.setting.deleteMany({})
  await db.auditLog.deleteMany({})
  await db.exRightsAdjustment.deleteMany({})
  await db.quantConfig.deleteMany({})
  await db.monitoredStock.deleteMany({})
}

/** A market clock reading fixed at `at` (what readMarketClock returns for a paused simulated clock). */
export function fixedClock(at: Date | null, mode: 'wall' | 'sim' = 'sim') {
  return { mode, now: at, estimated: false, error: at ? null : 'unreachable' }
}

/** 2026-09-14 is a Monday and a trading day; `at(h, m)` is that day's Asia/Shanghai time. */
export function at(h: number, m: number, s = 0): Date {
  return new Date(Date.UTC(2026, 8, 14, h - 8, m, s))
}
