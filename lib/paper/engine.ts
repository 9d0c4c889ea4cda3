/**
 * Paper exchange matching engine: a counter + exchange in one, keeping xtquant-shaped state.
 * Pure and deterministic given its inputs: every call takes `now` and the market snapshot (a Quote);
 * nothing reads a clock or does I/O.
 *
 * Order handling follows a counter:
 * - a malformed request (unknown code, order type, price type, non-integer volume) → order_stock -1;
 * - otherwise an order id is handed out (> 0, ids never reused) and rule violations become
 *   废单 57 with a counter-like status_msg: trading phase (`[COUNTER] [12313][当前时间不允许此类证券交易]`,
 *   the text MiniQMT reports outside trading hours), market orders outside continuous trading,
 *   suspension, quantity (lots, STAR/BJ minimums, per-order maximum, odd lots, T+1 sellable),
 *   price (tick, limit band, price cage in continuous trading — SSE semantics for both exchanges),
 *   cash including estimated fees;
 * - accepted orders are 50 已报 and match against the snapshot's book in continuous trading only:
 *   an incoming order takes book levels at their prices; a resting limit order fills at its own price
 *   on a later quote whose opposite side crosses it. Each book level has limited volume (consumption
 *   is remembered per quote time), so large orders fill partially (55 部成) and the rest rests.
 * - market orders: best-5 IOC (42/47, and 46) take up to five levels and cancel the rest (53 部撤 /
 *   54 已撤); FOK (48) fills completely or not at all; 43 rests the remainder as a limit at the last
 *   fill price; 44/45 become limits at the opposite / own best price;
 * - cancels: refused (-1) in no-cancel windows (lib/market canCancelAt), for terminal or unknown
 *   orders; otherwise immediate → 54 已撤 or 53 部撤;
 * - day end: working orders expire at 15:00 (53/54); when the session day advances to a later trading
 *   day, today's orders are archived and every position becomes sellable (T+1).
 * The opening and closing call auctions accept limit orders but do not match them (no auction
 * uncrossing is simulated): they wait for continuous trading, or expire at the close.
 */
import {
  cageBenchmark,
  estimateFeesMilli,
  formatMilli,
  isMilliExact,
  limitPricesMilli,
  MarketRuleError,
  parseCode,
  priceCageMilli,
  shanghaiDate,
  shanghaiSecondOfDay,
  shanghaiTime,
  tickMilliOf,
  STOCK_BUY,
  STOCK_SELL,
  toMilli,
  validateQuantity,
  type FeeRates,
  type ParsedCode,
  type Quote,
} from '@/lib/market'
import { acceptsOrders, canCancelAt, isTradingDay, marketPhase, previousTradingDay } from './calendar'
import { ENGINE_STATE_VERSION, FIRST_ORDER_ID, type BoardLock, type EngineOrder, type EnginePosition, type EngineState, type EngineTrade, type Fill, type OrderFaults, type OrderRequest } from './types'

/** Submitted xtquant price type → broker enum on returned orders (bridge-protocol §3.4). */
export const BROKER_PRICE_TYPE: Readonly<Record<number, number>> = {
  5: 50, // LATEST_PRICE: still a limit order on the counter (third-party docs)
  11: 50, // FIX_PRICE → 限价
  42: 88, // SH best-5 IOC → 最优五档即时成交剩余撤销
  43: 85, // SH best-5 rest-to-limit → 最优五档即时成交剩余转限价
  44: 84, // counter-best → 对手方最优价格
  45: 86, // own-best → 本方最优价格
  46: 87, // SZ IOC → 即时成交剩余撤销
  47: 88, // SZ best-5 IOC → 最优五档即时成交剩余撤销
  48: 89, // SZ FOK → 全额成交并撤单
}
const SH_MARKET_TYPES = new Set([42, 43, 44, 45])
const SZ_MARKET_TYPES = new Set([44, 45, 46, 47, 48])

export const TIME_NOT_ALLOWED = '[COUNTER] [12313][当前时间不允许此类证券交易]'
const HISTORY_CAP = 5000
const WORKING = new Set([48, 49, 50, 51, 52, 55])
const CLOSE_SEC = 15 * 3600

export function isWorking(o: EngineOrder): boolean {
  return WORKING.has(o.status)
}

export function initialEngineState(opts: { accountId?: string; cash?: number; feeRates?: Partial<FeeRates>; nextOrderId?: number } = {}): EngineState {
  const cash = opts.cash ?? 1_000_000
  if (!Number.isFinite(cash) || cash < 0) throw new RangeError(`initial cash must be a non-negative number, got ${cash}`)
  return {
    version: ENGINE_STATE_VERSION,
    accountId: opts.accountId ?? 'PAPER0001',
    cashMilli: toMilli(cash),
    frozenCashMilli: 0,
    positions: {},
    orders: [],
    trades: [],
    history: { orders: [], trades: [] },
    vanished: [],
    nextOrderId: Math.max(FIRST_ORDER_ID, opts.nextOrderId ?? FIRST_ORDER_ID),
    nextTradeId: 1,
    sessionDay: null,
    marksMilli: {},
    bookUse: {},
    realizedPnlMilli: 0,
    ...(opts.feeRates ? { feeRates: opts.feeRates } : {}),
  }
}

/** The trading day a moment belongs to: today if it is a trading day, else the previous one. */
export function sessionDayOf(now: Date): string {
  const d = shanghaiDate(now)
  return isTradingDay(d) ? d : previousTradingDay(d)
}

export interface PlaceResult {
  /** What order_stock returns: the order id, or -1. */
  orderId: number
  /** The recorded order (absent for -1 and for a vanished order). */
  order?: EngineOrder
  fills: Fill[]
  /** Why -1. */
  error?: string
}

export class PaperEngine {
  readonly state: EngineState

  constructor(state: EngineState) {
    if (!state || state.version !== ENGINE_STATE_VERSION) throw new Error(`unsupported paper engine state version ${String(state?.version)}`)
    this.state = state
  }

  private get fees(): Partial<FeeRates> | undefined {
    return this.state.feeRates
  }

  // ---- day handling ------------------------------------------------------------------------------

  /**
   * Brings the state to `now`: expires working orders after their day's close, and on a later
   * trading day archives the previous day and makes every position sellable (T+1). Returns false
   * when the calendar cannot answer (a year without exchange data): nothing is rolled then.
   */
  roll(now: Date): boolean {
    let day: string
    try {
      day = sessionDayOf(now)
    } catch (e) {
      if (e instanceof MarketRuleError) return false
      throw e
    }
    const s = this.state
    const afterClose = shanghaiDate(now) !== day || shanghaiSecondOfDay(now) >= CLOSE_SEC
    for (const o of s.orders) {
      if (!isWorking(o)) continue
      if (o.day < day || (o.day === day && afterClose)) {
        this.finishUnfilled(o, o.tradedVolume > 0 ? '[COUNTER] 当日委托收盘未成交部分已自动撤销' : '[COUNTER] 当日委托收盘未成交, 已自动撤销')
      }
    }
    if (s.sessionDay === null) {
      s.sessionDay = day
      return true
    }
    if (day > s.sessionDay) {
      s.history.orders.push(...s.orders)
      s.history.trades.push(...s.trades)
      if (s.history.orders.length > HISTORY_CAP) s.history.orders.splice(0, s.history.orders.length - HISTORY_CAP)
      if (s.history.trades.length > HISTORY_CAP) s.history.trades.splice(0, s.history.trades.length - HISTORY_CAP)
      s.orders = []
      s.trades = []
      s.bookUse = {}
      for (const [code, p] of Object.entries(s.positions)) {
        if (p.volume <= 0) {
          delete s.positions[code]
          continue
        }
        p.frozenVolume = 0
        p.canUseVolume = p.volume
        p.yesterdayVolume = p.volume
      }
      s.sessionDay = day
    }
    return true
  }

  // ---- orders ------------------------------------------------------------------------------------

  private newOrderId(): number {
    const id = this.state.nextOrderId
    this.state.nextOrderId = id + 1
    return id
  }

  /** order_stock. `market` is the current snapshot of the code (null when none is known). */
  placeOrder(req: OrderRequest, now: Date, market: Quote | null, faults: OrderFaults = {}): PlaceResult {
    this.roll(now)
    // MiniQMT-level validation: a request it cannot even build returns -1.
    let parsed: ParsedCode
    try {
      if (typeof req.stock_code !== 'string') throw new Error('stock_code')
      const m = /^(\d{6})\.(SH|SZ|BJ)$/.exec(req.stock_code)
      if (!m) throw new Error('stock_code')
      parsed = parseCode(req.stock_code)
    } catch {
      return { orderId: -1, fills: [], error: `invalid stock_code ${JSON.stringify(req.stock_code)}` }
    }
    const orderType = req.order_type
    if (orderType !== STOCK_BUY && orderType !== STOCK_SELL) return { orderId: -1, fills: [], error: `unsupported order_type ${String(orderType)}` }
    const xtPriceType = req.price_type
    if (typeof xtPriceType !== 'number' || BROKER_PRICE_TYPE[xtPriceType] === undefined) return { orderId: -1, fills: [], error: `unsupported price_type ${String(xtPriceType)}` }
    const volume = req.order_volume
    if (typeof volume !== 'number' || !Number.isSafeInteger(volume) || volume <= 0) return { orderId: -1, fills: [], error: `invalid order_volume ${String(volume)}` }
    const price = req.price
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) return { orderId: -1, fills: [], error: `invalid price ${String(price)}` }

    const code = parsed.code
    const side: 'buy' | 'sell' = orderType === STOCK_BUY ? 'buy' : 'sell'
    const limitOrder = xtPriceType === 11 || xtPriceType === 5
    const orderId = this.newOrderId()
    const remark = typeof req.order_remark === 'string' ? req.order_remark.slice(0, 24) : ''
    const strategyName = typeof req.strategy_name === 'string' ? req.strategy_name : ''

    if (faults.vanish) {
      this.state.vanished.push({ orderId, code, remark, time: now.getTime() })
      return { orderId, fills: [] }
    }

    let day: string
    try {
      day = sessionDayOf(now)
    } catch {
      day = shanghaiDate(now)
    }
    const order: EngineOrder = {
      orderId,
      sysid: '',
      code,
      side,
      orderType,
      volume,
      xtPriceType,
      brokerPriceType: BROKER_PRICE_TYPE[xtPriceType]!,
      priceMilli: isMilliExact(price) ? toMilli(price) : Math.round(price * 1000),
      tradedVolume: 0,
      tradedValueMilli: 0,
      feesMilli: 0,
      status: 50,
      statusMsg: '',
      strategyName,
      remark,
      time: now.getTime(),
      day,
      frozenCashMilli: 0,
      frozenVolume: 0,
      fillCap: faults.fillCap !== undefined && faults.fillCap >= 0 ? Math.floor(faults.fillCap) : null,
      lastMatchedAt: null,
    }
    this.state.orders.push(order)
    const kindZh = limitOrder ? '限价' : '市价'
    const sideZh = side === 'buy' ? '买入' : '卖出'
    const prefix = `${kindZh}${sideZh} [${parsed.exchange}${parsed.digits}] [COUNTER]`
    const junk = (msg: string): PlaceResult => {
      order.status = 57
      order.statusMsg = `${prefix} ${msg}`
      return { orderId, order, fills: [] }
    }

    if (faults.rejectMsg !== undefined) {
      order.status = 57
      order.statusMsg = faults.rejectMsg
      return { orderId, order, fills: [] }
    }

    // Trading phase.
    let phase: string
    try {
      phase = marketPhase(now)
      if (!acceptsOrders(now, limitOrder ? 'limit' : 'market')) {
        if (!limitOrder && acceptsOrders(now, 'limit')) return junk('[12313][当前时间不允许此类证券交易] 市价委托仅在连续竞价时段有效')
        return junk('[12313][当前时间不允许此类证券交易]')
      }
    } catch (e) {
      if (e instanceof MarketRuleError) return junk(`交易日历不可用: ${e.message}`)
      throw e
    }
    if (!limitOrder) {
      const allowed = parsed.exchange === 'SH' ? SH_MARKET_TYPES : parsed.exchange === 'SZ' ? SZ_MARKET_TYPES : new Set<number>()
      if (!allowed.has(xtPriceType)) return junk(`本市场不支持该市价委托类型 (${xtPriceType})`)
    }

    if (!market) return junk('无该证券行情, 无法委托')
    if (market.suspended) return junk('证券停牌, 不允许交易')

    const pos = this.state.positions[code]
    const sellable = pos ? pos.canUseVolume : 0
    const q = validateQuantity(code, side, volume, { sellable: side === 'sell' ? sellable : undefined, limitOrder })
    if (!q.ok) {
      if (q.code === 'QTY_EXCEEDS_SELLABLE') return junk(`可用股份不足 (可卖${sellable}股, 委托${volume}股)`)
      if (q.code === 'QTY_ABOVE_MAX_PER_ORDER') return junk(`委托数量超过单笔最大限制: ${q.message}`)
      return junk(`委托数量不符合交易单位要求: ${q.message}`)
    }

    const tick = tickMilliOf(code)
    const d = tick === 1 ? 3 : 2
    const limits = this.limitsOf(code, market, day)
    if (xtPriceType === 5) {
      // LATEST_PRICE: the counter prices it at the latest price (a limit order on the counter).
      order.priceMilli = toMilli(market.last)
    }
    if (limitOrder) {
      if ((xtPriceType === 11 && !isMilliExact(price)) || order.priceMilli <= 0 || order.priceMilli % tick !== 0) {
        return junk(`委托价格 ${xtPriceType === 11 ? price : order.priceMilli / 1000} 不是最小价格变动单位 ${formatMilli(tick, 3)} 的整数倍`)
      }
      if (limits && (order.priceMilli > limits.upMilli || order.priceMilli < limits.downMilli)) {
        return junk(`委托价格超出涨跌停范围 (有效区间 ${formatMilli(limits.downMilli, d)}–${formatMilli(limits.upMilli, d)})`)
      }
      if (phase === 'continuous') {
        const bench = cageBenchmark(side, market)
        if (bench !== null && bench > 0) {
          const cage = priceCageMilli(code, side, toMilli(bench), limits)
          if ((side === 'buy' && cage.maxMilli !== null && order.priceMilli > cage.maxMilli) || (side === 'sell' && cage.minMilli !== null && order.priceMilli < cage.minMilli)) {
            const bound = side === 'buy' ? `上限 ${formatMilli(cage.maxMilli!, d)}` : `下限 ${formatMilli(cage.minMilli!, d)}`
            return junk(`委托价格超出价格笼子范围 (有效申报价格${bound}, 基准价 ${bench})`)
          }
        }
      }
    }

    if (side === 'buy') {
      // Reserve: limit price, or for a market order the limit-up (what a counter freezes), else the 5th ask.
      const ref = limitOrder ? order.priceMilli : (limits?.upMilli ?? this.worstLevelMilli(market.asks) ?? toMilli(market.last))
      const value = ref * volume
      const reserve = value + estimateFeesMilli(code, 'buy', value, this.fees).milli.total
      if (reserve > this.state.cashMilli) {
        return junk(`可用资金不足 (需 ${formatMilli(reserve, 2)} 元, 可用 ${formatMilli(this.state.cashMilli, 2)} 元)`)
      }
      this.state.cashMilli -= reserve
      this.state.frozenCashMilli += reserve
      order.frozenCashMilli = reserve
    } else {
      const p = pos!
      p.canUseVolume -= volume
      p.frozenVolume += volume
      order.frozenVolume = volume
    }
    order.sysid = String(orderId - FIRST_ORDER_ID + 100001)
    if (market.last > 0) this.state.marksMilli[code] = toMilli(market.last)

    // Match now when the market is in continuous trading.
    const fills: Fill[] = []
    if (phase === 'continuous') {
      if (limitOrder) fills.push(...this.takeBook(order, market, order.priceMilli))
      else fills.push(...this.marketOrder(order, market))
    }
    return { orderId, order, fills }
  }

  limitsOf(code: string, market: Quote, day: string): { upMilli: number; downMilli: number } | null {
    const up = market.limitUp !== null && market.limitUp > 0 ? toMilli(market.limitUp) : null
    const down = market.limitDown !== null && market.limitDown > 0 ? toMilli(market.limitDown) : null
    if (up !== null && down !== null && up > down) return { upMilli: up, downMilli: down }
    if (market.prevClose > 0 && isMilliExact(market.prevClose)) {
      try {
        return limitPricesMilli(code, toMilli(market.prevClose), { date: day })
      } catch {
        return null
      }
    }
    return null
  }

  private worstLevelMilli(levels: Quote['asks']): number | null {
    const valid = levels.filter((l) => l.price > 0 && l.volume > 0).slice(0, 5)
    return valid.length ? toMilli(valid[valid.length - 1]!.price) : null
  }

  /** Book levels on the opposite side with the volume not yet consumed at this quote time. */
  private available(code: string, market: Quote, side: 'buy' | 'sell'): Array<{ priceMilli: number; volume: number }> {
    const t = market.time.getTime()
    const use = this.state.bookUse[code]
    const used = use && use.time === t ? use.used : {}
    const levels = side === 'buy' ? market.asks : market.bids
    return levels
      .filter((l) => l.price > 0 && l.volume > 0)
      .slice(0, 5)
      .map((l) => {
        const pm = toMilli(l.price)
        return { priceMilli: pm, volume: Math.max(0, l.volume - (used[String(pm)] ?? 0)) }
      })
  }

  private consume(code: string, market: Quote, priceMilli: number, volume: number) {
    const t = market.time.getTime()
    let use = this.state.bookUse[code]
    if (!use || use.time !== t) {
      use = { time: t, used: {} }
      this.state.bookUse[code] = use
    }
    const k = String(priceMilli)
    use.used[k] = (use.used[k] ?? 0) + volume
  }

  /** How many shares a fill may take: the order's remainder, the fault cap, and `want`. */
  private fillable(order: EngineOrder, want: number): number {
    let n = Math.min(want, order.volume - order.tradedVolume)
    if (order.fillCap !== null) n = Math.min(n, order.fillCap)
    return Math.max(0, n)
  }

  /** Incoming order: take opposite levels at their prices up to `limitMilli`. */
  private takeBook(order: EngineOrder, market: Quote, limitMilli: number | null, maxLevels = 5): Fill[] {
    const fills: Fill[] = []
    if (this.queuedAtLock(order)) return fills
    const levels = this.available(order.code, market, order.side).slice(0, maxLevels)
    for (const l of levels) {
      if (order.volume - order.tradedVolume <= 0) break
      if (limitMilli !== null && (order.side === 'buy' ? l.priceMilli > limitMilli : l.priceMilli < limitMilli)) break
      const n = this.fillable(order, l.volume)
      if (n <= 0) continue
      fills.push(this.fill(order, l.priceMilli, n, market))
      this.consume(order.code, market, l.priceMilli, n)
      if (order.fillCap !== null) break
    }
    order.lastMatchedAt = market.time.getTime()
    if (order.fillCap !== null && fills.length) order.fillCap = null
    return fills
  }

  private marketOrder(order: EngineOrder, market: Quote): Fill[] {
    const t = order.xtPriceType
    if (t === 44 || t === 45) {
      // Counter-best / own-best: becomes a limit at that price.
      const book = t === 44 ? (order.side === 'buy' ? market.asks : market.bids) : order.side === 'buy' ? market.bids : market.asks
      const best = book.find((l) => l.price > 0)
      if (!best) {
        this.finishUnfilled(order, '[COUNTER] 无对手方/本方报价, 市价委托已撤销')
        return []
      }
      order.priceMilli = toMilli(best.price)
      return this.takeBook(order, market, order.priceMilli)
    }
    if (t === 48) {
      const levels = this.available(order.code, market, order.side)
      const total = levels.reduce((s, l) => s + l.volume, 0)
      if (total < order.volume) {
        this.finishUnfilled(order, '[COUNTER] 全额成交或撤销: 可成交数量不足, 已撤销')
        return []
      }
    }
    const fills = this.takeBook(order, market, null)
    if (order.volume > order.tradedVolume) {
      if (t === 43 && fills.length) {
        order.priceMilli = fills[fills.length - 1]!.priceMilli
        return fills
      }
      this.finishUnfilled(order, order.tradedVolume > 0 ? '[COUNTER] 市价委托剩余部分已撤销' : '[COUNTER] 市价委托无可成交对手盘, 已撤销')
    }
    return fills
  }

  /** A resting limit order against a new quote: fills at its own price when the opposite side crosses it. */
  private matchResting(order: EngineOrder, market: Quote): Fill[] {
    if (this.queuedAtLock(order)) return []
    const t = market.time.getTime()
    if (order.lastMatchedAt !== null && t <= order.lastMatchedAt) return []
    order.lastMatchedAt = t
    const levels = this.available(order.code, market, order.side).filter((l) => (order.side === 'buy' ? l.priceMilli <= order.priceMilli : l.priceMilli >= order.priceMilli))
    const capacity = levels.reduce((s, l) => s + l.volume, 0)
    const n = this.fillable(order, capacity)
    if (n <= 0) return []
    let left = n
    for (const l of levels) {
      const take = Math.min(left, l.volume)
      if (take > 0) this.consume(order.code, market, l.priceMilli, take)
      left -= take
      if (left <= 0) break
    }
    const f = this.fill(order, order.priceMilli, n, market)
    if (order.fillCap !== null) order.fillCap = null
    return [f]
  }

  /**
   * Matches the working orders of `market.code` against a new snapshot (continuous trading only) and
   * updates the mark. Orders are matched in time priority.
   */
  match(market: Quote, now: Date): Fill[] {
    this.roll(now)
    let code: string
    try {
      code = parseCode(market.code).code
    } catch {
      return []
    }
    if (market.last > 0 && !market.suspended) this.state.marksMilli[code] = toMilli(market.last)
    let phase: string
    try {
      phase = marketPhase(now)
    } catch {
      return []
    }
    if (phase !== 'continuous' || market.suspended) return []
    const fills: Fill[] = []
    for (const o of this.state.orders) {
      if (o.code !== code || !isWorking(o)) continue
      fills.push(...this.matchResting(o, market))
    }
    return fills
  }

  private fill(order: EngineOrder, priceMilli: number, volume: number, market: Quote): Fill {
    const s = this.state
    const value = priceMilli * volume
    const cumValue = order.tradedValueMilli + value
    const feeTotal = estimateFeesMilli(order.code, order.side, cumValue, this.fees).milli.total
    const feeDelta = Math.max(0, feeTotal - order.feesMilli)
    const tradeTime = Math.max(market.time.getTime(), order.time)
    let pos = s.positions[order.code]
    if (order.side === 'buy') {
      const cost = value + feeDelta
      const fromFrozen = Math.min(cost, order.frozenCashMilli)
      order.frozenCashMilli -= fromFrozen
      s.frozenCashMilli -= fromFrozen
      s.cashMilli -= cost - fromFrozen
      if (!pos) {
        pos = { code: order.code, volume: 0, canUseVolume: 0, frozenVolume: 0, yesterdayVolume: 0, costMilli: 0, openCostMilli: 0 }
        s.positions[order.code] = pos
      }
      pos.volume += volume
      pos.costMilli += cost
      pos.openCostMilli += value
    } else {
      const p = pos!
      const before = p.volume
      const costOut = before > 0 ? Math.round((p.costMilli * volume) / before) : 0
      const openOut = before > 0 ? Math.round((p.openCostMilli * volume) / before) : 0
      p.volume -= volume
      p.frozenVolume -= volume
      p.costMilli -= costOut
      p.openCostMilli -= openOut
      order.frozenVolume -= volume
      s.cashMilli += value - feeDelta
      s.realizedPnlMilli += value - feeDelta - costOut
    }
    order.tradedVolume += volume
    order.tradedValueMilli += value
    order.feesMilli += feeDelta
    const tradeId = String(s.nextTradeId++)
    const trade: EngineTrade = {
      tradeId,
      orderId: order.orderId,
      sysid: order.sysid,
      code: order.code,
      side: order.side,
      orderType: order.orderType,
      priceMilli,
      volume,
      valueMilli: value,
      feesMilli: feeDelta,
      time: tradeTime,
      day: order.day,
      remark: order.remark,
      strategyName: order.strategyName,
    }
    s.trades.push(trade)
    s.marksMilli[order.code] = priceMilli
    if (order.tradedVolume >= order.volume) {
      order.status = 56
      order.statusMsg = ''
      this.releaseReserve(order)
    } else {
      order.status = 55
    }
    return { orderId: order.orderId, code: order.code, side: order.side, priceMilli, volume, tradeId }
  }

  /** Gives back what a finished order still reserves. */
  private releaseReserve(order: EngineOrder) {
    const s = this.state
    if (order.frozenCashMilli > 0) {
      s.cashMilli += order.frozenCashMilli
      s.frozenCashMilli -= order.frozenCashMilli
      order.frozenCashMilli = 0
    }
    if (order.frozenVolume > 0) {
      const p = s.positions[order.code]
      if (p) {
        p.canUseVolume += order.frozenVolume
        p.frozenVolume -= order.frozenVolume
      }
      order.frozenVolume = 0
    }
  }

  /** Cancels the unfilled rest: 53 部撤 when something traded, else 54 已撤. */
  private finishUnfilled(order: EngineOrder, msg: string) {
    order.status = order.tradedVolume > 0 ? 53 : 54
    order.statusMsg = msg
    this.releaseReserve(order)
  }

  /** cancel_order_stock: 0 when cancelled, -1 when refused (unknown, terminal, or a no-cancel window). */
  cancelOrder(orderId: number, now: Date): { result: 0 | -1; reason?: string } {
    this.roll(now)
    const order = this.state.orders.find((o) => o.orderId === orderId)
    if (!order) return { result: -1, reason: 'order not found among today\'s orders' }
    if (!isWorking(order)) return { result: -1, reason: `order is terminal (${order.status})` }
    let ok: boolean
    try {
      ok = canCancelAt(now)
    } catch {
      ok = false
    }
    if (!ok) return { result: -1, reason: 'cancels are not accepted now' }
    this.finishUnfilled(order, order.tradedVolume > 0 ? '部分成交, 剩余已撤单' : '已撤单')
    return { result: 0 }
  }

  // ---- locked boards -----------------------------------------------------------------------------

  /** The order waits in a locked board's queue (a buy at limit-up, a sell at limit-down): it only trades when the board opens. */
  private queuedAtLock(order: EngineOrder): boolean {
    const lock = this.state.locks?.[order.code]
    if (!lock) return false
    return lock.side === 'up' ? order.side === 'buy' && order.priceMilli >= lock.priceMilli : order.side === 'sell' && order.priceMilli <= lock.priceMilli
  }

  /**
   * Locks `code` at its limit price (`side` 'up': buyers queue at limit-up, nobody sells; 'down':
   * sellers queue at limit-down) with `ahead` shares of other traders queued first. Orders of ours
   * at that price — resting already or arriving later — queue behind them in time priority.
   */
  lockBoard(code: string, side: 'up' | 'down', priceMilli: number, ahead: number, now: Date): BoardLock {
    const c = parseCode(code).code
    if (!Number.isSafeInteger(priceMilli) || priceMilli <= 0) throw new RangeError(`lock price must be positive mills, got ${priceMilli}`)
    if (!Number.isSafeInteger(ahead) || ahead < 0) throw new RangeError(`ahead must be a non-negative whole number of shares, got ${ahead}`)
    const lock: BoardLock = { side, priceMilli, ahead, since: now.getTime() }
    this.state.locks = { ...(this.state.locks ?? {}), [c]: lock }
    return lock
  }

  /**
   * The board opens: `volume` shares trade at the limit price against the queue (by default enough
   * for all of it) — first the shares queued ahead, then our queued orders in time priority, each at
   * the limit price — and the lock is lifted; what is left of our orders then rests and matches
   * like any limit order against later quotes.
   */
  openBoard(code: string, now: Date, market: Quote, volume = Number.POSITIVE_INFINITY): Fill[] {
    this.roll(now)
    const c = parseCode(code).code
    const lock = this.state.locks?.[c]
    if (!lock) return []
    let left = volume
    const takeAhead = Math.min(lock.ahead, left)
    lock.ahead -= takeAhead
    left -= takeAhead
    const fills: Fill[] = []
    const queued = this.state.orders.filter((o) => o.code === c && isWorking(o) && this.queuedAtLock(o)).sort((a, b) => a.time - b.time || a.orderId - b.orderId)
    for (const o of queued) {
      if (left <= 0) break
      const n = this.fillable(o, left)
      if (n <= 0) continue
      fills.push(this.fill(o, lock.priceMilli, n, market))
      left -= n
      if (o.fillCap !== null) o.fillCap = null
    }
    delete this.state.locks![c]
    return fills
  }

  lockOf(code: string): BoardLock | null {
    return this.state.locks?.[code] ?? null
  }

  // ---- account seeding / reset -------------------------------------------------------------------

  /** Adds a holding bought on an earlier day (fully sellable), e.g. for a demo or a test. */
  seedPosition(code: string, volume: number, avgPrice: number): EnginePosition {
    const c = parseCode(code).code
    if (!Number.isSafeInteger(volume) || volume <= 0) throw new RangeError(`volume must be a positive integer, got ${volume}`)
    const costMilli = toMilli(avgPrice) * volume
    const p = this.state.positions[c] ?? { code: c, volume: 0, canUseVolume: 0, frozenVolume: 0, yesterdayVolume: 0, costMilli: 0, openCostMilli: 0 }
    p.volume += volume
    p.canUseVolume += volume
    p.yesterdayVolume += volume
    p.costMilli += costMilli
    p.openCostMilli += costMilli
    this.state.positions[c] = p
    if (this.state.marksMilli[c] === undefined) this.state.marksMilli[c] = toMilli(avgPrice)
    return p
  }

  // ---- queries (xtquant-shaped, snake_case) ------------------------------------------------------

  marketValueMilli(): number {
    let mv = 0
    for (const p of Object.values(this.state.positions)) mv += p.volume * (this.state.marksMilli[p.code] ?? (p.volume > 0 ? Math.round(p.costMilli / p.volume) : 0))
    return mv
  }

  queryAsset(): Record<string, unknown> {
    const s = this.state
    const mv = this.marketValueMilli()
    return {
      account_type: 2,
      account_id: s.accountId,
      cash: s.cashMilli / 1000,
      frozen_cash: s.frozenCashMilli / 1000,
      market_value: mv / 1000,
      total_asset: (s.cashMilli + s.frozenCashMilli + mv) / 1000,
    }
  }

  private xtPosition(p: EnginePosition): Record<string, unknown> {
    const mark = this.state.marksMilli[p.code] ?? 0
    return {
      account_type: 2,
      account_id: this.state.accountId,
      stock_code: p.code,
      volume: p.volume,
      can_use_volume: p.canUseVolume,
      open_price: p.volume > 0 ? Math.round(p.openCostMilli / p.volume) / 1000 : 0,
      avg_price: p.volume > 0 ? Math.round(p.costMilli / p.volume) / 1000 : 0,
      market_value: (p.volume * mark) / 1000,
      frozen_volume: p.frozenVolume,
      on_road_volume: 0,
      yesterday_volume: p.yesterdayVolume,
      direction: 48,
    }
  }

  queryPositions(): Array<Record<string, unknown>> {
    return Object.values(this.state.positions)
      .filter((p) => p.volume > 0 || p.frozenVolume > 0)
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((p) => this.xtPosition(p))
  }

  queryPosition(code: unknown): Record<string, unknown> | null {
    if (typeof code !== 'string') return null
    const p = this.state.positions[code]
    return p && (p.volume > 0 || p.frozenVolume > 0) ? this.xtPosition(p) : null
  }

  xtOrder(o: EngineOrder): Record<string, unknown> {
    return {
      account_type: 2,
      account_id: this.state.accountId,
      stock_code: o.code,
      order_id: o.orderId,
      order_sysid: o.sysid,
      order_time: Math.floor(o.time / 1000),
      order_type: o.orderType,
      order_volume: o.volume,
      price_type: o.brokerPriceType,
      price: o.priceMilli / 1000,
      traded_volume: o.tradedVolume,
      traded_price: o.tradedVolume > 0 ? Math.round(o.tradedValueMilli / o.tradedVolume) / 1000 : 0,
      order_status: o.status,
      status_msg: o.statusMsg,
      strategy_name: o.strategyName,
      order_remark: o.remark,
      direction: 48,
      offset_flag: o.side === 'buy' ? 48 : 49,
    }
  }

  queryOrders(cancelableOnly: unknown = false): Array<Record<string, unknown>> {
    return this.state.orders.filter((o) => (cancelableOnly === true ? isWorking(o) : true)).map((o) => this.xtOrder(o))
  }

  queryOrder(orderId: unknown): Record<string, unknown> | null {
    const o = this.state.orders.find((x) => x.orderId === orderId)
    return o ? this.xtOrder(o) : null
  }

  xtTrade(t: EngineTrade): Record<string, unknown> {
    return {
      account_type: 2,
      account_id: this.state.accountId,
      stock_code: t.code,
      order_type: t.orderType,
      traded_id: t.tradeId,
      traded_time: Math.floor(t.time / 1000),
      traded_price: t.priceMilli / 1000,
      traded_volume: t.volume,
      traded_amount: t.valueMilli / 1000,
      order_id: t.orderId,
      order_sysid: t.sysid,
      strategy_name: t.strategyName,
      order_remark: t.remark,
      direction: 48,
      offset_flag: t.side === 'buy' ? 48 : 49,
    }
  }

  queryTrades(): Array<Record<string, unknown>> {
    return this.state.trades.map((t) => this.xtTrade(t))
  }

  /** Working orders' codes (the server only advances the price model for these between requests). */
  workingCodes(): string[] {
    return [...new Set(this.state.orders.filter(isWorking).map((o) => o.code))]
  }
}

/** The instant of a trading day's close (15:00 Shanghai). */
export function closeOf(day: string): Date {
  return shanghaiTime(day, '15:00')
}
