/**
 * PaperBroker — paper trading on real prices without QMT (BROKER=paper). The same matching engine
 * as the paper exchange, with its state in a JSON file shared by the web process and the worker:
 * every operation runs load → modify → save under a cross-process lock, and saves are atomic.
 *
 * Prices come from the caller: `onQuotes(quotes, now)` stores the newest quote per code and matches
 * resting orders against it; placeOrder uses the quote passed with the order or the newest stored
 * one, and refuses (outcome 'rejected', nothing recorded) when there is none or it is older than
 * `maxQuoteAgeMs` (market time). Outcomes and records are the same as MiniQMTInterface's: 'sent'
 * means the order exists (it may still become 废单 57 through the counter rules, exactly like QMT),
 * 'not_sent' means the state file could not be updated (nothing recorded).
 */
import { normalizeCode, type FeeRates, type Quote, type Signal } from '@/lib/market'
import { PaperBrokerError } from './errors'
import { toAccountInfo, toOrder, toPosition, toTrade } from './records'
import { executeStrategySignal } from './strategy'
import type {
  AccountInfo,
  Broker,
  BrokerList,
  BrokerLogger,
  BrokerOrder,
  BrokerPosition,
  BrokerTrade,
  CancelResult,
  ConnectResult,
  GetOrdersOptions,
  PlaceOrderInput,
  PlaceOrderResult,
  StrategyContext,
  StrategyExecution,
} from './types'
import { isValidClientOrderId, preTradeCheck } from './validate'
import { XtAssetSchema, XtOrderSchema, XtPositionSchema, XtTradeSchema } from './xt-schemas'
import { initialEngineState, PaperEngine } from '@/lib/paper/engine'
import { readJsonFile, withFileLock, writeJsonAtomic, type LockOptions } from '@/lib/paper/persist'
import { ENGINE_STATE_VERSION, type EngineState } from '@/lib/paper/types'

export const PAPER_BROKER_FILE_KIND = 'dingpan-paper-broker'

export interface PaperBrokerOptions {
  stateFile: string
  /** Cash of a new account (yuan). Default 1,000,000. */
  initialCash?: number
  accountId?: string
  /** Market clock (a simulated one in demo mode). Default: wall clock. */
  clock?: () => Date
  /** Quotes older than this (against the clock) are not used to accept an order. Default 30 s. */
  maxQuoteAgeMs?: number
  feeRates?: Partial<FeeRates>
  logger?: BrokerLogger
  lock?: LockOptions
}

interface StoredQuote extends Omit<Quote, 'time'> {
  time: string
}

interface PaperFile {
  kind: typeof PAPER_BROKER_FILE_KIND
  version: 1
  engine: EngineState
  quotes: Record<string, StoredQuote>
  updatedAt: string
}

function reviveQuote(q: StoredQuote): Quote {
  return { ...q, time: new Date(q.time) }
}

function storeQuote(q: Quote): StoredQuote {
  // Keep only Quote fields (a ServedQuote also carries ageMs/stale).
  return {
    code: q.code,
    name: q.name,
    last: q.last,
    prevClose: q.prevClose,
    open: q.open,
    high: q.high,
    low: q.low,
    volume: q.volume,
    amount: q.amount,
    bids: q.bids.map((l) => ({ price: l.price, volume: l.volume })),
    asks: q.asks.map((l) => ({ price: l.price, volume: l.volume })),
    limitUp: q.limitUp,
    limitDown: q.limitDown,
    time: q.time.toISOString(),
    suspended: q.suspended,
    source: q.source,
  }
}

function msgOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export class PaperBroker implements Broker {
  readonly kind = 'paper' as const
  readonly stateFile: string
  private readonly opts: PaperBrokerOptions
  private readonly clock: () => Date
  private readonly maxQuoteAgeMs: number
  private connected = false

  constructor(opts: PaperBrokerOptions) {
    if (!opts || typeof opts.stateFile !== 'string' || opts.stateFile.length === 0) throw new PaperBrokerError('config', 'PaperBroker: stateFile is required')
    this.opts = opts
    this.stateFile = opts.stateFile
    this.clock = opts.clock ?? (() => new Date())
    this.maxQuoteAgeMs = opts.maxQuoteAgeMs ?? 30_000
  }

  private fresh(): PaperFile {
    return {
      kind: PAPER_BROKER_FILE_KIND,
      version: 1,
      engine: initialEngineState({ accountId: this.opts.accountId ?? 'PAPER', cash: this.opts.initialCash ?? 1_000_000, feeRates: this.opts.feeRates }),
      quotes: {},
      updatedAt: new Date().toISOString(),
    }
  }

  private load(): PaperFile {
    let raw: unknown
    try {
      raw = readJsonFile(this.stateFile)
    } catch (e) {
      throw new PaperBrokerError('state', `paper account file ${this.stateFile} is unreadable: ${msgOf(e)}`, { cause: e })
    }
    if (raw === null) return this.fresh()
    const f = raw as Partial<PaperFile>
    if (f.kind !== PAPER_BROKER_FILE_KIND || f.version !== 1 || !f.engine || f.engine.version !== ENGINE_STATE_VERSION) {
      throw new PaperBrokerError('state', `${this.stateFile} is not a DingPan paper account file (kind ${String(f.kind)}, version ${String(f.version)})`)
    }
    return { kind: PAPER_BROKER_FILE_KIND, version: 1, engine: f.engine, quotes: f.quotes ?? {}, updatedAt: f.updatedAt ?? '' }
  }

  /** load → fn → save (only when something changed), under the file lock. */
  private async mutate<T>(fn: (engine: PaperEngine, file: PaperFile) => T): Promise<T> {
    try {
      return await withFileLock(
        this.stateFile,
        () => {
          const file = this.load()
          const before = JSON.stringify(file)
          const engine = new PaperEngine(file.engine)
          const out = fn(engine, file)
          if (JSON.stringify(file) !== before) {
            file.updatedAt = new Date().toISOString()
            writeJsonAtomic(this.stateFile, file)
          }
          return out
        },
        { ...this.opts.lock, onCompromised: (err) => this.opts.logger?.error({ stateFile: this.stateFile, err: err.message }, 'paper account lock was lost while held') },
      )
    } catch (e) {
      if (e instanceof PaperBrokerError) throw e
      throw new PaperBrokerError((e as { code?: string }).code === 'ELOCKED' ? 'lock' : 'state', `paper account ${this.stateFile}: ${msgOf(e)}`, { cause: e })
    }
  }

  async connect(): Promise<ConnectResult> {
    try {
      const asset = await this.mutate((engine) => {
        engine.roll(this.clock())
        return engine.queryAsset()
      })
      this.connected = true
      return { success: true, message: `模拟账户已就绪 (${this.stateFile}); 总资产 ${String(asset.total_asset)}` }
    } catch (e) {
      this.connected = false
      return { success: false, message: `模拟账户不可用: ${msgOf(e)}` }
    }
  }

  disconnect(): void {
    this.connected = false
  }

  isConnected(): boolean {
    return this.connected
  }

  private query<T>(fn: (engine: PaperEngine) => T): Promise<T> {
    return this.mutate((engine) => {
      engine.roll(this.clock())
      return fn(engine)
    })
  }

  async getAccountInfo(): Promise<AccountInfo> {
    return toAccountInfo(XtAssetSchema.parse(await this.query((e) => e.queryAsset())))
  }

  async getPositions(): Promise<BrokerPosition[]> {
    return (await this.query((e) => e.queryPositions())).map((p) => toPosition(XtPositionSchema.parse(p)))
  }

  async getOrders(opts: GetOrdersOptions = {}): Promise<BrokerOrder[]> {
    return (await this.query((e) => e.queryOrders(opts.cancelableOnly ?? false))).map((o) => toOrder(XtOrderSchema.parse(o)))
  }

  async getOrder(orderId: number): Promise<BrokerOrder | null> {
    const o = await this.query((e) => e.queryOrder(orderId))
    return o ? toOrder(XtOrderSchema.parse(o)) : null
  }

  async getTrades(): Promise<BrokerTrade[]> {
    return (await this.query((e) => e.queryTrades())).map((t) => toTrade(XtTradeSchema.parse(t)))
  }

  /** The in-process engine always has its real list: never absent. */
  async listOrders(opts: GetOrdersOptions = {}): Promise<BrokerList<BrokerOrder>> {
    return { items: await this.getOrders(opts), absent: false }
  }

  async listTrades(): Promise<BrokerList<BrokerTrade>> {
    return { items: await this.getTrades(), absent: false }
  }

  /** Today's order with this remark, or null (null = not in today's list right now). */
  async findOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    if (!isValidClientOrderId(clientOrderId)) throw new TypeError(`invalid client order id ${JSON.stringify(clientOrderId)}`)
    const found = (await this.getOrders()).filter((o) => o.remark === clientOrderId)
    return found.length ? found[found.length - 1]! : null
  }

  /** Stores the newest quote per code and matches resting orders against each. */
  async onQuotes(quotes: Quote[], now: Date): Promise<void> {
    const usable = quotes.filter((q) => q && typeof q.code === 'string' && q.time instanceof Date && Number.isFinite(q.time.getTime()))
    if (usable.length === 0) return
    await this.mutate((engine, file) => {
      engine.roll(now)
      for (const q of usable) {
        let code: string
        try {
          code = normalizeCode(q.code)
        } catch {
          continue
        }
        const prevQ = file.quotes[code]
        if (prevQ && Date.parse(prevQ.time) > q.time.getTime()) continue
        file.quotes[code] = storeQuote(q)
        engine.match(q, now)
      }
    })
  }

  async placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
    const now = this.clock()
    if (!this.connected) {
      return { success: false, outcome: 'not_sent', code: 'NOT_CONNECTED', message: '模拟账户未连接, 委托未记录; 请先 connect()', messageEn: 'paper account not connected; nothing recorded (call connect() first)' }
    }
    try {
      return await this.mutate((engine, file) => {
        engine.roll(now)
        let canonical: string | null = null
        try {
          canonical = input && typeof input.code === 'string' ? normalizeCode(input.code) : null
        } catch {
          canonical = null
        }
        const stored = canonical ? file.quotes[canonical] : undefined
        let quote: Quote | null = stored ? reviveQuote(stored) : null
        if (input?.quote && (!quote || input.quote.time.getTime() >= quote.time.getTime())) quote = input.quote
        if (!quote) {
          return { success: false, outcome: 'rejected', code: 'QUOTE_MISSING', message: `模拟撮合没有 ${String(input?.code)} 的行情, 不接受委托`, messageEn: `no quote for ${String(input?.code)}; the paper account cannot accept the order` } as PlaceOrderResult
        }
        const ageMs = now.getTime() - quote.time.getTime()
        if (ageMs > this.maxQuoteAgeMs) {
          return {
            success: false,
            outcome: 'rejected',
            code: 'QUOTE_STALE',
            message: `${quote.code} 的最新行情已过时 ${Math.round(ageMs / 1000)} 秒 (上限 ${Math.round(this.maxQuoteAgeMs / 1000)} 秒), 模拟撮合不接受委托`,
            messageEn: `the newest quote of ${quote.code} is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(this.maxQuoteAgeMs / 1000)} s); the paper account does not accept the order`,
          } as PlaceOrderResult
        }
        const pos = engine.state.positions[quote.code]
        const check = preTradeCheck(input, { now, quote, sellable: input.side === 'sell' ? (pos?.canUseVolume ?? 0) : undefined })
        if (!check.ok) return { success: false, outcome: 'rejected', code: check.code, message: check.message, messageEn: check.messageEn } as PlaceOrderResult
        file.quotes[check.code] = storeQuote(quote)
        engine.match(quote, now)
        const res = engine.placeOrder(check.request, now, quote)
        if (res.orderId <= 0) {
          return { success: false, outcome: 'rejected', code: 'PAPER_RETURNED_MINUS_ONE', message: `模拟柜台返回 -1: ${res.error ?? '委托失败'}`, messageEn: `the paper counter returned -1: ${res.error ?? 'order failed'}`, request: check.request } as PlaceOrderResult
        }
        this.opts.logger?.info({ orderId: res.orderId, code: check.code, side: input.side, volume: input.quantity, price: check.request.price, remark: input.clientOrderId, status: res.order?.status }, 'paper order recorded')
        return {
          success: true,
          outcome: 'sent',
          orderId: res.orderId,
          message: `模拟委托已提交, 编号 ${res.orderId} (状态以委托查询为准)`,
          messageEn: `paper order recorded as ${res.orderId}; poll its status`,
          request: check.request,
        } as PlaceOrderResult
      })
    } catch (e) {
      // The state file was not written: nothing was recorded.
      return { success: false, outcome: 'not_sent', code: 'PAPER_STATE_ERROR', message: `模拟账户文件不可用, 委托未记录: ${msgOf(e)}`, messageEn: `the paper account file is unavailable; nothing recorded: ${msgOf(e)}` }
    }
  }

  async cancelOrder(orderId: number): Promise<CancelResult> {
    if (!Number.isSafeInteger(orderId) || orderId <= 0) return { success: false, outcome: 'refused', code: 'ORDER_ID_INVALID', message: `委托编号无效: ${String(orderId)}` }
    if (!this.connected) return { success: false, outcome: 'not_sent', code: 'NOT_CONNECTED', message: '模拟账户未连接, 撤单未执行; 请先 connect()' }
    const now = this.clock()
    try {
      const r = await this.mutate((engine) => engine.cancelOrder(orderId, now))
      if (r.result === 0) return { success: true, outcome: 'requested', message: `撤单已执行 (委托 ${orderId}); 状态以委托查询为准` }
      return { success: false, outcome: 'refused', code: 'CANCEL_REFUSED', message: `撤单失败: ${r.reason ?? '不可撤'}` }
    } catch (e) {
      return { success: false, outcome: 'not_sent', code: 'PAPER_STATE_ERROR', message: `模拟账户文件不可用, 撤单未执行: ${msgOf(e)}` }
    }
  }

  executeStrategySignal(signal: Signal, context: StrategyContext): Promise<StrategyExecution> {
    return executeStrategySignal(this, signal, context)
  }

  /** Seeds a holding bought earlier (fully sellable), for demos and tests. */
  async seedPosition(code: string, volume: number, avgPrice: number): Promise<void> {
    await this.mutate((engine) => {
      engine.roll(this.clock())
      engine.seedPosition(code, volume, avgPrice)
    })
  }
}
