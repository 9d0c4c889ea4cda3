import { BOARD_RULES } from './board'
import { shanghaiTime } from './calendar'
import { parseCode } from './codes'
import { MarketRuleError } from './errors'
import { estimateFeesMilli, type FeeRates } from './fees'
import { limitPricesMilli } from './limits'
import type { EntryQuantityMode, ExitQuantityMode } from './quantity-modes'
import { resolveLevelsMilli, takeProfitFromCostMilli, type RelativeLevels } from './relative-levels'
import { onUnfilledTimeout } from './resting'
import { addTradingSeconds } from './trading-time'
import { emptyMemo } from './memo'
import { fromMilli, mulDiv, toMilli, toPpm } from './money'
import { DEFAULT_PRICING, type PricingSpec } from './pricing'
import type { Quote } from './quote'
import { sizeOrder } from './sizing'
import { trancheSharesWanted, type TrancheSpec } from './staged-exits'
import { roundMilliToTick } from './ticks'
import { applyOrderOutcome, markPositionManaged, rearm } from './transitions'
import { evaluate } from './trigger'
import type { MonitorInput, MonitorState, PositionInfo, SignalAction, TriggerKind, TriggerMemo, TriggerOptions } from './trigger-types'
import type { Side } from './types'

/**
 * Replay: what a monitor's levels would have done on a bar series. Pure (bars in, results out).
 *
 * One engine: every price point goes through the same `evaluate` the worker calls, every order
 * signal is sized and priced by the same `sizeOrder` (→ priceOrder: tick, limit band, price cage),
 * fees come from `estimateFeesMilli`, and fills/cancels move the machine through the same
 * `applyOrderOutcome` / `markPositionManaged` / `rearm` transitions. Nothing here decides a trigger.
 *
 * Path inside a bar (documented, conservative): open → low → high → close, i.e. the adverse extreme
 * (the low, where stops sit) is visited before the favourable one. When a stop and a take-profit both
 * lie inside one bar, the stop fires first. Each segment also visits every level it crosses (entry
 * zone edges, stop, take-profit, the trailing level on the way down) at the level's own price, as a
 * continuous market would; consecutive equal prices are visited once. Each point becomes one quote
 * (last = bid1 = ask1 = the point's price) stamped inside the bar, strictly increasing in time.
 * Consequence: anti-spike counts (antiSpikeCount > 1) count path points, not live polls.
 *
 * Fills (modelled): a buy fills when its limit ≥ the path price, a sell when its limit ≤ the path
 * price, at the path price (the price the market traded at), on the point the order is placed or a
 * later one. A bar locked at limit-down (high = low = limit-down price) fills no sell; a bar locked
 * at limit-up fills no buy (their quotes show an empty bid / ask side).
 * Unfilled timeout (`unfilledTimeoutSec`, counted in trading time like the live order tracker,
 * lib/market trading-time): at the first path point at or after an order's deadline, before that
 * point is evaluated, lib/market `onUnfilledTimeout` decides on the point's quote as the worker
 * does: a buy resting at limit-up or a sell resting at limit-down keeps its place (deadline one
 * timeout on), an exit with no better price keeps resting, anything else is cancelled with
 * cancelledBy 'timeout' — an entry goes back to WATCHING (new episode, within the daily auto re-arm
 * budget) and an exit back to HOLDING (new episode) so it fires again at a fresh price. Because a
 * modelled order fills on the point it is placed unless the board is locked, the timeout in
 * practice acts on orders placed on locked bars (market orders, which rest at no limit, are
 * cancelled; limit orders at the limit keep their place). An order still unfilled at the end of its
 * trading day is cancelled (A-share orders are day orders); without `unfilledTimeoutSec` that is the
 * only cancel. When a higher-priority exit supersedes a working exit, the working one is dropped.
 * Relative take-profit / stop-loss (`relative`, basis points of cost) resolve with lib/market
 * `resolveLevelsMilli` as the worker's tradedLevelsMilli does: against the entry zone while nothing
 * is held, against the modelled entry fill price (the position's cost) while shares are held.
 * T+1: shares bought on a day become sellable on the next trading day with a bar.
 * Sizing starts from the chosen cash: total assets = cash + holdings, position cap `maxPositionPct`
 * (default 100 %), entry quantity mode `entryMode` (default % of assets), minimum trade amount
 * `minTradeAmount` (default 0). Account-level risk limits (checkRisk) are not modelled.
 * Limit prices come from the previous close of the series (adjusted series → adjusted limits).
 */
export interface ReplayBar {
  /** Bar end. */
  time: Date
  /** Asia/Shanghai trading day. */
  day: string
  open: number
  high: number
  low: number
  close: number
}

export interface ReplayLevels {
  entryLow: number | null
  entryHigh: number | null
  takeProfit: number | null
  stopLoss: number | null
  trailingStopPct: number | null
}

export interface ReplayInput {
  code: string
  name?: string
  st?: boolean
  bars: readonly ReplayBar[]
  /** Seconds per bar (60 for 1-minute bars); ≥ 86 400 means daily bars (points spread over 09:30–14:57). */
  barSeconds: number
  /** Close before the first bar (the first day's limits); null: that day has no limit prices. */
  prevClose?: number | null
  levels: ReplayLevels
  /** Yuan to start with. */
  cash: number
  autoStopLoss?: boolean
  autoTakeProfit?: boolean
  options?: Partial<TriggerOptions>
  pricing?: Partial<Record<TriggerKind, PricingSpec>>
  fees?: Partial<FeeRates>
  minTradeAmount?: number
  /** Position cap as a fraction of total assets (default 1). */
  maxPositionPct?: number
  /** Entry quantity mode (default % of assets, i.e. up to the cap). */
  entryMode?: EntryQuantityMode
  /** Take-profit / stop-loss relative to cost (basis points); overrides the absolute level. */
  relative?: RelativeLevels
  /** Seconds of trading time an order may rest unfilled (null/absent: until the day's end). */
  unfilledTimeoutSec?: number | null
  /** Rebound entry (反弹买入): buy once the price rebounds reboundPct (fraction) or reboundTicks off its low in the zone. Default ZONE. */
  entryTrigger?: 'ZONE' | 'REBOUND'
  reboundPct?: number | null
  reboundTicks?: number | null
  /** Re-arm after a closed episode (the live monitor waits for the trader). Default false. */
  rearmAfterExit?: boolean
  /**
   * Staged exits (issue 14), as the worker trades them: the take-profit's exit quantity (default all),
   * tranches 2 and 3 (a price, or bp of cost resolved at the entry fill like takeProfitBp; shareBp of
   * the position) and the breakeven stop. Absent: one take-profit selling everything.
   */
  stagedExits?: {
    exitMode?: ExitQuantityMode
    tranches?: Array<{ level: number | null; bp: number | null; shareBp: number }>
    breakeven?: { gainBp: number | null } | null
  }
  /** Keep an equity point per bar (for charts). Default false. */
  equityCurve?: boolean
  /**
   * Evaluate every path point, even those where no level can fire (default false). By default a
   * point is not evaluated when no order is working, the anti-spike count is 1, automatic exits are
   * not halted, and the price is strictly between the levels (WATCHING: outside the entry zone;
   * HOLDING: above the stop and the trailing level, below the take-profit, not above the highest
   * price since entry), or the monitor is CLOSED for good. Such an evaluation can only update the
   * memo's bookkeeping, never fire; a test checks that both modes give identical results.
   */
  exact?: boolean
}

export interface ReplayTrigger {
  time: Date
  kind: TriggerKind
  action: SignalAction
  price: number
  level: number
  reason: string
}

export interface ReplayFill {
  time: Date
  side: Side
  kind: TriggerKind | 'START'
  price: number
  quantity: number
  fees: number
}

export interface ReplayOrderEvent {
  time: Date
  kind: TriggerKind
  side: Side
  /** placed | refused (not sized) | cancelled (unfilled timeout or the day's end) | queued (kept resting at its timeout) | superseded. */
  status: 'placed' | 'refused' | 'cancelled' | 'queued' | 'superseded'
  price: number | null
  quantity: number | null
  note: string | null
}

export interface ReplayTrade {
  entryTime: Date
  entryPrice: number
  exitTime: Date
  exitPrice: number
  quantity: number
  exitKind: TriggerKind
  fees: number
  /** Net of both sides' fees. */
  pnl: number
  pnlPct: number
  /** Trading days (with bars) from the entry day to the exit day. */
  holdingDays: number
}

export interface ReplayResult {
  triggers: ReplayTrigger[]
  orders: ReplayOrderEvent[]
  fills: ReplayFill[]
  trades: ReplayTrade[]
  /** Kind of the first trigger signal of any action, and of the first exit signal. */
  firstFired: TriggerKind | null
  firstExit: TriggerKind | null
  openPosition: { quantity: number; entryPrice: number; lastPrice: number; unrealisedPnl: number } | null
  finalState: MonitorState
  startCash: number
  endCash: number
  endEquity: number
  realisedPnl: number
  fees: number
  returnPct: number
  maxDrawdownPct: number
  maxDrawdownYuan: number
  /** Price points evaluated. */
  points: number
  /** Why points fired nothing, counted by reason code (QUOTE_OUT_OF_BAND, ...); CLOSED/OK codes left out. */
  noteCounts: Record<string, number>
  equity: Array<{ time: Date; equity: number }>
}

const DAY_OPEN = '09:30'
const DAY_CLOSE = '14:57'

interface Working {
  side: Side
  kind: TriggerKind
  quantity: number
  limitMilli: number
  market: boolean
  day: string
  /** Unfilled-timeout deadline (ms), null when no timeout applies. */
  deadlineMs: number | null
  /** A 'queued' event was recorded already (one per order). */
  queuedTold: boolean
}

/** The take-profit's quantity under a tranche plan (signals.ts trancheExitMode). */
function trancheModeOf(memo: TriggerMemo, position: PositionInfo | null): ExitQuantityMode | undefined {
  const ex = memo.exits
  if (!ex || !position || ex.done >= ex.targets.length) return undefined
  return { kind: 'SHARES', shares: trancheSharesWanted(ex.targets, ex.baseQty, ex.done, position.volume) }
}

function mOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : toMilli(v)
}

export function replay(input: ReplayInput): ReplayResult {
  const parsed = parseCode(input.code)
  const code = parsed.code
  const tick = BOARD_RULES[parsed.board].tickMilli
  const lv = input.levels
  const rel: RelativeLevels = input.relative ?? { takeProfitBp: null, stopLossBp: null }
  const relative = rel.takeProfitBp !== null || rel.stopLossBp !== null
  /** The take-profit / stop-loss traded on for a cost (mills; null: nothing held), as the worker resolves them. */
  const tradedLevels = (costM: number | null): { tp: number | null; sl: number | null } => {
    const tpAbs = mOrNull(lv.takeProfit)
    const slAbs = mOrNull(lv.stopLoss)
    if (!relative) return { tp: tpAbs, sl: slAbs }
    const r = resolveLevelsMilli(code, rel, { takeProfitMilli: tpAbs ?? 0, stopLossMilli: slAbs ?? 0, entryLowMilli: mOrNull(lv.entryLow), entryHighMilli: mOrNull(lv.entryHigh) }, costM)
    return { tp: r.takeProfitMilli > 0 ? r.takeProfitMilli : null, sl: r.stopLossMilli > 0 ? r.stopLossMilli : null }
  }
  const lv0 = tradedLevels(null)
  const hasEntry = lv.entryLow !== null && lv.entryHigh !== null
  const options: Partial<TriggerOptions> = { ...(input.options ?? {}), maxQuoteAgeSec: 3600 }
  const monitor: MonitorInput = {
    code,
    enabled: true,
    state: 'WATCHING',
    episode: 1,
    entryLow: lv.entryLow,
    entryHigh: lv.entryHigh,
    takeProfit: lv0.tp === null ? null : fromMilli(lv0.tp),
    stopLoss: lv0.sl === null ? null : fromMilli(lv0.sl),
    trailingStopPct: lv.trailingStopPct,
    autoTrade: true,
    autoStopLoss: input.autoStopLoss ?? true,
    autoTakeProfit: input.autoTakeProfit ?? true,
    highestSinceEntry: null,
    entryTrigger: input.entryTrigger ?? 'ZONE',
    reboundPct: input.reboundPct ?? null,
    reboundTicks: input.reboundTicks ?? null,
    position: null,
    memo: emptyMemo(),
    options,
  }
  const feeRates = input.fees
  const startCashMilli = toMilli(input.cash)
  let cash = startCashMilli
  let volume = 0
  let buyDay: string | null = null
  let costMilli = 0 // buy value + buy fees of the open position
  let entryPriceMilli = 0
  let entryTime: Date | null = null
  let entryDayIdx = 0
  let working: Working | null = null
  let realised = 0
  let feesTotal = 0
  let peak = cash
  let maxDd = 0
  let maxDdPct = 0
  let points = 0
  const triggers: ReplayTrigger[] = []
  const orders: ReplayOrderEvent[] = []
  const fills: ReplayFill[] = []
  const trades: ReplayTrade[] = []
  const noteCounts: Record<string, number> = {}
  const equity: Array<{ time: Date; equity: number }> = []
  let firstFired: TriggerKind | null = null
  let firstExit: TriggerKind | null = null
  const trailPpm = lv.trailingStopPct === null ? null : toPpm(lv.trailingStopPct)
  let sortedLevels: number[] = []
  const eLowM = mOrNull(lv.entryLow)
  const eHighM = mOrNull(lv.entryHigh)
  let slM: number | null = null
  let tpM: number | null = null
  /** Sets the levels traded on (and the path's level points) for the cost of what is held. */
  const setLevels = (costM: number | null) => {
    const t = tradedLevels(costM)
    tpM = t.tp
    slM = t.sl
    monitor.takeProfit = tpM === null ? null : fromMilli(tpM)
    monitor.stopLoss = slM === null ? null : fromMilli(slM)
    const pts = [eLowM, eHighM, slM, tpM].filter((x): x is number => x !== null)
    // Staged exits: the plan the worker builds (monitor-input exitPlanOf), against the entry's fill price.
    const se = input.stagedExits
    if (se && tpM !== null) {
      const first: ExitQuantityMode = se.exitMode ?? { kind: 'ALL' }
      const more: TrancheSpec[] = []
      const baseM = costM ?? eHighM
      for (const x of first.kind === 'ALL' ? [] : (se.tranches ?? [])) {
        const level = x.bp !== null && baseM !== null && baseM > 0 ? takeProfitFromCostMilli(code, baseM, x.bp) : x.level === null ? null : toMilli(x.level)
        if (level === null || !(x.shareBp > 0)) break
        more.push({ levelMilli: level, qty: { kind: 'PCT', bp: x.shareBp } })
        pts.push(level)
      }
      monitor.exits = first.kind === 'ALL' && more.length === 0 && !se.breakeven ? undefined : { tranches: [{ levelMilli: tpM, qty: first }, ...more], breakeven: se.breakeven ?? null, costMilli: costM, ...(feeRates ? { fees: feeRates } : {}) }
    }
    sortedLevels = [...new Set(pts)].sort((x, y) => x - y)
  }
  setLevels(null)
  // The trailing level for a highest price, as evaluate computes it.
  let trailHi = -1
  let trailAt = 0
  const trailOf = (hiMilli: number) => {
    if (hiMilli !== trailHi) {
      trailHi = hiMilli
      trailAt = roundMilliToTick(mulDiv(hiMilli, 1_000_000 - (trailPpm as number), 1_000_000, 'floor'), tick, 'down')
    }
    return trailAt
  }
  const skipping = !input.exact && (options.antiSpikeCount ?? 1) === 1
  /** True when evaluating price p now cannot fire anything (see ReplayInput.exact). */
  const inert = (p: number, day: string): boolean => {
    if (!skipping || working || monitor.exits) return false
    if (limits !== null && (p > limits.upMilli || p < limits.downMilli)) return false
    const st = monitor.state
    if (st === 'CLOSED') return !input.rearmAfterExit
    const memo = monitor.memo as TriggerMemo
    if (memo.autoExitHaltedDay === day) return false
    if (st === 'WATCHING') return eLowM !== null && eHighM !== null && (p > eHighM || p < eLowM)
    if (st === 'HOLDING') {
      const hi = monitor.highestSinceEntry === null ? null : toMilli(monitor.highestSinceEntry)
      if (hi === null || p > hi) return false
      if (slM !== null && p <= slM) return false
      if (tpM !== null && p >= tpM) return false
      if (trailPpm !== null && p <= trailOf(hi)) return false
      return true
    }
    return false
  }

  const setMachine = (s: MonitorState, highest: number | null, memo: TriggerMemo, episode = monitor.episode) => {
    monitor.state = s
    monitor.highestSinceEntry = highest
    monitor.memo = memo
    monitor.episode = episode
  }
  const outcome = (o: Parameters<typeof applyOrderOutcome>[1]) => {
    const r = applyOrderOutcome(monitor, o)
    setMachine(r.state, r.highestSinceEntry, r.memo, r.episode)
  }

  const bars = input.bars
  if (!bars.length) throw new MarketRuleError('REPLAY_NO_BARS', '没有K线数据', 'no bars to replay')
  const daily = input.barSeconds >= 86_400
  let prevDay: string | null = null
  let dayIdx = 0
  // Without a close before the range, the first day's limits are taken around its first open.
  let dayPrevClose: number | null = input.prevClose ?? bars[0]?.open ?? null
  let lastClose = 0
  let limits: { upMilli: number; downMilli: number } | null = null
  let lastMs = -Infinity

  // A position held before the range (no entry zone): bought at the first open, sellable at once.
  if (!hasEntry) {
    const b0 = bars[0]!
    const q0 = mkQuote(code, input.name ?? code, toMilli(b0.open), b0, input.prevClose ?? b0.open, null, false, false, new Date(b0.time.getTime() - 1000))
    const sized = sizeOrder({ code, kind: 'ENTRY', quote: q0, now: q0.time, pricing: { mode: 'LATEST_OFFSET', offsetTicks: 0 }, st: input.st, account: { totalAsset: input.cash, cash: input.cash }, sizing: { maxPositionPct: input.maxPositionPct ?? 1, minTradeAmount: input.minTradeAmount ?? 0 }, entryMode: input.entryMode, fees: feeRates })
    if (!sized.ok) throw new MarketRuleError(sized.code, sized.message, sized.messageEn)
    const value = toMilli(sized.price) * sized.quantity
    const f = estimateFeesMilli(code, 'buy', value, feeRates).milli.total
    cash -= value + f
    feesTotal += f
    volume = sized.quantity
    buyDay = ''
    costMilli = value + f
    entryPriceMilli = toMilli(sized.price)
    entryTime = q0.time
    fills.push({ time: q0.time, side: 'buy', kind: 'START', price: sized.price, quantity: sized.quantity, fees: fromMilli(f) })
    setLevels(entryPriceMilli)
    const r = markPositionManaged(monitor, { avgPrice: sized.price })
    if ('ok' in r) throw new MarketRuleError(r.code, r.message, r.messageEn)
    setMachine(r.state, r.highestSinceEntry, r.memo, r.episode)
  }

  const endDay = (at: Date) => {
    if (!working) return
    const w = working
    working = null
    orders.push({ time: at, kind: w.kind, side: w.side, status: 'cancelled', price: fromMilli(w.limitMilli), quantity: w.quantity, note: 'unfilled at the end of the trading day' })
    outcome({ side: w.side, kind: w.kind, filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', remainingVolume: volume, now: at })
  }

  const timeoutSec = input.unfilledTimeoutSec ?? null
  const deadlineFrom = (at: Date): number | null => (timeoutSec === null || timeoutSec <= 0 ? null : addTradingSeconds(at, timeoutSec).getTime())
  /** The worker's unfilled-timeout decision for the working order at this point (see the header). */
  const checkTimeout = (q: Quote, at: Date) => {
    const w = working
    if (!w || w.deadlineMs === null || at.getTime() < w.deadlineMs) return
    const spec = input.pricing?.[w.kind] ?? DEFAULT_PRICING[w.kind]
    const d = onUnfilledTimeout({ code, side: w.side, limitPriceMilli: w.market ? null : w.limitMilli, quote: q, now: at, mode: spec.mode, offsetTicks: spec.offsetTicks ?? 0, st: input.st })
    if (d.action !== 'cancel') {
      w.deadlineMs = deadlineFrom(at)
      if (!w.queuedTold) {
        w.queuedTold = true
        orders.push({ time: at, kind: w.kind, side: w.side, status: 'queued', price: w.market ? null : fromMilli(w.limitMilli), quantity: w.quantity, note: d.action === 'queued_at_limit' ? `unfilled timeout: queued at limit-${d.limit}` : `unfilled timeout: kept resting (${d.why})` })
      }
      return
    }
    working = null
    orders.push({ time: at, kind: w.kind, side: w.side, status: 'cancelled', price: w.market ? null : fromMilli(w.limitMilli), quantity: w.quantity, note: d.reprice ? 'unfilled timeout: cancelled to re-price' : 'unfilled timeout' })
    outcome({ side: w.side, kind: w.kind, filledQuantity: 0, outcome: 'cancelled', cancelledBy: 'timeout', remainingVolume: volume, now: at })
  }

  const tryFill = (p: number, at: Date, day: string, lockedUp: boolean, lockedDown: boolean) => {
    const w = working
    if (!w) return
    if (w.side === 'buy' ? lockedUp || (!w.market && w.limitMilli < p) : lockedDown || (!w.market && w.limitMilli > p)) return
    working = null
    const value = p * w.quantity
    const f = estimateFeesMilli(code, w.side, value, feeRates).milli.total
    feesTotal += f
    fills.push({ time: at, side: w.side, kind: w.kind, price: fromMilli(p), quantity: w.quantity, fees: fromMilli(f) })
    if (w.side === 'buy') {
      cash -= value + f
      volume += w.quantity
      buyDay = day
      costMilli += value + f
      entryPriceMilli = p
      entryTime = at
      entryDayIdx = dayIdx
      // The entry's average fill price is the cost relative levels resolve against (entryCostMilli).
      setLevels(p)
      outcome({ side: 'buy', kind: w.kind, filledQuantity: w.quantity, avgPrice: fromMilli(p), outcome: 'filled', now: at })
    } else {
      cash += value - f
      const share = volume > 0 ? Math.round((costMilli * w.quantity) / volume) : 0
      const pnl = value - f - share
      realised += pnl
      trades.push({
        entryTime: entryTime ?? at,
        entryPrice: fromMilli(entryPriceMilli),
        exitTime: at,
        exitPrice: fromMilli(p),
        quantity: w.quantity,
        exitKind: w.kind,
        fees: fromMilli(f + Math.max(0, share - entryPriceMilli * w.quantity)),
        pnl: fromMilli(pnl),
        pnlPct: share > 0 ? Math.round((pnl / share) * 1_000_000) / 10_000 : 0,
        holdingDays: dayIdx - entryDayIdx,
      })
      costMilli -= share
      volume -= w.quantity
      outcome({ side: 'sell', kind: w.kind, filledQuantity: w.quantity, outcome: 'filled', remainingVolume: volume, now: at })
      if (volume === 0) {
        costMilli = 0
        buyDay = null
        setLevels(null)
      }
    }
  }

  const pathBuf: number[] = []
  for (let bi = 0; bi < bars.length; bi++) {
    const b = bars[bi]!
    if (b.day !== prevDay) {
      if (prevDay !== null) {
        endDay(new Date(lastMs + 1))
        dayPrevClose = lastClose
        dayIdx++
      }
      prevDay = b.day
      limits = null
      if (dayPrevClose !== null && dayPrevClose > 0) {
        try {
          limits = limitPricesMilli(code, toMilli(dayPrevClose), { st: input.st, date: b.day })
        } catch {
          limits = null
        }
      }
    }
    const o = toMilli(b.open)
    const h = toMilli(b.high)
    const l = toMilli(b.low)
    const c = toMilli(b.close)
    lastClose = b.close
    // Path: open → low → high → close, visiting crossed levels on each segment.
    pathBuf.length = 0
    pathBuf.push(o)
    segment(pathBuf, o, l)
    segment(pathBuf, l, h)
    segment(pathBuf, h, c)
    const lockedDown = limits !== null && h === l && l === limits.downMilli
    const lockedUp = limits !== null && h === l && h === limits.upMilli
    const endMs = b.time.getTime()
    const startMs = daily ? shanghaiTime(b.day, DAY_OPEN).getTime() : endMs - input.barSeconds * 1000
    const spanMs = (daily ? shanghaiTime(b.day, DAY_CLOSE).getTime() : endMs) - startMs
    const n = pathBuf.length
    for (let i = 0; i < n; i++) {
      const p = pathBuf[i]!
      let t = startMs + Math.floor(((i + 1) * spanMs) / (n + 1))
      if (t <= lastMs) t = lastMs + 1
      lastMs = t
      if (inert(p, b.day)) {
        const eq0 = cash + volume * p
        if (eq0 > peak) peak = eq0
        const dd0 = peak - eq0
        if (dd0 > maxDd) maxDd = dd0
        if (peak > 0 && dd0 / peak > maxDdPct) maxDdPct = dd0 / peak
        continue
      }
      const at = new Date(t)
      const holdingNow = volume > 0
      monitor.position = holdingNow ? { volume, canUseVolume: buyDay !== null && buyDay < b.day ? volume : 0 } : null
      const q = mkQuote(code, input.name ?? code, p, b, dayPrevClose, limits, lockedUp, lockedDown, at)
      if (working) checkTimeout(q, at)
      points++
      const r = evaluate(monitor, q, at, { ignoreSession: true })
      setMachine(r.state, r.highestSinceEntry, r.memo)
      // The breakeven stop is a level of the path from the next bar on.
      if (r.breakevenActivated) sortedLevels = [...new Set([...sortedLevels, r.breakevenActivated.levelMilli])].sort((x, y) => x - y)
      if (r.signals.length === 0) {
        for (const nt of r.notes) if (nt.code !== 'CLOSED') noteCounts[nt.code] = (noteCounts[nt.code] ?? 0) + 1
      }
      for (const sig of r.signals) {
        triggers.push({ time: at, kind: sig.kind, action: sig.action, price: sig.price, level: sig.level, reason: sig.reason.code })
        firstFired ??= sig.kind
        if (sig.kind !== 'ENTRY') firstExit ??= sig.kind
        if (sig.action !== 'order') continue
        if (working) {
          orders.push({ time: at, kind: working.kind, side: working.side, status: 'superseded', price: fromMilli(working.limitMilli), quantity: working.quantity, note: `superseded by ${sig.kind}` })
          working = null
        }
        const held = fromMilli(volume * p)
        // A rebound entry's cap (Signal.maxPrice), as live: priced at no more than the cap, and a price
        // mode above it (best ask, latest ± ticks, market) becomes a limit at the cap.
        const cap = sig.maxPrice
        const sizeInput: Parameters<typeof sizeOrder>[0] = {
          code,
          kind: sig.kind,
          quote: q,
          now: at,
          pricing: input.pricing?.[sig.kind],
          triggerPrice: cap !== undefined ? Math.min(sig.price, cap) : sig.price,
          st: input.st,
          account: { totalAsset: fromMilli(cash) + held, cash: fromMilli(cash) },
          heldValue: held,
          position: monitor.position,
          sizing: { maxPositionPct: input.maxPositionPct ?? 1, minTradeAmount: input.minTradeAmount ?? 0 },
          entryMode: input.entryMode,
          exitMode: sig.kind === 'TAKE_PROFIT' && monitor.exits ? trancheModeOf(monitor.memo as TriggerMemo, monitor.position) : undefined,
          fees: feeRates,
        }
        let sized = sizeOrder(sizeInput)
        if (sized.ok && cap !== undefined && (sized.priceType !== 'limit' || sized.price > cap)) sized = sizeOrder({ ...sizeInput, pricing: { mode: 'TRIGGER_PRICE', offsetTicks: 0 }, triggerPrice: cap })
        if (!sized.ok) {
          orders.push({ time: at, kind: sig.kind, side: sig.side, status: 'refused', price: null, quantity: null, note: sized.code })
          outcome({ side: sig.side, kind: sig.kind, filledQuantity: 0, outcome: 'failed', remainingVolume: volume, now: at })
          continue
        }
        working = { side: sized.side, kind: sig.kind, quantity: sized.quantity, limitMilli: toMilli(sized.price), market: sized.priceType === 'market', day: b.day, deadlineMs: deadlineFrom(at), queuedTold: false }
        orders.push({ time: at, kind: sig.kind, side: sized.side, status: 'placed', price: sized.price, quantity: sized.quantity, note: null })
      }
      tryFill(p, at, b.day, lockedUp, lockedDown)
      if (monitor.state === 'CLOSED' && input.rearmAfterExit && volume === 0 && !working) {
        const rr = rearm(monitor)
        if (!('ok' in rr)) setMachine(rr.state, rr.highestSinceEntry, rr.memo, rr.episode)
      }
      const eq = cash + volume * p
      if (eq > peak) peak = eq
      const dd = peak - eq
      if (dd > maxDd) maxDd = dd
      if (peak > 0 && dd / peak > maxDdPct) maxDdPct = dd / peak
    }
    if (input.equityCurve) equity.push({ time: b.time, equity: fromMilli(cash + volume * c) })
  }

  // Allocation-free path building (this runs for every bar): static levels ascending, once.
  function segment(out: number[], from: number, to: number): void {
    if (to === from) return
    const push = (x: number) => {
      if (out[out.length - 1] !== x) out.push(x)
    }
    if (to > from) {
      for (let i = 0; i < sortedLevels.length; i++) {
        const x = sortedLevels[i]!
        if (x > from && x < to) push(x)
      }
    } else {
      let tr: number | null = null
      if (trailPpm !== null && (monitor.state === 'HOLDING' || monitor.state === 'EXIT_PENDING' || volume > 0)) {
        // The trailing level as evaluate computes it, from the highest price so far (incl. this bar's path up to `from`).
        let hi = monitor.highestSinceEntry !== null ? toMilli(monitor.highestSinceEntry) : 0
        for (let i = 0; i < out.length; i++) if (out[i]! > hi) hi = out[i]!
        const t = trailOf(hi)
        if (t < from && t > to) tr = t
      }
      for (let i = sortedLevels.length - 1; i >= 0; i--) {
        const x = sortedLevels[i]!
        if (x < from && x > to) {
          if (tr !== null && tr > x) {
            push(tr)
            tr = null
          }
          push(x)
        }
      }
      if (tr !== null) push(tr)
    }
    push(to)
  }

  const last = bars[bars.length - 1]!
  if (working) endDay(new Date(lastMs + 1))
  const lastMilli = toMilli(last.close)
  const endEquity = cash + volume * lastMilli
  return {
    triggers,
    orders,
    fills,
    trades,
    firstFired,
    firstExit,
    openPosition: volume > 0 ? { quantity: volume, entryPrice: fromMilli(entryPriceMilli), lastPrice: last.close, unrealisedPnl: fromMilli(volume * lastMilli - costMilli) } : null,
    finalState: monitor.state,
    startCash: input.cash,
    endCash: fromMilli(cash),
    endEquity: fromMilli(endEquity),
    realisedPnl: fromMilli(realised),
    fees: fromMilli(feesTotal),
    returnPct: startCashMilli > 0 ? Math.round(((endEquity - startCashMilli) / startCashMilli) * 1_000_000) / 10_000 : 0,
    maxDrawdownPct: Math.round(maxDdPct * 1_000_000) / 10_000,
    maxDrawdownYuan: fromMilli(maxDd),
    points,
    noteCounts,
    equity,
  }
}

function mkQuote(code: string, name: string, p: number, b: ReplayBar, prevClose: number | null, limits: { upMilli: number; downMilli: number } | null, lockedUp: boolean, lockedDown: boolean, at: Date): Quote {
  const last = fromMilli(p)
  return {
    code,
    name,
    last,
    prevClose: prevClose ?? 0,
    open: b.open,
    high: b.high,
    low: b.low,
    volume: 100,
    amount: last * 100,
    bids: lockedDown ? [] : [{ price: last, volume: 100 }],
    asks: lockedUp ? [] : [{ price: last, volume: 100 }],
    limitUp: limits ? fromMilli(limits.upMilli) : null,
    limitDown: limits ? fromMilli(limits.downMilli) : null,
    time: at,
    suspended: false,
    source: 'replay',
  }
}

export interface ReplayVariantSpec {
  label: string
  levels: Partial<ReplayLevels>
}

/** Several level sets over the same bars in one run (e.g. stop −3 % / −5 % / −8 %). */
export function replayVariants(input: ReplayInput, variants: readonly ReplayVariantSpec[]): Array<{ label: string; levels: ReplayLevels; result: ReplayResult }> {
  const list = variants.length ? variants : [{ label: 'base', levels: {} }]
  return list.map((v) => {
    const levels = { ...input.levels, ...v.levels }
    return { label: v.label, levels, result: replay({ ...input, levels }) }
  })
}
