/**
 * MiniQMTInterface — the Broker for a real MiniQMT behind the QKA QMTServer bridge.
 *
 * Never fakes anything: connect() is a real query_stock_asset round trip, every record comes from a
 * bridge answer, and placeOrder reports precisely what is known about the order (see PlaceOrderOutcome):
 *
 *   bridge result                           outcome     success
 *   order id > 0                            sent        true    (sent, not accepted: poll the order)
 *   -1                                      rejected    false
 *   refused by our pre-trade checks         rejected    false   (nothing sent)
 *   401 / 422 / 404                         rejected    false   (order_stock never ran)
 *   connection refused / not connected      not_sent    false
 *   timeout / 500 / reset / bad answer      unknown     false   (may be live: findOrderByClientId, never resend)
 *
 * order_stock and cancel_order_stock are never retried, by this class or by the client.
 */
import { canCancelAt, estimateFees, marketPhase, MarketRuleError, type Signal } from '@/lib/market'
import { BridgeError } from './errors'
import { QkaClient, type QkaClientOptions } from './qka-client'
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

export interface MiniQMTOptions {
  /** QKA QMTServer address, e.g. `http://192.168.1.20:8000`. */
  baseUrl: string
  /** X-Token (QMTServer prints it as 授权Token). */
  token: string
  /** Informational: QKA serves exactly one account (chosen when QMTServer starts); checked against query_stock_asset when given. */
  accountId?: string
  /** HTTP timeout per request. Default 8000 ms. */
  timeoutMs?: number
  /** Market clock for the trading-phase checks (a simulated clock in demo mode). Default: wall clock. */
  clock?: () => Date
  logger?: BrokerLogger
  /** Query retries (never applied to orders or cancels). */
  retry?: QkaClientOptions['retry']
  /** Consecutive 500s on queries after which the bridge counts as down (MiniQMT disconnected). Default 3. */
  serverErrorsUntilDown?: number
}

function msgOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export class MiniQMTInterface implements Broker {
  readonly kind = 'qmt' as const
  readonly client: QkaClient
  private readonly accountId?: string
  private readonly clock: () => Date
  private readonly logger?: BrokerLogger
  private readonly serverErrorsUntilDown: number
  private connected = false
  private consecutiveServerErrors = 0
  private lastDownReason: string | null = null

  constructor(opts: MiniQMTOptions) {
    this.client = new QkaClient({ baseUrl: opts.baseUrl, token: opts.token, timeoutMs: opts.timeoutMs, logger: opts.logger, retry: opts.retry })
    this.accountId = opts.accountId || undefined
    this.clock = opts.clock ?? (() => new Date())
    this.logger = opts.logger
    this.serverErrorsUntilDown = opts.serverErrorsUntilDown ?? 3
  }

  /** Proves the bridge answers with the right token: a real query_stock_asset with an XtAsset answer. */
  async connect(): Promise<ConnectResult> {
    if (this.client.configError) {
      this.connected = false
      return { success: false, message: `连接失败: 配置错误: ${this.client.configError}` }
    }
    try {
      const asset = await this.client.queryStockAsset()
      if (!asset) {
        this.connected = false
        return { success: false, message: 'QKA 已应答, 但 query_stock_asset 返回空 ({}): MiniQMT 可能未登录或账户未订阅' }
      }
      if (this.accountId && asset.account_id && asset.account_id !== this.accountId) {
        this.connected = false
        return { success: false, message: `QKA 服务的账户 ${asset.account_id} 与配置的账户 ${this.accountId} 不一致` }
      }
      this.connected = true
      this.consecutiveServerErrors = 0
      this.lastDownReason = null
      return { success: true, message: `已连接 QKA (${this.client.baseUrl}); 账户 ${asset.account_id ?? '(未返回)'} 总资产 ${asset.total_asset}` }
    } catch (e) {
      this.connected = false
      if (e instanceof BridgeError) {
        const hint =
          e.kind === 'auth'
            ? 'Token 错误 (QMTServer 启动时打印的 授权Token)'
            : e.kind === 'unreachable'
              ? 'QKA 未运行或地址/端口错误'
              : e.kind === 'timeout'
                ? 'QKA 无应答 (MiniQMT 可能卡住)'
                : e.kind === 'server'
                  ? 'QKA 内部错误 (MiniQMT 可能未连接)'
                  : '协议错误'
        return { success: false, message: `连接失败: ${hint}: ${e.message}` }
      }
      return { success: false, message: `连接失败: ${msgOf(e)}` }
    }
  }

  disconnect(): void {
    this.connected = false
  }

  isConnected(): boolean {
    return this.connected
  }

  /** Why the bridge was last marked down (null when connected or never connected). */
  get downReason(): string | null {
    return this.lastDownReason
  }

  private markDown(reason: string) {
    if (this.connected) this.logger?.warn({ reason }, 'bridge marked down')
    this.connected = false
    this.lastDownReason = reason
  }

  /** Tracks bridge health from every call's result. */
  private async track<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const v = await fn()
      this.consecutiveServerErrors = 0
      return v
    } catch (e) {
      if (e instanceof BridgeError) {
        if (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'auth' || e.kind === 'network') this.markDown(e.message)
        if (e.kind === 'server') {
          this.consecutiveServerErrors++
          if (this.consecutiveServerErrors >= this.serverErrorsUntilDown) this.markDown(`${this.consecutiveServerErrors} consecutive 500s: ${e.message}`)
        }
      }
      throw e
    }
  }

  async getAccountInfo(): Promise<AccountInfo> {
    const a = await this.track(() => this.client.queryStockAsset())
    if (!a) throw new BridgeError('protocol', 'query_stock_asset', 'the bridge returned no asset ({}); MiniQMT may not be logged in')
    return toAccountInfo(a)
  }

  async getPositions(): Promise<BrokerPosition[]> {
    return (await this.track(() => this.client.queryStockPositions())).map(toPosition)
  }

  async getPosition(code: string): Promise<BrokerPosition | null> {
    const p = await this.track(() => this.client.queryStockPosition(code))
    return p ? toPosition(p) : null
  }

  async getOrders(opts: GetOrdersOptions = {}): Promise<BrokerOrder[]> {
    return (await this.listOrders(opts)).items
  }

  async listOrders(opts: GetOrdersOptions = {}): Promise<BrokerList<BrokerOrder>> {
    const r = await this.track(() => this.client.queryStockOrdersList(opts.cancelableOnly ?? false))
    return { items: r.items.map(toOrder), absent: r.absent }
  }

  async getOrder(orderId: number): Promise<BrokerOrder | null> {
    if (!Number.isSafeInteger(orderId) || orderId <= 0) throw new TypeError(`invalid order id ${String(orderId)}`)
    const o = await this.track(() => this.client.queryStockOrder(orderId))
    return o ? toOrder(o) : null
  }

  async getTrades(): Promise<BrokerTrade[]> {
    return (await this.listTrades()).items
  }

  async listTrades(): Promise<BrokerList<BrokerTrade>> {
    const r = await this.track(() => this.client.queryStockTradesList())
    return { items: r.items.map(toTrade), absent: r.absent }
  }

  /** Every order of today whose remark is `clientOrderId` (more than one would be a duplicate). */
  async findOrdersByClientId(clientOrderId: string): Promise<BrokerOrder[]> {
    if (!isValidClientOrderId(clientOrderId)) throw new TypeError(`invalid client order id ${JSON.stringify(clientOrderId)}`)
    const orders = await this.getOrders()
    return orders.filter((o) => o.remark === clientOrderId).sort((a, b) => a.orderId - b.orderId)
  }

  /**
   * Today's order with this remark (query_stock_orders), or null. null only means "not in the list
   * right now" — an order sent a moment ago may not be listed yet, and an order the counter dropped
   * without a callback (资金不足) never will be. Never treat null as "safe to resend" right after a
   * timeout; poll for a while and surface the order as unknown to the user.
   */
  async findOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const found = await this.findOrdersByClientId(clientOrderId)
    if (found.length > 1) this.logger?.error({ clientOrderId, orderIds: found.map((o) => o.orderId) }, 'more than one order carries the same client order id')
    return found.length ? found[found.length - 1]! : null
  }

  async placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
    const now = this.clock()
    const first = preTradeCheck(input, { now, deferSellQuantity: true })
    if (!first.ok) return { success: false, outcome: 'rejected', code: first.code, message: first.message, messageEn: first.messageEn }
    if (!this.connected) {
      return {
        success: false,
        outcome: 'not_sent',
        code: 'NOT_CONNECTED',
        message: `未连接 QKA, 委托未发送${this.lastDownReason ? ` (上次故障: ${this.lastDownReason})` : ''}; 请先 connect()`,
        messageEn: 'not connected to the bridge; nothing sent (call connect() first)',
      }
    }

    // What the counter would check and we can know: sellable shares (T+1) for sells, cash for buys.
    let sellable = input.sellable
    let cash = input.cash
    try {
      if (input.side === 'sell' && sellable === undefined) {
        const p = await this.track(() => this.client.queryStockPosition(first.code))
        if (!p) {
          // `{}` means "no position" only from a logged-in MiniQMT; a logged-out one answers {} to
          // everything, the asset included (which a logged-in account always has).
          const a = await this.track(() => this.client.queryStockAsset())
          if (!a) throw new BridgeError('protocol', 'query_stock_position', 'no position and no asset returned ({}); MiniQMT may not be logged in')
        }
        sellable = p ? p.can_use_volume : 0
      }
      if (input.side === 'buy' && cash === undefined) {
        const a = await this.track(() => this.client.queryStockAsset())
        if (!a) throw new BridgeError('protocol', 'query_stock_asset', 'no asset returned ({})')
        cash = a.cash
      }
    } catch (e) {
      return {
        success: false,
        outcome: 'not_sent',
        code: 'PRE_TRADE_QUERY_FAILED',
        message: `下单前查询${input.side === 'sell' ? '可卖数量' : '可用资金'}失败, 委托未发送: ${msgOf(e)}`,
        messageEn: `the pre-trade ${input.side === 'sell' ? 'position' : 'cash'} query failed; nothing sent: ${msgOf(e)}`,
      }
    }

    const check = preTradeCheck(input, { now, sellable })
    if (!check.ok) return { success: false, outcome: 'rejected', code: check.code, message: check.message, messageEn: check.messageEn }
    const request = check.request

    if (input.side === 'buy' && cash !== undefined) {
      // A limit buy reserves price × qty + fees; a market buy without a protective price can only be
      // bounded by today's limit-up when the quote gives it.
      const ref = check.priceMilli > 0 ? check.priceMilli / 1000 : (input.quote?.limitUp ?? null)
      if (ref !== null) {
        let need: number
        try {
          need = ref * input.quantity + estimateFees({ code: check.code, side: 'buy', price: ref, quantity: input.quantity }).total
        } catch (e) {
          if (!(e instanceof MarketRuleError)) throw e
          need = ref * input.quantity
        }
        if (need > cash + 1e-9) {
          return {
            success: false,
            outcome: 'rejected',
            code: 'CASH_INSUFFICIENT',
            message: `可用资金 ${cash.toFixed(2)} 元不足 (需约 ${need.toFixed(2)} 元含费用), 委托未发送 (柜台对资金不足的委托可能不回报)`,
            messageEn: `available cash ${cash.toFixed(2)} is below the ~${need.toFixed(2)} needed including fees; nothing sent`,
            request,
          }
        }
      }
    }

    let result: number
    try {
      result = await this.track(() => this.client.orderStock(request))
    } catch (e) {
      return this.orderFailure(e, request)
    }
    if (result > 0) {
      this.logger?.info({ orderId: result, code: request.stock_code, side: input.side, volume: request.order_volume, price: request.price, remark: request.order_remark }, 'order sent')
      return {
        success: true,
        outcome: 'sent',
        orderId: result,
        message: `委托已发送, 编号 ${result} (尚未确认: 以委托查询的状态为准)`,
        messageEn: `order sent as ${result}; not yet accepted — poll its status`,
        request,
      }
    }
    if (result === -1) {
      return {
        success: false,
        outcome: 'rejected',
        code: 'BRIDGE_RETURNED_MINUS_ONE',
        message: 'MiniQMT 返回 -1: 委托失败, 未下单',
        messageEn: 'MiniQMT returned -1: the order failed and is not live',
        request,
      }
    }
    return {
      success: false,
      outcome: 'unknown',
      code: 'BRIDGE_UNEXPECTED_RESULT',
      message: `MiniQMT 返回了未定义的结果 ${result}; 委托状态未知, 请按委托备注 ${request.order_remark} 对账, 不要重发`,
      messageEn: `MiniQMT returned an undocumented result ${result}; the order's fate is unknown — reconcile by remark, never resend`,
      request,
    }
  }

  private orderFailure(e: unknown, request: PlaceOrderResult['request']): PlaceOrderResult {
    if (!(e instanceof BridgeError)) {
      return {
        success: false,
        outcome: 'unknown',
        code: 'BRIDGE_UNEXPECTED_ERROR',
        message: `下单时发生意外错误, 委托状态未知, 请按委托备注对账, 不要重发: ${msgOf(e)}`,
        messageEn: `unexpected error while sending; the order's fate is unknown — reconcile by remark: ${msgOf(e)}`,
        request,
      }
    }
    const remark = request?.order_remark ?? ''
    switch (e.kind) {
      case 'auth':
      case 'validation':
      case 'unknown_method':
        return { success: false, outcome: 'rejected', code: `BRIDGE_${e.kind.toUpperCase()}`, message: `QKA 拒绝了请求 (order_stock 未执行): ${e.message}`, messageEn: `the bridge refused the request before order_stock ran: ${e.message}`, request }
      case 'unreachable':
        return { success: false, outcome: 'not_sent', code: 'BRIDGE_UNREACHABLE', message: `无法连接 QKA, 委托未发送: ${e.message}`, messageEn: `cannot connect to the bridge; nothing sent: ${e.message}`, request }
      default:
        return {
          success: false,
          outcome: 'unknown',
          code: `BRIDGE_${e.kind.toUpperCase()}`,
          message: `委托可能已生效 (${e.kind}): 请用委托备注 ${remark} 查询对账 (findOrderByClientId), 切勿重发。${e.message}`,
          messageEn: `the order may be live (${e.kind}): reconcile by remark ${remark} with findOrderByClientId; never resend. ${e.message}`,
          request,
        }
    }
  }

  /** cancel_order_stock: 0 → cancel requested (final state from queries); -1 → refused. Never retried. */
  async cancelOrder(orderId: number): Promise<CancelResult> {
    if (!Number.isSafeInteger(orderId) || orderId <= 0) return { success: false, outcome: 'refused', code: 'ORDER_ID_INVALID', message: `委托编号无效: ${String(orderId)}` }
    const now = this.clock()
    let cancellable: boolean
    let phase: string
    try {
      cancellable = canCancelAt(now)
      phase = marketPhase(now)
    } catch (e) {
      if (e instanceof MarketRuleError) return { success: false, outcome: 'refused', code: e.code, message: e.message }
      throw e
    }
    if (!cancellable) {
      return { success: false, outcome: 'refused', code: 'CANCEL_NOT_ALLOWED_NOW', message: `当前时段(${phase})交易所不接受撤单 (09:20–09:30、午休、14:57 之后不能撤单), 撤单未发送` }
    }
    if (!this.connected) return { success: false, outcome: 'not_sent', code: 'NOT_CONNECTED', message: '未连接 QKA, 撤单未发送; 请先 connect()' }
    let r: number
    try {
      r = await this.track(() => this.client.cancelOrderStock(orderId))
    } catch (e) {
      if (e instanceof BridgeError) {
        if (e.executed === 'no') {
          return e.kind === 'unreachable'
            ? { success: false, outcome: 'not_sent', code: 'BRIDGE_UNREACHABLE', message: `无法连接 QKA, 撤单未发送: ${e.message}` }
            : { success: false, outcome: 'refused', code: `BRIDGE_${e.kind.toUpperCase()}`, message: `QKA 拒绝了撤单请求: ${e.message}` }
        }
        return { success: false, outcome: 'unknown', code: `BRIDGE_${e.kind.toUpperCase()}`, message: `撤单结果未知 (${e.kind}), 请查询委托状态: ${e.message}` }
      }
      return { success: false, outcome: 'unknown', code: 'BRIDGE_UNEXPECTED_ERROR', message: `撤单结果未知: ${msgOf(e)}` }
    }
    if (r === 0) return { success: true, outcome: 'requested', message: `撤单请求已提交 (委托 ${orderId}); 最终状态以委托查询为准` }
    if (r === -1) return { success: false, outcome: 'refused', code: 'BRIDGE_RETURNED_MINUS_ONE', message: `撤单失败 (MiniQMT 返回 -1): 委托 ${orderId} 可能已成交、已撤或不可撤` }
    return { success: false, outcome: 'unknown', code: 'BRIDGE_UNEXPECTED_RESULT', message: `撤单返回了未定义的结果 ${r}; 请查询委托状态` }
  }

  executeStrategySignal(signal: Signal, context: StrategyContext): Promise<StrategyExecution> {
    return executeStrategySignal(this, signal, context)
  }
}
