// 200 runs: the worker process is SIGKILLed at a random point of the trigger → order path (inside
// the signal transaction, after its commit, mid-request, after the bridge answered, after the
// answer was recorded, or at a random moment), then restarted. The runs mix entries with exits of a
// managed position: stop-loss, take-profit, trailing stop, and a stop-loss that supersedes a resting
// take-profit (cancel, wait for the exchange's confirmation, then send); and the conditional orders
// of issue 14: staged take-profit tranches (two or three, each one order, the rest held and
// protected), the breakeven stop after a tranche (it sells the rest at the breakeven level, not the
// original stop), the rebound entry (one buy, its limit never above the trigger level) and the
// COOLDOWN re-arm policy (the exit fills, the monitor re-arms exactly once — the worker killed
// around the re-arm too — and the next entry is a new episode). Per trigger key at most one order at
// the exchange; per stock at most one live order at the exchange at any sampled instant; exactly one
// order_stock request per order the exchange holds; never more sold than held (the exchange's
// position never negative, a position's sells at most what it held, no sell refused); once a stop
// fired no take-profit is sent; a final outcome the user was told about for every order, tranche and
// re-arm; at the end no order is FAILED or CANCELLED in our database while the exchange's own book
// holds it live.
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
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { breakevenStopMilli, markPositionManaged, normalizeMemo, toMilli } from '@/lib/market'
import { abandonedLive, duplicateOrders, LIVE_AT_EXCHANGE, writeFigures } from './report'

const RUNS = Number(process.env.CHAOS_RUNS ?? 200)
const SEED = Number(process.env.CHAOS_SEED ?? 20261121)
const POINTS = ['in-signal-tx', 'after-commit', 'after-claim', 'mid-request', 'after-send', 'after-record', 'random-time'] as const
type Point = (typeof POINTS)[number]
const KINDS = ['entry', 'stop-loss', 'take-profit', 'trailing', 'supersede', 'tranche', 'breakeven', 'rebound', 'rearm'] as const
type Kind = (typeof KINDS)[number]

let db: TestDb
let sim: PaperExchangeHandle
let userId: number
let env: Record<string, string>

async function control(p: string, body: unknown) {
  const res = await fetch(`${sim.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': sim.controlToken }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`)
}

interface BookOrder { order_remark: string; stock_code: string; order_status: number }
async function book(): Promise<{ orders: BookOrder[]; requests: Record<string, number> }> {
  const res = await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })
  return (await res.json()) as { orders: BookOrder[]; requests: Record<string, number> }
}
async function bridgeOrders(): Promise<BookOrder[]> {
  return (await book()).orders
}

/** The largest number of orders for `code` seen live at the exchange at one instant (sampled). */
let maxLive = 0
async function sampleLive(code: string): Promise<void> {
  const n = (await bridgeOrders()).filter((o) => o.stock_code === code && LIVE_AT_EXCHANGE.has(o.order_status)).length
  if (n > maxLive) maxLive = n
}

/** A managed position of 1,000 shares bought at 9.05 (highest since entry `highest`), held at the exchange too. */
async function holding(stockId: number, code: string, highest: number): Promise<void> {
  await control('/control/holding', { code, volume: 1_000, avgPrice: 9.05 })
  const row = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stockId } })
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice: 9.05 })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(getDb(), (tx) =>
    writeMachineState(tx, stockId, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(highest), triggerMemo: next.memo, stateChanged: true }, { positionQty: 1_000, positionCostMilli: toMilli(9.05), version: { increment: 1 } }),
  )
}

const LEVELS = { name: 'CHAOS', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' }
const QUANT = { autoTrade: true, maxPositionPct: 0.01, minTradeAmount: 100 }
/** A price with depth to sell there at once. */
const sellAt = (last: number) => ({ last, bids: [{ price: last, volume: 10_000_000 }], asks: [{ price: Math.round(last * 100 + 1) / 100, volume: 100_000 }] })
/** The price that fires each kind of trigger (with depth to fill at once); for the staged kinds the first stage's. */
const FIRE: Record<Kind, { last: number; bids?: unknown; asks?: unknown }> = {
  entry: { last: 9.05, asks: [{ price: 9.05, volume: 10_000_000 }] },
  'stop-loss': { last: 8.7, bids: [{ price: 8.7, volume: 10_000_000 }], asks: [{ price: 8.71, volume: 100_000 }] },
  'take-profit': { last: 9.55, bids: [{ price: 9.55, volume: 10_000_000 }], asks: [{ price: 9.56, volume: 100_000 }] },
  trailing: { last: 9.15, bids: [{ price: 9.15, volume: 10_000_000 }], asks: [{ price: 9.16, volume: 100_000 }] },
  supersede: { last: 8.7, bids: [{ price: 8.7, volume: 10_000_000 }], asks: [{ price: 8.71, volume: 100_000 }] },
  tranche: sellAt(9.55),
  breakeven: sellAt(9.55),
  // The rebound off the low 9.02 (seen by a worker that is not killed) to 9.06: the trigger level is
  // 9.02 + 3 ticks = 9.05; the buy (latest + 2 ticks = 9.08) is capped at 9.05 and fills there.
  rebound: { last: 9.06, asks: [{ price: 9.05, volume: 10_000_000 }] },
  rearm: { last: 9.55, bids: [{ price: 9.55, volume: 10_000_000 }], asks: [{ price: 9.56, volume: 100_000 }] },
}
/** Monitors that start as a managed position of 1,000 shares (every kind but the entries). */
const MANAGED: ReadonlySet<Kind> = new Set(['stop-loss', 'take-profit', 'trailing', 'supersede', 'tranche', 'breakeven', 'rearm'])
/** Staged take-profit: tranche 1 = 30 % at 9.50, tranche 2 = 30 % at 9.70, tranche 3 = 30 % at 9.90 of 1,000 shares. */
const TRANCHE_PRICES = [9.55, 9.75, 9.95]
const TRANCHE_TARGETS = [700, 400, 100]

/** The stock schema's input for each kind (through stockInputSchema, as the form and the API). */
function stockInput(kind: Kind, code: string, tranches: number) {
  const staged = { quant: { ...QUANT, exitQtyMode: 'PCT', exitPct: 30 } }
  switch (kind) {
    case 'trailing':
      return { code, ...LEVELS, trailingStopPct: '2', quant: QUANT }
    case 'supersede':
      return { code, ...LEVELS, quant: { ...QUANT, exitPriceMode: 'TRIGGER_PRICE', unfilledTimeoutSec: 600 } }
    case 'tranche':
      return { code, ...LEVELS, takeProfit2: '9.70', takeProfit2SharePct: '30', ...(tranches === 3 ? { takeProfit3: '9.90', takeProfit3SharePct: '30' } : {}), ...staged }
    case 'breakeven':
      return { code, ...LEVELS, breakevenStop: true, ...staged }
    case 'rebound':
      return { code, ...LEVELS, entryTrigger: 'REBOUND', reboundTicks: '3', quant: { ...QUANT, entryPriceMode: 'LATEST_OFFSET', entryOffsetTicks: 2 } }
    case 'rearm':
      return { code, ...LEVELS, rearmPolicy: 'COOLDOWN', rearmCooldownMin: '1', quant: QUANT }
    default:
      return { code, ...LEVELS, quant: QUANT }
  }
}

const FINAL = ['FILLED', 'FAILED', 'CANCELLED', 'REJECTED']

async function settled(stockId: number): Promise<boolean> {
  const trig = await getDb().triggerEvent.findMany({ where: { stockId } })
  if (trig.length === 0) return false
  const orders = await getDb().order.findMany({ where: { stockId } })
  return trig.every((t) => !['PENDING', 'ORDERED'].includes(t.outcome)) && orders.every((o) => FINAL.includes(o.status))
}

/**
 * Times the paused market had to be moved on by one second for a trigger to settle. A live market
 * quotes every few seconds; the paused one gives a worker restarted after a kill only the quote
 * the killed worker may already have evaluated (a quote is never evaluated twice), so a trigger
 * that waits for a newer quote would wait for ever. Reported with the figures.
 */
let nudges = 0

/** The longest a trigger took to settle after its worker started (ms), reported with the figures. */
let slowestSettleMs = 0

/** Times a settled stock that had not reached its goal yet (see waitSettled's `until`) got the market moved on by 3 s. */
let pokes = 0

/**
 * Liveness bound: 180 s. Twice in clean-clone CI runs a restarted worker did not act on one stock
 * within the former 60 s, with nothing logged, nothing duplicated and nothing wrong in the database
 * (not reproduced in three local runs of the same seed); the failure now also prints the lease rows
 * and the last heartbeats, which say whether the worker was cycling or standing by.
 */
async function waitSettled(stockId: number, code: string, worker: Proc, timeoutMs = 180_000, until?: () => Promise<boolean>): Promise<void> {
  const start = Date.now()
  const end = start + timeoutMs
  let nextNudge = start + 15_000
  let nextPoke = start + 1_000
  while (Date.now() < end) {
    await sampleLive(code)
    if (await settled(stockId)) {
      if (!until || (await until())) {
        slowestSettleMs = Math.max(slowestSettleMs, Date.now() - start)
        return
      }
      // Settled but not there yet (an exit killed before its send, proven absent, fires again on a
      // newer quote; a re-arm waits for its cooldown): move the market on, as the exit loop does.
      if (Date.now() >= nextPoke) {
        pokes++
        nextPoke = Date.now() + 1_000
        await control('/control/tick', { seconds: 3 })
      }
    }
    if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output().slice(-3000)}`)
    if (Date.now() >= nextNudge) {
      nudges++
      nextNudge = Date.now() + 3_000
      await control('/control/tick', { seconds: 1 })
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  const trig = await getDb().triggerEvent.findMany({ where: { stockId } })
  const orders = await getDb().order.findMany({ where: { stockId } })
  const state = await (await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })).json()
  const m = await getDb().monitoredStock.findUnique({ where: { id: stockId }, select: { state: true, positionQty: true, positionSellableQty: true, exitsPausedAt: true, triggerMemo: true } })
  const leases = await getDb().workerLease.findMany()
  const beats = await getDb().workerHeartbeat.findMany({ orderBy: { id: 'desc' }, take: 5, select: { workerId: true, cycleStartedAt: true, marketPhase: true, monitors: true, quotesFetched: true, signals: true, errors: true, errorText: true } })
  throw new Error(`stock ${stockId} did not settle: leases ${JSON.stringify(leases)} heartbeats ${JSON.stringify(beats)} bridge ${JSON.stringify(state.orders.slice(-2))} triggers ${JSON.stringify(trig.map((t) => t.outcome))} orders ${JSON.stringify(orders.map((o) => [o.status, o.errorMessage]))} monitor ${JSON.stringify(m)}\n${worker.output().slice(-3000)}`)
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

const qtyOf = async (stockId: number) => (await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stockId } })).positionQty

/** Moves the market to `price` and waits for `worker` to bring the position down to `target` (an exit proven absent after a kill fires again). */
async function sellDownTo(stockId: number, code: string, worker: Proc, price: number, target: number): Promise<void> {
  await control('/control/price', { code, prevClose: 9.1, ...sellAt(price) })
  await control('/control/tick', { seconds: 3 })
  await waitSettled(stockId, code, worker, 180_000, async () => (await qtyOf(stockId)) <= target)
}

/** A worker that is not killed does `stage`, then stops (SIGTERM). */
async function withStager(stage: (w: Proc) => Promise<void>): Promise<void> {
  const stager = startWorker(env)
  try {
    await stage(stager)
  } finally {
    await stager.stop('SIGTERM', 10_000)
  }
}

/**
 * Starts a worker that is killed at `point` (a named crash point, or SIGKILL during a slowed
 * request / at a random moment); returns whether the SIGKILL happened.
 */
async function crashWorker(point: Point, delayMs: number, faultMethod: string): Promise<'killed' | 'not-killed'> {
  // Mid-request: the bridge answers slowly, so a kill during the request is likely.
  if (point === 'mid-request') await control('/control/fault', { kind: 'delay', method: faultMethod, delayMs: 800, count: 1 })
  const named = point === 'mid-request' || point === 'random-time' ? {} : { DINGPAN_CRASH_POINT: point }
  const crashing = startWorker({ ...env, ...named })
  if (point === 'mid-request' || point === 'random-time') {
    const wait = point === 'mid-request' ? 1_200 + (delayMs % 600) : delayMs
    await new Promise((r) => setTimeout(r, wait))
    crashing.child.kill('SIGKILL')
  }
  const exit = await Promise.race([crashing.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 20_000))])
  if (exit === 'alive') {
    crashing.child.kill('SIGKILL')
    await crashing.exited
    if (point === 'mid-request') await control('/control/fault', { clear: true })
    return 'not-killed'
  }
  if (point === 'mid-request') await control('/control/fault', { clear: true })
  return crashing.child.signalCode === 'SIGKILL' ? 'killed' : 'not-killed'
}

/** The exchange's position in `code` (0 when it holds none), and whether any position it reports is negative. */
async function exchangePosition(code: string): Promise<{ volume: number; canUse: number; negative: boolean }> {
  const res = await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })
  const st = (await res.json()) as { positions: Array<{ stock_code: string; volume: number; can_use_volume: number; frozen_volume: number }> }
  const negative = st.positions.some((p) => p.volume < 0 || p.can_use_volume < 0 || p.frozen_volume < 0)
  const p = st.positions.find((x) => x.stock_code === code)
  return { volume: p?.volume ?? 0, canUse: p?.can_use_volume ?? 0, negative }
}

/** A paused market that nears the lunch break moves on to the afternoon session (the runs only ever move it forward). */
async function avoidLunch(): Promise<void> {
  const res = await fetch(`${sim.url}/control/clock`)
  const now = new Date(((await res.json()) as { now: string }).now)
  const sh = new Date(now.getTime() + 8 * 3600_000)
  const min = sh.getUTCHours() * 60 + sh.getUTCMinutes()
  if (min >= 11 * 60 + 20 && min < 13 * 60) {
    const day = sh.toISOString().slice(0, 10)
    await control('/control/clock', { now: `${day}T05:00:05.000Z` })
  }
  if (min >= 14 * 60 + 45) throw new Error(`the paused market reached ${sh.toISOString()} (Shanghai): too late in the session for the remaining runs`)
}

describe(`crash consistency over ${RUNS} SIGKILLs`, () => {
  it('never sends a second order for a trigger, and every trigger ends in a final outcome', async () => {
    const rng = fc.sample(fc.tuple(fc.constantFrom(...POINTS), fc.integer({ min: 0, max: 2_500 }), fc.constantFrom(...KINDS), fc.integer({ min: 0, max: 1_000_000 })), { numRuns: RUNS, seed: SEED })
    const codes = benchCodes(RUNS)
    const killedAt: Record<Point, number> = Object.fromEntries(POINTS.map((p) => [p, 0])) as Record<Point, number>
    const killedIn: Record<Kind, number> = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
    const runsOf: Record<Kind, number> = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
    const outcomes: Record<string, number> = {}
    const requestMismatch: string[] = []
    const exitEnds: Record<string, number> = {}
    // issue 14 kinds
    const trancheKilledAt: Record<string, number> = {}
    const breakevenKilledAt: Record<string, number> = {}
    const rearmKills: Record<string, number> = {}
    const problems: string[] = []
    const problem = (msg: string) => {
      problems.push(msg)
      process.stdout.write(`[chaos] PROBLEM ${msg}\n`)
    }
    let expectedTriggers = 0
    let notKilled = 0
    let rearms = 0
    maxLive = 0
    for (let i = 0; i < RUNS; i++) {
      const [point, delayMs, kind, variant] = rng[i]!
      runsOf[kind]++
      await avoidLunch()
      const code = codes[i]!
      const requestsBefore = (await book()).requests.order_stock ?? 0
      const tranches = kind === 'tranche' ? 2 + (variant % 2) : kind === 'breakeven' ? 1 : 0
      // The stage killed: for tranche runs the tranche (0-based), for breakeven runs 0 = the tranche, 1 = the breakeven stop.
      const killStage = kind === 'tranche' ? Math.floor(variant / 2) % tranches : kind === 'breakeven' ? Math.floor(variant / 2) % 2 : 0
      if (process.env.CHAOS_VERBOSE) process.stdout.write(`[chaos] run ${i} ${kind} ${point} ${delayMs}${tranches ? ` tranches ${tranches} killed at stage ${killStage}` : ''}\n`)
      const stock = await createStock(userId, stockInputSchema.parse(stockInput(kind, code, tranches)))
      expectedTriggers += kind === 'supersede' || kind === 'breakeven' || kind === 'rearm' ? 2 : kind === 'tranche' ? tranches : 1
      if (MANAGED.has(kind)) await holding(stock.id, code, kind === 'trailing' ? 9.4 : 9.05)
      if (kind === 'supersede') {
        // A take-profit rests at 9.50 (no bid there), sent by a worker that is not killed.
        await control('/control/price', { code, last: 9.5, prevClose: 9.1, bids: [{ price: 9.49, volume: 100 }], asks: [{ price: 9.51, volume: 100_000 }] })
        await control('/control/tick', { seconds: 3 })
        await withStager(async (stager) => {
          const end = Date.now() + 30_000
          for (;;) {
            await sampleLive(code)
            const tp = await getDb().order.findFirst({ where: { stockId: stock.id, status: 'SUBMITTED' } })
            if (tp) break
            if (Date.now() > end || stager.child.exitCode !== null) throw new Error(`take-profit never rested:\n${stager.output().slice(-3000)}`)
            await new Promise((r) => setTimeout(r, 150))
          }
        })
      }
      if (kind === 'tranche' && killStage > 0) {
        // The tranches before the killed one, sold by a worker that is not killed.
        await withStager(async (stager) => {
          for (let t = 0; t < killStage; t++) await sellDownTo(stock.id, code, stager, TRANCHE_PRICES[t]!, TRANCHE_TARGETS[t]!)
        })
      }
      if (kind === 'breakeven' && killStage === 1) await withStager((stager) => sellDownTo(stock.id, code, stager, TRANCHE_PRICES[0]!, TRANCHE_TARGETS[0]!))
      let breakevenMilli: number | null = null
      const breakevenLevel = async () => {
        const m = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })
        return normalizeMemo(m.triggerMemo as never).exits?.breakevenMilli ?? null
      }
      if (kind === 'breakeven' && killStage === 1) {
        // The breakeven stop became active after the tranche (evaluated on the next quote; it may already be).
        breakevenMilli = await breakevenLevel()
        if (breakevenMilli === null) {
          await control('/control/price', { code, prevClose: 9.1, ...sellAt(9.45) })
          await control('/control/tick', { seconds: 3 })
          await withStager(async (stager) => {
            const end = Date.now() + 30_000
            while ((breakevenMilli = await breakevenLevel()) === null) {
              if (Date.now() > end || stager.child.exitCode !== null) throw new Error(`breakeven stop never activated:\n${stager.output().slice(-3000)}`)
              await new Promise((r) => setTimeout(r, 150))
            }
          })
        }
      }
      if (kind === 'rebound') {
        // The dip into the zone to 9.02, seen (and its low kept) by a worker that is not killed; a rebound entry buys nothing there.
        await control('/control/price', { code, last: 9.02, prevClose: 9.1, asks: [{ price: 9.02, volume: 10_000_000 }] })
        await control('/control/tick', { seconds: 3 })
        await withStager(async (stager) => {
          const end = Date.now() + 30_000
          for (;;) {
            const m = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })
            if (normalizeMemo(m.triggerMemo as never).reboundLowMilli === 9_020) break
            if (Date.now() > end || stager.child.exitCode !== null) throw new Error(`the rebound's low was never recorded:\n${stager.output().slice(-3000)}`)
            await new Promise((r) => setTimeout(r, 150))
          }
        })
        if ((await getDb().triggerEvent.count({ where: { stockId: stock.id } })) !== 0) problem(`${i} rebound: a trigger at the dip, before any rebound`)
      }
      // The stage the crashing worker meets.
      const fire =
        kind === 'tranche'
          ? sellAt(TRANCHE_PRICES[killStage]!)
          : kind === 'breakeven' && killStage === 1
            ? sellAt(breakevenMilli! / 1000)
            : FIRE[kind]
      await control('/control/price', { code, prevClose: 9.1, ...fire })
      await control('/control/tick', { seconds: 3 })
      const killed = await crashWorker(point, delayMs, kind === 'supersede' ? 'cancel_order_stock' : 'order_stock')
      if (killed === 'killed') {
        killedAt[point]++
        killedIn[kind]++
        if (kind === 'tranche') trancheKilledAt[`tranche ${killStage + 1} of ${tranches}`] = (trancheKilledAt[`tranche ${killStage + 1} of ${tranches}`] ?? 0) + 1
        if (kind === 'breakeven') breakevenKilledAt[killStage === 0 ? 'tranche' : 'breakeven stop'] = (breakevenKilledAt[killStage === 0 ? 'tranche' : 'breakeven stop'] ?? 0) + 1
      } else notKilled++
      let restarted = startWorker(env)
      try {
        if (kind === 'tranche') {
          // The killed tranche completes, then the later ones, each one order; the rest stays held.
          await waitSettled(stock.id, code, restarted, 180_000, async () => (await qtyOf(stock.id)) <= TRANCHE_TARGETS[killStage]!)
          for (let t = killStage + 1; t < tranches; t++) await sellDownTo(stock.id, code, restarted, TRANCHE_PRICES[t]!, TRANCHE_TARGETS[t]!)
          // Between and above the levels nothing more sells.
          await control('/control/price', { code, prevClose: 9.1, ...sellAt(9.98) })
          await control('/control/tick', { seconds: 3 })
          await new Promise((r) => setTimeout(r, 1_500))
          await sampleLive(code)
        } else if (kind === 'breakeven') {
          if (killStage === 0) {
            await waitSettled(stock.id, code, restarted, 180_000, async () => (await qtyOf(stock.id)) <= TRANCHE_TARGETS[0]!)
            await control('/control/price', { code, prevClose: 9.1, ...sellAt(9.45) })
            await control('/control/tick', { seconds: 3 })
            const end = Date.now() + 30_000
            while ((breakevenMilli = await breakevenLevel()) === null) {
              if (Date.now() > end || restarted.child.exitCode !== null) throw new Error(`breakeven stop never activated:\n${restarted.output().slice(-3000)}`)
              await sampleLive(code)
              await new Promise((r) => setTimeout(r, 150))
            }
            await sellDownTo(stock.id, code, restarted, breakevenMilli / 1000, 0)
          } else await waitSettled(stock.id, code, restarted, 180_000, async () => (await qtyOf(stock.id)) === 0)
        } else if (kind === 'rearm') {
          // The exit fills (CLOSED, EXIT_FILLED); the monitor re-arms 1 min (market time) later.
          await waitSettled(stock.id, code, restarted, 180_000, async () => (await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })).state === 'CLOSED')
          await restarted.stop('SIGTERM', 10_000)
          const closed = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })
          if (normalizeMemo(closed.triggerMemo as never).closedReason?.code !== 'EXIT_FILLED' || closed.positionQty !== 0) problem(`${i} rearm: closed as ${JSON.stringify(normalizeMemo(closed.triggerMemo as never).closedReason)} holding ${closed.positionQty}`)
          const exitEpisode = closed.episode
          // Back in the zone, the cooldown over: a worker killed around the re-arm (a named point
          // kills on the new episode's entry path, after the re-arm committed; the others at a random moment).
          await control('/control/price', { code, last: 9.05, prevClose: 9.1, asks: [{ price: 9.05, volume: 10_000_000 }] })
          await control('/control/tick', { seconds: 63 })
          const k2 = await crashWorker(point, delayMs, 'order_stock')
          const after = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })
          const entryOrders = await getDb().order.count({ where: { stockId: stock.id, side: 'BUY' } })
          const phase = after.episode === exitEpisode ? 'before the re-arm' : entryOrders === 0 ? 're-armed, no entry order yet' : 'after the entry order'
          const label = `${k2 === 'killed' ? `killed ${point}` : 'not killed'}: ${phase}`
          rearmKills[label] = (rearmKills[label] ?? 0) + 1
          restarted = startWorker(env)
          await waitSettled(stock.id, code, restarted, 180_000, async () => (await getDb().triggerEvent.count({ where: { stockId: stock.id, kind: 'ENTRY' } })) > 0)
          const entries = await getDb().triggerEvent.findMany({ where: { stockId: stock.id, kind: 'ENTRY' } })
          const told = await getDb().notification.count({ where: { stockId: stock.id, type: 'MONITOR_REARMED' } })
          const audits = await getDb().auditLog.count({ where: { entity: 'MonitoredStock', entityId: String(stock.id), action: 'stock.policyRearm' } })
          rearms += told
          if (entries.length !== 1 || entries[0]!.episode !== exitEpisode + 1 || told !== 1 || audits !== 1) problem(`${i} rearm: entries ${JSON.stringify(entries.map((e) => e.episode))} after the exit in episode ${exitEpisode}, ${told} MONITOR_REARMED, ${audits} audit entries`)
        } else {
          await waitSettled(stock.id, code, restarted)
          // An exit that ended without selling (claimed but killed before the send: proven absent,
          // FAILED) leaves the position held below the stop: the exit must fire again and sell.
          if (kind !== 'entry' && kind !== 'rebound') {
            const end = Date.now() + 20_000
            while ((await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })).positionQty > 0 && Date.now() < end) {
              await control('/control/tick', { seconds: 3 })
              await waitSettled(stock.id, code, restarted)
            }
          }
        }
      } finally {
        await restarted.stop('SIGTERM', 10_000)
      }
      // Done with this trigger: archive the monitor so its position cannot fire more triggers later.
      await archiveStock(userId, stock.id)
      await control('/control/price', { code, clear: true })
      const o = await getDb().order.findMany({ where: { stockId: stock.id }, include: { triggerEvent: true } })
      const m = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stock.id } })
      const memo = normalizeMemo(m.triggerMemo as never)
      if (kind === 'tranche') {
        // Each tranche sold its slice (one filled order per tranche at the exchange), the rest is held and protected by the stop.
        const filledTp = o.filter((x) => x.side === 'SELL' && x.status === 'FILLED' && x.triggerEvent.kind === 'TAKE_PROFIT').map((x) => x.filledQuantity)
        const expected = TRANCHE_TARGETS.slice(0, tranches).map((t, j) => (j === 0 ? 1_000 : TRANCHE_TARGETS[j - 1]!) - t)
        const rest = TRANCHE_TARGETS[tranches - 1]!
        const ok = m.positionQty === rest && m.state === 'HOLDING' && memo.exits?.done === tranches && JSON.stringify(filledTp) === JSON.stringify(expected) && m.stopLossMilli === 8_800
        const k = `tranche:${ok ? `${tranches} tranches sold, ${rest} held under the stop` : `still held (${m.state}, ${m.positionQty} shares, tranche fills ${JSON.stringify(filledTp)})`}`
        exitEnds[k] = (exitEnds[k] ?? 0) + 1
        if (!ok) process.stdout.write(`[chaos] PROBLEM ${i} ${k}\n`)
      } else if (kind === 'breakeven') {
        const stop = o.find((x) => x.triggerEvent.kind === 'STOP_LOSS' && x.status === 'FILLED')
        const be = breakevenStopMilli(code, 9_050, 700)
        const ok = m.positionQty === 0 && stop !== undefined && stop.triggerEvent.levelMilli === breakevenMilli && breakevenMilli === be && be > 8_800 && stop.filledQuantity === 700
        const k = `breakeven:${ok ? 'sold at the breakeven level' : `still held (${m.state}, ${m.positionQty}; stop at ${stop?.triggerEvent.levelMilli}, breakeven ${breakevenMilli} expected ${be})`}`
        exitEnds[k] = (exitEnds[k] ?? 0) + 1
        if (!ok) process.stdout.write(`[chaos] PROBLEM ${i} ${k}\n`)
      } else if (kind === 'rearm') {
        const sold = o.filter((x) => x.side === 'SELL').reduce((n, x) => n + x.filledQuantity, 0)
        const k = `rearm:${sold === 1_000 ? `sold, re-armed, ${m.state === 'HOLDING' ? 'bought again' : `entry ${m.state}`}` : `still held (${1_000 - sold} of the first position)`}`
        exitEnds[k] = (exitEnds[k] ?? 0) + 1
      } else if (kind === 'rebound') {
        const entry = await getDb().triggerEvent.findMany({ where: { stockId: stock.id } })
        const capped = o.every((x) => x.side === 'BUY' && x.limitPriceMilli !== null && x.limitPriceMilli <= 9_050)
        if (entry.length !== 1 || entry[0]!.kind !== 'ENTRY' || entry[0]!.levelMilli !== 9_050 || !capped) problem(`${i} rebound: triggers ${JSON.stringify(entry.map((t) => [t.kind, t.levelMilli]))}, orders ${JSON.stringify(o.map((x) => [x.side, x.limitPriceMilli, x.status]))}`)
      } else if (kind !== 'entry') {
        const k = `${kind}:${m.positionQty > 0 ? `still held (${m.state})` : 'sold'}`
        exitEnds[k] = (exitEnds[k] ?? 0) + 1
      }
      for (const x of o) outcomes[`${kind}:${x.status}`] = (outcomes[`${kind}:${x.status}`] ?? 0) + 1
      // Never more sold than held: a managed position's sells at most its 1,000 shares, no sell
      // refused, and the exchange holds what the monitor says (1,000 − sold + bought).
      const pos = await exchangePosition(code)
      const soldQty = o.filter((x) => x.side === 'SELL').reduce((n, x) => n + x.filledQuantity, 0)
      const boughtQty = o.filter((x) => x.side === 'BUY').reduce((n, x) => n + x.filledQuantity, 0)
      const heldAtStart = MANAGED.has(kind) ? 1_000 : 0
      if (pos.negative) problem(`${i} ${kind}: a negative position at the exchange`)
      if (soldQty > heldAtStart) problem(`${i} ${kind}: sold ${soldQty} of ${heldAtStart} held`)
      if (o.some((x) => x.side === 'SELL' && x.status === 'REJECTED')) problem(`${i} ${kind}: a sell refused by the exchange`)
      if (pos.volume !== heldAtStart - soldQty + boughtQty) problem(`${i} ${kind}: the exchange holds ${pos.volume}, expected ${heldAtStart} − ${soldQty} + ${boughtQty}`)
      // A stop outranks a take-profit: once a stop fired, no take-profit order is created.
      const firstStop = o.filter((x) => x.triggerEvent.kind === 'STOP_LOSS').map((x) => x.triggerEvent.createdAt.getTime())
      const stopAt = firstStop.length ? Math.min(...firstStop) : Infinity
      if (o.some((x) => x.triggerEvent.kind === 'TAKE_PROFIT' && x.createdAt.getTime() > stopAt)) problem(`${i} ${kind}: a take-profit order after the stop fired`)
      if (kind === 'supersede' && !o.some((x) => x.triggerEvent.kind === 'STOP_LOSS' && x.status === 'FILLED')) problem(`${i} supersede: the stop never sold`)
      // Exactly one order_stock request per order the exchange holds for this run.
      const after = await book()
      const sent = (after.requests.order_stock ?? 0) - requestsBefore
      const held = after.orders.filter((b) => b.stock_code === code).length
      if (sent !== held) requestMismatch.push(`${i} ${kind} ${point}: ${sent} requests, ${held} orders`)
    }

    const orders = await getDb().order.findMany({ select: { clientOrderId: true, triggerEventId: true, status: true } })
    const atBridge = await bridgeOrders()
    const { duplicates } = duplicateOrders(orders, atBridge)
    const abandoned = abandonedLive(orders, atBridge)
    // Per trigger key (stock, kind, episode): at most one order reached the exchange.
    const triggerOf = new Map(orders.map((o) => [o.clientOrderId, o.triggerEventId]))
    const perTrigger = new Map<number, number>()
    for (const b of atBridge) {
      const t = triggerOf.get(b.order_remark)
      if (t !== undefined) perTrigger.set(t, (perTrigger.get(t) ?? 0) + 1)
    }
    const maxOrdersPerTriggerKey = Math.max(0, ...perTrigger.values())
    const triggers = await getDb().triggerEvent.findMany()
    const unfinished = triggers.filter((t) => ['PENDING', 'ORDERED'].includes(t.outcome)).length
    const openOrders = await getDb().order.count({ where: { status: { notIn: FINAL as never } } })
    const untold = (await getDb().order.findMany({ include: { notifications: true } })).filter((o) => !o.notifications.some((n) => /ORDER_(FILLED|FAILED|REJECTED|CANCELLED|RECONCILED)/.test(n.type))).length
    const clock = ((await (await fetch(`${sim.url}/control/clock`)).json()) as { now: string }).now

    writeFigures('crash-consistency', {
      runs: RUNS,
      seed: SEED,
      quoteNudges: nudges,
      goalPokes: pokes,
      slowestSettleMs,
      marketClockAtEnd: clock,
      runsByKind: runsOf,
      killedAt,
      killedByKind: killedIn,
      trancheKilledAt,
      breakevenKilledAt,
      rearmKills,
      rearms,
      notKilled,
      maxLiveOrdersPerStock: maxLive,
      maxOrdersPerTriggerKey,
      orderRequestMismatches: requestMismatch.length,
      abandonedLiveOrders: abandoned.length,
      exitEnds,
      problems,
      exitTriggersRefired: triggers.length - expectedTriggers,
      triggers: triggers.length,
      ordersAtBridge: atBridge.length,
      duplicateOrders: duplicates,
      triggersWithoutFinalOutcome: unfinished + openOrders,
      ordersWithoutFinalNotification: untold,
      outcomes,
    })
    // one trigger per run; a superseding run has two (the take-profit and the stop), a tranche run
    // one per tranche, a breakeven run two (the tranche and the stop), a re-arm run two (the exit and
    // the next episode's entry); an exit that ended unsold (proven absent after a kill) fires again,
    // with a trigger of its own
    expect(triggers.length).toBeGreaterThanOrEqual(expectedTriggers)
    expect(new Set(triggers.map((t) => t.stockId)).size).toBe(RUNS)
    // every exit sold the position in the end (a tranche run: sold its tranches, the rest held under the stop)
    expect(Object.keys(exitEnds).filter((k) => k.includes('still held'))).toEqual([])
    expect(problems).toEqual([])
    expect(rearms).toBe(runsOf.rearm)
    expect(duplicates).toBe(0)
    expect(maxOrdersPerTriggerKey).toBeLessThanOrEqual(1)
    expect(maxLive).toBeLessThanOrEqual(1)
    expect(requestMismatch).toEqual([])
    expect(abandoned).toEqual([])
    expect(unfinished + openOrders).toBe(0)
    expect(untold).toBe(0)
  })
})
