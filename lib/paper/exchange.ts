/**
 * PaperExchange — the simulated outside world behind the paper exchange server: the matching engine
 * (the counter), the price model (the market), the simulated clock, injected faults, request
 * statistics and the state file. No HTTP here (server.ts speaks the wire formats).
 *
 * The state file holds the engine (account, positions, orders, the order-id counter), the price
 * model configuration (seed, base day, scenarios, overrides) and the clock, written atomically after
 * every change and periodically, so a restart continues where it stopped and never reuses an order id.
 */
import { MarketRuleError, parseCode, shanghaiDate, shanghaiSecondOfDay, tickMilliOf, type FeeRates, type Quote } from '@/lib/market'
import { isTradingDay, nextTradingDay, setUnannouncedClosures } from './calendar'
import type { BrokerLogger } from '@/lib/broker/types'
import { DEFAULT_SIM_SPEED, defaultDemoStart, SimClock, type ClockSnapshot } from './clock'
import { initialEngineState, isWorking, PaperEngine, sessionDayOf } from './engine'
import { readJsonFile, writeJsonAtomic } from './persist'
import { PriceModel, type PriceModelConfig, type PriceOverride } from './price-model'
import { DEMO_DEFAULT_CASH, DEMO_SCENARIOS, scenarioByName, type ScenarioScript } from './scenarios'
import { ENGINE_STATE_VERSION, FIRST_ORDER_ID, type EngineState, type Fill, type OrderFaults } from './types'

export const EXCHANGE_FILE_KIND = 'dingpan-paper-exchange'

export type FaultKind =
  | 'delay'
  | 'timeout_after_execute'
  | 'timeout_before_execute'
  | 'http_500'
  | 'unauthorized'
  | 'refuse'
  | 'malformed'
  | 'reject_order'
  | 'partial_fill'
  | 'cancel_error'
  | 'vanish'
  | 'minus_one'
  | 'logged_out'

export const FAULT_KINDS: readonly FaultKind[] = ['delay', 'timeout_after_execute', 'timeout_before_execute', 'http_500', 'unauthorized', 'refuse', 'malformed', 'reject_order', 'partial_fill', 'cancel_error', 'vanish', 'minus_one', 'logged_out']

export interface FaultSpec {
  kind: FaultKind
  /** QKA method it applies to, or '*' (default: order_stock for order faults, cancel_order_stock for cancel_error, '*' otherwise). */
  method?: string
  /** How many matching requests it affects; 0 = until cleared. Default 1 (logged_out: 0). */
  count?: number
  /** delay: the delay. timeout_*: answer after this long (default: never answer). */
  delayMs?: number
  /** reject_order: the status_msg of the 废单. */
  statusMsg?: string
  /** partial_fill: shares filled before the rest rests. */
  shares?: number
  /** refuse: how long the bridge listener stays closed (default 5 s). */
  seconds?: number
  /** http_500: the detail text (default a Python-like RuntimeError). */
  detail?: string
  /** http_500 / malformed: run the method first, then fail the answer (default: false for 500, true for malformed). */
  afterExecute?: boolean
  /** logged_out: how long, in market (simulated) seconds from now; default until cleared. */
  marketSeconds?: number
}

export interface ActiveFault extends Required<Pick<FaultSpec, 'kind' | 'method' | 'count'>> {
  id: number
  spec: FaultSpec
  used: number
  /** Market time (ms) at which it ends by itself, when given. */
  untilMs?: number
}

export interface RequestLogEntry {
  at: string
  method: string
  status: number
  executed: boolean
  fault?: FaultKind
  body?: unknown
}

/** A Python exception inside the bridge (→ HTTP 500 with its text). */
export class PythonError extends Error {}

export interface PaperExchangeCoreOptions {
  stateFile?: string | null
  /** Ignore an existing state file (its order-id counter is still honoured). */
  fresh?: boolean
  speed?: number
  /** ISO time, 'next-open' (default), or 'now'. An explicit start also overrides a saved clock. */
  start?: Date | string
  paused?: boolean
  skipClosed?: boolean
  /** Real wall clock: speed 1, no skipping, now. */
  wall?: boolean
  scenario?: 'demo' | 'none'
  /** Cash of a new account (default 1,000,000; 900,000 with the demo scenario, see DEMO_DEFAULT_CASH). */
  cash?: number
  seed?: number
  accountId?: string
  /** Add Hungarian m_* duplicates to returned objects like a real XTQC object (default true). */
  mKeys?: boolean
  feeRates?: Partial<FeeRates>
  logger?: BrokerLogger
  /** Wall clock in ms (tests). */
  wallNow?: () => number
  /** Weekdays this exchange keeps closed although DingPan's calendar says open (see ./calendar). */
  closures?: string[]
}

interface ExchangeFile {
  kind: typeof EXCHANGE_FILE_KIND
  version: 1
  engine: EngineState
  model: PriceModelConfig
  clock: { now: string; speed: number; paused: boolean; skipClosed: boolean }
  savedAt: string
}

const ORDER_METHODS = new Set(['order_stock'])

function firstSessionDay(t: Date): string {
  const d = shanghaiDate(t)
  if (isTradingDay(d) && shanghaiSecondOfDay(t) < 15 * 3600) return d
  return nextTradingDay(d)
}

function pyArgsMissing(fn: string, names: string[]): PythonError {
  const quoted = names.map((n) => `'${n}'`)
  const list = quoted.length === 1 ? quoted[0] : quoted.length === 2 ? `${quoted[0]} and ${quoted[1]}` : `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`
  return new PythonError(`XtQuantTrader.${fn}() missing ${names.length} required positional argument${names.length > 1 ? 's' : ''}: ${list}`)
}

/** Python-like keyword call check: required names, optional names, unexpected names. */
function checkArgs(fn: string, args: Record<string, unknown>, required: string[]): void {
  const missing = required.filter((n) => !(n in args))
  if (missing.length) throw pyArgsMissing(fn, missing)
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'string') return 'str'
  if (typeof v === 'boolean') return 'bool'
  return Array.isArray(v) ? 'list' : 'dict'
}

/** Invented message shape (the real pybind11 text is UNVERIFIED): a wrongly-typed argument → TypeError → 500. */
function expectType(fn: string, name: string, v: unknown, kind: 'str' | 'int' | 'number'): void {
  const ok = kind === 'str' ? typeof v === 'string' : kind === 'int' ? typeof v === 'number' && Number.isInteger(v) : typeof v === 'number' && Number.isFinite(v)
  if (!ok) throw new PythonError(`TypeError: ${fn}(): incompatible function arguments: ${name} must be ${kind === 'number' ? 'float' : kind}, not ${typeName(v)}`)
}

function addMKeys(obj: Record<string, unknown>, map: Record<string, string>): Record<string, unknown> {
  const out = { ...obj }
  for (const [snake, hung] of Object.entries(map)) if (snake in obj) out[hung] = obj[snake]
  return out
}

const M_ASSET = { cash: 'm_dCash', frozen_cash: 'm_dFrozenCash', market_value: 'm_dMarketValue', total_asset: 'm_dTotalAsset', account_id: 'm_strAccountID', account_type: 'm_nAccountType' }
const M_POSITION = { stock_code: 'm_strStockCode', volume: 'm_nVolume', can_use_volume: 'm_nCanUseVolume', avg_price: 'm_dAvgPrice', open_price: 'm_dOpenPrice', market_value: 'm_dMarketValue', frozen_volume: 'm_nFrozenVolume', yesterday_volume: 'm_nYesterdayVolume', on_road_volume: 'm_nOnRoadVolume' }
const M_ORDER = { order_id: 'm_nOrderID', order_status: 'm_nOrderStatus', order_remark: 'm_strOrderRemark', stock_code: 'm_strStockCode', traded_volume: 'm_nTradedVolume', order_sysid: 'm_strOrderSysID' }
const M_TRADE = { order_id: 'm_nOrderID', traded_id: 'm_strTradedID', traded_price: 'm_dTradedPrice', traded_volume: 'm_nTradedVolume', stock_code: 'm_strStockCode' }

export class PaperExchange {
  readonly clock: SimClock
  readonly model: PriceModel
  engine: PaperEngine
  readonly stateFile: string | null
  readonly mKeys: boolean
  readonly faults: ActiveFault[] = []
  readonly requests: Record<string, number> = {}
  readonly executed: Record<string, number> = {}
  readonly requestLog: RequestLogEntry[] = []
  private faultSeq = 1
  private lastSync: Date
  private readonly logger?: BrokerLogger
  private lastSavedText = ''
  private readonly feeRates?: Partial<FeeRates>

  constructor(opts: PaperExchangeCoreOptions = {}) {
    if (opts.closures) setUnannouncedClosures(opts.closures)
    this.logger = opts.logger
    this.stateFile = opts.stateFile ?? null
    this.mKeys = opts.mKeys ?? true
    this.feeRates = opts.feeRates
    const wallNow = opts.wallNow ?? Date.now
    const saved = this.stateFile && !opts.fresh ? this.readFile(this.stateFile) : null
    let keepOrderId = FIRST_ORDER_ID
    if (this.stateFile && opts.fresh) {
      // Never reuse an order id, even when starting over.
      try {
        const old = readJsonFile(this.stateFile) as Partial<ExchangeFile> | null
        if (old?.engine && Number.isSafeInteger(old.engine.nextOrderId)) keepOrderId = old.engine.nextOrderId
      } catch {
        // unreadable: start at the default
      }
    }

    const explicitStart = opts.start !== undefined && opts.start !== 'next-open'
    const start = this.resolveStart(opts, wallNow)
    const clockNow = saved && !explicitStart ? new Date(saved.clock.now) : start
    this.clock = opts.wall
      ? SimClock.wallClock(wallNow)
      : new SimClock({
          start: clockNow,
          speed: opts.speed ?? saved?.clock.speed ?? DEFAULT_SIM_SPEED,
          paused: opts.paused ?? saved?.clock.paused ?? false,
          skipClosed: opts.skipClosed ?? saved?.clock.skipClosed ?? true,
          wall: wallNow,
        })

    if (saved) {
      this.engine = new PaperEngine(saved.engine)
      this.model = new PriceModel(saved.model)
    } else {
      this.engine = new PaperEngine(initialEngineState({ accountId: opts.accountId ?? 'SIM0001', cash: opts.cash ?? (opts.scenario === 'demo' ? DEMO_DEFAULT_CASH : 1_000_000), nextOrderId: keepOrderId, feeRates: opts.feeRates }))
      let baseDay: string
      try {
        baseDay = firstSessionDay(this.clock.now())
      } catch {
        baseDay = shanghaiDate(this.clock.now())
      }
      this.model = new PriceModel({ seed: opts.seed ?? 42, baseDay, scenarios: {}, overrides: {} })
      if ((opts.scenario ?? 'none') === 'demo') this.loadDemo(baseDay, true)
    }
    this.lastSync = this.clock.now()
    this.engine.roll(this.lastSync)
    this.save()
  }

  private resolveStart(opts: PaperExchangeCoreOptions, wallNow: () => number): Date {
    const s = opts.start
    if (s instanceof Date) return s
    if (s === 'now' || opts.wall) return new Date(wallNow())
    if (typeof s === 'string' && s !== 'next-open') {
      const t = Date.parse(s)
      if (!Number.isFinite(t)) throw new RangeError(`invalid start time ${JSON.stringify(s)} (ISO time, 'now' or 'next-open')`)
      return new Date(t)
    }
    return defaultDemoStart(new Date(wallNow()))
  }

  private readFile(file: string): ExchangeFile | null {
    const raw = readJsonFile(file) as Partial<ExchangeFile> | null
    if (raw === null) return null
    if (raw.kind !== EXCHANGE_FILE_KIND || raw.version !== 1 || !raw.engine || raw.engine.version !== ENGINE_STATE_VERSION || !raw.model || !raw.clock) {
      throw new Error(`${file} is not a paper exchange state file (kind ${String(raw.kind)}); use another --state-file or --fresh`)
    }
    return raw as ExchangeFile
  }

  /** Loads the demo scenarios (and, on a fresh account, their initial holdings). */
  loadDemo(startDay: string, seedPositions: boolean) {
    for (const s of DEMO_SCENARIOS) {
      this.model.setScenario(s.code, { script: s.script, startDay, name: s.name, prevClose: s.prevClose })
      if (seedPositions && s.initialPosition) this.engine.seedPosition(s.code, s.initialPosition.volume, s.initialPosition.avgPrice)
    }
  }

  // ---- persistence -------------------------------------------------------------------------------

  snapshotFile(): ExchangeFile {
    const c = this.clock.snapshot()
    return {
      kind: EXCHANGE_FILE_KIND,
      version: 1,
      engine: this.engine.state,
      model: this.model.config,
      clock: { now: c.now, speed: c.speed, paused: c.paused, skipClosed: c.skipClosed },
      savedAt: new Date().toISOString(),
    }
  }

  /** Writes the state file when the engine or model changed, or always with `force` (the server forces it every 5 s to keep the clock). */
  save(force = false): void {
    if (!this.stateFile) return
    const snap = this.snapshotFile()
    const text = JSON.stringify({ engine: snap.engine, model: snap.model })
    if (!force && text === this.lastSavedText) return
    writeJsonAtomic(this.stateFile, snap)
    this.lastSavedText = text
  }

  // ---- time and matching -------------------------------------------------------------------------

  now(): Date {
    return this.clock.now()
  }

  quote(code: string, at: Date = this.clock.now()): Quote {
    return this.model.quote(code, at)
  }

  /**
   * Brings the engine to the current market time: day roll (expiry, T+1), then resting orders
   * matched against every model step since the last sync, then marks of held codes.
   */
  sync(): Fill[] {
    const now = this.clock.now()
    const fills: Fill[] = []
    try {
      const codes = this.engine.workingCodes()
      if (codes.length && now.getTime() > this.lastSync.getTime()) {
        const steps = this.model.stepTimesBetween(this.lastSync, now, 5000)
        for (const t of steps) {
          for (const c of this.engine.workingCodes()) fills.push(...this.engine.match(this.model.quote(c, t), t))
        }
      }
      this.engine.roll(now)
      for (const c of new Set([...this.engine.workingCodes(), ...Object.keys(this.engine.state.positions)])) {
        fills.push(...this.engine.match(this.model.quote(c, now), now))
      }
    } catch (e) {
      if (!(e instanceof MarketRuleError)) throw e
      this.logger?.warn({ err: e.message }, 'paper exchange: calendar unavailable, matching skipped')
    }
    if (now.getTime() > this.lastSync.getTime()) this.lastSync = now
    return fills
  }

  // ---- faults ------------------------------------------------------------------------------------

  addFault(spec: FaultSpec): ActiveFault {
    if (!FAULT_KINDS.includes(spec.kind)) throw new RangeError(`unknown fault kind ${JSON.stringify(spec.kind)}; one of ${FAULT_KINDS.join(', ')}`)
    const method =
      spec.method ??
      (spec.kind === 'reject_order' || spec.kind === 'partial_fill' || spec.kind === 'vanish' || spec.kind === 'minus_one' ? 'order_stock' : spec.kind === 'cancel_error' ? 'cancel_order_stock' : '*')
    const count = spec.count === undefined ? (spec.kind === 'logged_out' ? 0 : 1) : Math.max(0, Math.floor(spec.count))
    const f: ActiveFault = { id: this.faultSeq++, kind: spec.kind, method, count, spec, used: 0 }
    if (spec.marketSeconds !== undefined) {
      if (!(Number.isFinite(spec.marketSeconds) && spec.marketSeconds > 0)) throw new RangeError(`marketSeconds must be a positive number, got ${String(spec.marketSeconds)}`)
      f.untilMs = this.clock.now().getTime() + spec.marketSeconds * 1000
    }
    if (spec.kind !== 'refuse') this.faults.push(f)
    return f
  }

  clearFaults() {
    this.faults.length = 0
  }

  /** Consumes and returns the first fault of one of `kinds` matching `method`. */
  takeFault(method: string, kinds: readonly FaultKind[]): ActiveFault | null {
    const t = this.clock.now().getTime()
    for (let j = this.faults.length - 1; j >= 0; j--) if ((this.faults[j]!.untilMs ?? Infinity) <= t) this.faults.splice(j, 1)
    const i = this.faults.findIndex((f) => kinds.includes(f.kind) && (f.method === '*' || f.method === method))
    if (i < 0) return null
    const f = this.faults[i]!
    f.used++
    if (f.count > 0 && f.used >= f.count) this.faults.splice(i, 1)
    return f
  }

  // ---- bridge methods (xttrader semantics) -------------------------------------------------------

  static readonly METHODS = [
    'order_stock',
    'cancel_order_stock',
    'cancel_order_stock_sysid',
    'query_stock_asset',
    'query_stock_positions',
    'query_stock_position',
    'query_stock_orders',
    'query_stock_order',
    'query_stock_trades',
    'query_account_status',
    'query_account_infos',
  ] as const

  /** Routes QKA generates for xtquant_240329 that the paper exchange does not simulate (→ 500). */
  static readonly UNSIMULATED = ['order_stock_async', 'cancel_order_stock_async', 'cancel_order_stock_sysid_async', 'subscribe', 'unsubscribe', 'set_timeout', 'query_stock_asset_async', 'query_stock_orders_async', 'query_stock_trades_async', 'query_stock_positions_async']

  static isRoute(method: string): boolean {
    return (PaperExchange.METHODS as readonly string[]).includes(method) || PaperExchange.UNSIMULATED.includes(method)
  }

  private withM(obj: Record<string, unknown> | null, map: Record<string, string>): Record<string, unknown> | null {
    return obj && this.mKeys ? addMKeys(obj, map) : obj
  }

  /**
   * Executes one xttrader call (account injected) and returns what QKA's convert_to_dict would send:
   * objects as dicts, lists item by item, None as {}. Python exceptions are thrown as PythonError.
   */
  call(method: string, args: Record<string, unknown>, orderFaults: OrderFaults = {}, cancelError = false): unknown {
    this.sync()
    const none = {}
    switch (method) {
      case 'order_stock': {
        checkArgs(method, args, ['stock_code', 'order_type', 'order_volume', 'price_type', 'price'])
        expectType(method, 'stock_code', args.stock_code, 'str')
        expectType(method, 'order_type', args.order_type, 'int')
        expectType(method, 'order_volume', args.order_volume, 'int')
        expectType(method, 'price_type', args.price_type, 'int')
        expectType(method, 'price', args.price, 'number')
        if (args.strategy_name !== undefined) expectType(method, 'strategy_name', args.strategy_name, 'str')
        if (args.order_remark !== undefined) expectType(method, 'order_remark', args.order_remark, 'str')
        const now = this.clock.now()
        let q: Quote | null = null
        try {
          q = this.model.quote(String(args.stock_code), now)
        } catch {
          q = null
        }
        const r = this.engine.placeOrder(
          {
            stock_code: args.stock_code,
            order_type: args.order_type,
            order_volume: args.order_volume,
            price_type: args.price_type,
            price: args.price,
            strategy_name: args.strategy_name,
            order_remark: args.order_remark,
          },
          now,
          q,
          orderFaults,
        )
        if (r.orderId > 0) this.logger?.info({ orderId: r.orderId, code: args.stock_code, status: r.order?.status, fills: r.fills.length }, 'paper exchange: order')
        return r.orderId
      }
      case 'cancel_order_stock': {
        checkArgs(method, args, ['order_id'])
        if (cancelError) return -1
        if (typeof args.order_id !== 'number') return -1
        return this.engine.cancelOrder(args.order_id, this.clock.now()).result
      }
      case 'cancel_order_stock_sysid': {
        checkArgs(method, args, ['market', 'sysid'])
        if (cancelError) return -1
        const o = this.engine.state.orders.find((x) => x.sysid !== '' && x.sysid === String(args.sysid))
        if (!o) return -1
        return this.engine.cancelOrder(o.orderId, this.clock.now()).result
      }
      case 'query_stock_asset':
        return this.withM(this.engine.queryAsset(), M_ASSET)
      case 'query_stock_positions': {
        const list = this.engine.queryPositions().map((p) => this.withM(p, M_POSITION))
        return list.length ? list : none
      }
      case 'query_stock_position': {
        checkArgs(method, args, ['stock_code'])
        return this.withM(this.engine.queryPosition(args.stock_code), M_POSITION) ?? none
      }
      case 'query_stock_orders': {
        const list = this.engine.queryOrders(args.cancelable_only ?? false).map((o) => this.withM(o, M_ORDER))
        return list.length ? list : none
      }
      case 'query_stock_order': {
        checkArgs(method, args, ['order_id'])
        return this.withM(this.engine.queryOrder(args.order_id), M_ORDER) ?? none
      }
      case 'query_stock_trades': {
        const list = this.engine.queryTrades().map((t) => this.withM(t, M_TRADE))
        return list.length ? list : none
      }
      case 'query_account_status':
        return [{ account_type: 2, account_id: this.engine.state.accountId, status: 0 }]
      case 'query_account_infos':
        return [{ account_type: 2, account_id: this.engine.state.accountId, broker_type: 2, platform_id: 0, account_classification: 0, login_status: 0 }]
      default:
        throw new PythonError(`NotImplementedError: the paper exchange does not simulate ${method}`)
    }
  }

  noteRequest(method: string) {
    this.requests[method] = (this.requests[method] ?? 0) + 1
  }

  noteExecuted(method: string) {
    this.executed[method] = (this.executed[method] ?? 0) + 1
  }

  logRequest(e: RequestLogEntry) {
    this.requestLog.push(e)
    if (this.requestLog.length > 500) this.requestLog.splice(0, this.requestLog.length - 500)
  }

  static isOrderMethod(method: string): boolean {
    return ORDER_METHODS.has(method)
  }

  // ---- control operations ------------------------------------------------------------------------

  setClock(opts: { now?: string | Date; speed?: number; paused?: boolean; skipClosed?: boolean }): ClockSnapshot {
    let now: Date | undefined
    if (opts.now !== undefined) {
      if (opts.now === 'next-open') now = defaultDemoStart(this.clock.now())
      else {
        const t = opts.now instanceof Date ? opts.now.getTime() : Date.parse(opts.now)
        if (!Number.isFinite(t)) throw new RangeError(`invalid time ${JSON.stringify(opts.now)}`)
        now = new Date(t)
      }
    }
    // Settle everything up to the old time first, so a jump backwards cannot re-match old steps.
    this.sync()
    this.clock.set({ now, speed: opts.speed, paused: opts.paused, skipClosed: opts.skipClosed })
    if (now !== undefined) this.lastSync = this.clock.now()
    this.engine.roll(this.clock.now())
    return this.clock.snapshot()
  }

  tick(seconds: number): { clock: ClockSnapshot; fills: Fill[] } {
    if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= 7 * 86400)) throw new RangeError(`seconds must be between 0 and 604800, got ${seconds}`)
    this.sync()
    this.clock.step(seconds * 1000)
    const fills = this.sync()
    return { clock: this.clock.snapshot(), fills }
  }

  setPrice(code: string, o: (PriceOverride & { clear?: boolean }) | { clear: true }): Quote | null {
    const c = parseCode(code).code
    this.sync()
    if ('clear' in o && o.clear) {
      this.model.setOverride(c, null)
      return this.quote(c)
    }
    const ov = o as PriceOverride
    if (typeof ov.last !== 'number' || !(ov.last > 0)) throw new RangeError('price override needs a positive `last`')
    this.model.setOverride(c, ov)
    const q = this.quote(c)
    // A price change is a new tick: resting orders see it right away.
    this.engine.match(q, this.clock.now())
    return q
  }

  /**
   * Locks a board at its limit price (see PaperEngine.lockBoard): the quote shows the limit as the
   * last price with only the queued side of the book (`ahead` shares at the limit), so resting
   * orders at the limit wait in the queue until openBoard.
   */
  lockBoard(code: string, side: 'up' | 'down', ahead: number): Quote {
    const c = parseCode(code).code
    this.sync()
    const now = this.clock.now()
    const q = this.quote(c)
    const limits = this.engine.limitsOf(c, q, sessionDayOf(now))
    if (!limits) throw new RangeError(`${c} has no limit prices today: it cannot be locked`)
    const priceMilli = side === 'up' ? limits.upMilli : limits.downMilli
    const price = priceMilli / 1000
    this.engine.lockBoard(c, side, priceMilli, ahead, now)
    const level = [{ price, volume: Math.max(ahead, 100) }]
    this.model.setOverride(c, {
      last: price,
      prevClose: q.prevClose,
      open: q.open,
      high: side === 'up' ? price : Math.max(q.high, price),
      low: side === 'down' ? price : Math.min(q.low > 0 ? q.low : price, price),
      limitUp: limits.upMilli / 1000,
      limitDown: limits.downMilli / 1000,
      bids: side === 'up' ? level : [],
      asks: side === 'down' ? level : [],
      name: q.name,
    })
    const locked = this.quote(c)
    this.engine.match(locked, now)
    this.save(true)
    return locked
  }

  /**
   * The board opens: `volume` shares (default: all of the queue) trade at the limit against the
   * queue in time priority, then the price leaves the limit (`last`, default one tick inside it)
   * with a normal book.
   */
  openBoard(code: string, opts: { volume?: number; last?: number } = {}): { fills: Fill[]; quote: Quote } {
    const c = parseCode(code).code
    this.sync()
    const now = this.clock.now()
    const lock = this.engine.lockOf(c)
    if (!lock) throw new RangeError(`${c} is not locked`)
    const before = this.quote(c)
    const fills = this.engine.openBoard(c, now, before, opts.volume ?? Number.POSITIVE_INFINITY)
    const tick = tickMilliOf(c)
    const last = opts.last ?? (lock.side === 'up' ? lock.priceMilli - tick : lock.priceMilli + tick) / 1000
    this.model.setOverride(c, { last, prevClose: before.prevClose, open: before.open, high: before.high, low: before.low, limitUp: before.limitUp, limitDown: before.limitDown, name: before.name })
    this.save(true)
    return { fills, quote: this.quote(c) }
  }

  setScenario(code: string, opts: { name?: string; script?: ScenarioScript; startDay?: string; instrumentName?: string; prevClose?: number; clear?: boolean }): void {
    const c = parseCode(code).code
    this.sync()
    if (opts.clear) {
      this.model.setScenario(c, null)
      return
    }
    const script = opts.script ?? (opts.name ? scenarioByName(opts.name) : null)
    if (!script || !Array.isArray(script.days) || script.days.length === 0) throw new RangeError(`unknown scenario ${JSON.stringify(opts.name)}; give a name or a script with days`)
    for (const d of script.days) {
      if (!Array.isArray(d.points) || d.points.length === 0) throw new RangeError('every scenario day needs at least one [minute, pct] point')
    }
    const startDay = opts.startDay ?? firstSessionDay(this.clock.now())
    this.model.setScenario(c, { script, startDay, name: opts.instrumentName, prevClose: opts.prevClose })
  }

  reset(opts: { cash?: number; seed?: number; scenario?: 'demo' | 'none'; accountId?: string }): void {
    const nextOrderId = this.engine.state.nextOrderId
    this.engine = new PaperEngine(initialEngineState({ accountId: opts.accountId ?? this.engine.state.accountId, cash: opts.cash ?? (opts.scenario === 'demo' ? DEMO_DEFAULT_CASH : 1_000_000), nextOrderId, feeRates: this.feeRates }))
    let baseDay: string
    try {
      baseDay = firstSessionDay(this.clock.now())
    } catch {
      baseDay = shanghaiDate(this.clock.now())
    }
    const cfg = this.model.config
    cfg.seed = opts.seed ?? cfg.seed
    cfg.baseDay = baseDay
    for (const k of Object.keys(cfg.scenarios)) delete cfg.scenarios[k]
    for (const k of Object.keys(cfg.overrides)) delete cfg.overrides[k]
    this.model.invalidate()
    if (opts.scenario === 'demo') this.loadDemo(baseDay, true)
    this.clearFaults()
    this.lastSync = this.clock.now()
    this.engine.roll(this.lastSync)
  }

  seedHolding(code: string, volume: number, avgPrice: number): void {
    this.sync()
    this.engine.seedPosition(code, volume, avgPrice)
  }

  state(): Record<string, unknown> {
    const e = this.engine
    return {
      clock: this.clock.snapshot(),
      account: e.queryAsset(),
      positions: e.queryPositions(),
      orders: e.queryOrders(false),
      trades: e.queryTrades(),
      workingOrders: e.state.orders.filter(isWorking).length,
      vanished: e.state.vanished,
      nextOrderId: e.state.nextOrderId,
      sessionDay: e.state.sessionDay,
      realizedPnl: e.state.realizedPnlMilli / 1000,
      requests: { ...this.requests },
      executed: { ...this.executed },
      requestLog: this.requestLog.slice(-200),
      faults: this.faults.map((f) => ({ id: f.id, kind: f.kind, method: f.method, count: f.count, used: f.used, ...(f.untilMs !== undefined ? { until: new Date(f.untilMs).toISOString() } : {}) })),
      model: { seed: this.model.config.seed, baseDay: this.model.config.baseDay, scenarios: Object.fromEntries(Object.entries(this.model.config.scenarios).map(([k, v]) => [k, { name: v.script.name, startDay: v.startDay }])), overrides: Object.keys(this.model.config.overrides) },
    }
  }

  /** Session day helper for callers. */
  sessionDay(): string | null {
    try {
      return sessionDayOf(this.clock.now())
    } catch {
      return null
    }
  }
}
