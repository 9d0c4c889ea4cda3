/**
 * The broker contract shared by MiniQMTInterface (QKA bridge → MiniQMT) and the in-process paper
 * broker. Records are plain, camelCase, typed; money is yuan (numbers with ≤ 3 decimals where the
 * broker reports prices, raw averages where it reports averages).
 *
 * The one rule every caller must follow: an order is only what a query says it is. `placeOrder`
 * with outcome 'sent' means the bridge handed out an order id, not that the exchange accepted it;
 * acceptance, rejection (废单 57 + statusMsg) and fills come from getOrder/getOrders/getTrades.
 * 'unknown' means the order may be live: reconcile with findOrderByClientId, never resend.
 */
import type { FeeRates, OrderStatusInfo, PositionInfo, PricingSpec, Quote, Reason, RiskActivity, RiskLimits, Signal, SizingConfig } from '@/lib/market'

export type BrokerKind = 'paper' | 'qmt'
export type OrderSide = 'buy' | 'sell'
export type OrderTypeKind = 'limit' | 'market'

export interface ConnectResult {
  success: boolean
  message: string
}

export interface AccountInfo {
  /** 总资产 */
  totalAsset: number
  /** 可用金额 */
  cash: number
  /** 冻结金额 */
  frozenCash: number
  /** 持仓市值 */
  marketValue: number
  accountId: string | null
}

export interface BrokerPosition {
  code: string
  /** Shares held in total. */
  volume: number
  /** Shares sellable now (T+1): use this, never `volume`, for sells. */
  canUseVolume: number
  /** Average cost per share as the broker reports it (成本价). */
  avgPrice: number
  /** Average opening price (开仓价). */
  openPrice: number
  marketValue: number
  frozenVolume: number | null
  yesterdayVolume: number | null
  onRoadVolume: number | null
}

export interface BrokerOrder {
  orderId: number
  /** 柜台合同编号; empty until the counter assigns one. */
  sysid: string
  code: string
  /** From order_type 23/24 (or offset_flag 48/49); null when neither is recognisable. */
  side: OrderSide | null
  /** xtquant order_type (23 buy, 24 sell). */
  orderType: number
  volume: number
  /** Limit price (0 for market orders on some counters). */
  price: number
  /** Broker price-type enum as returned (50 限价, 88 最优五档即成剩撤 …): not the value submitted. */
  priceType: number | string | null
  /** xtquant order_status (48 … 57, 255). */
  status: number
  /** 未报 / 待报 / 已报 / 已报待撤 / 部成待撤 / 部撤 / 已撤 / 部成 / 已成 / 废单 / 未知 */
  statusName: string
  statusInfo: OrderStatusInfo
  /** Terminal per bridge-protocol §3.3: 53, 54, 56, 57. */
  terminal: boolean
  /** True only for 57 废单. */
  rejected: boolean
  statusMsg: string
  tradedVolume: number
  /** Average traded price (0 when nothing traded). */
  tradedPrice: number
  remark: string
  strategyName: string
  /** order_time (epoch seconds) as a Date; the date part is unreliable on some counters (use the time of day). */
  orderTime: Date | null
}

export interface BrokerTrade {
  tradeId: string
  orderId: number
  sysid: string
  code: string
  side: OrderSide | null
  price: number
  volume: number
  amount: number
  time: Date | null
  remark: string
  strategyName: string
  /** Commission when the build reports it (newer xtquant only). */
  commission: number | null
}

export interface PlaceOrderInput {
  code: string
  side: OrderSide
  /** Shares. */
  quantity: number
  orderType: OrderTypeKind
  /** Limit price (required for limit orders); for market orders an optional protective price. */
  price?: number
  /**
   * Our idempotency key, sent as order_remark and used by findOrderByClientId. 1–24 characters of
   * [A-Za-z0-9_.:-] (order_remark is limited to 24 ASCII characters by the counter, third-party docs).
   */
  clientOrderId: string
  /** Latest quote of the code: enables the limit-band, price-cage and suspension checks before sending. */
  quote?: Quote | null
  /** Shares sellable now, when the caller just read them; otherwise a sell queries the position first. */
  sellable?: number
  /** Available cash, when the caller just read it; otherwise a buy queries the account first. */
  cash?: number
  /** ST flag (limit percentage on main-board risk-warning stocks). */
  st?: boolean
}

/**
 * - sent: the bridge returned an order id > 0. NOT acceptance: poll the order.
 * - rejected: nothing is live. Refused before sending (rule check, 401/422/404) or the bridge returned -1.
 * - not_sent: the request provably never reached the bridge (connection refused, not connected,
 *   a pre-send query failed). Nothing is live.
 * - unknown: timeout, 500, broken connection or a malformed answer after sending. The order may be
 *   live — reconcile with findOrderByClientId (by remark), never resend blindly.
 */
export type PlaceOrderOutcome = 'sent' | 'rejected' | 'not_sent' | 'unknown'

export interface PlaceOrderResult {
  success: boolean
  message: string
  orderId?: number
  outcome: PlaceOrderOutcome
  /** Machine-readable reason for anything but 'sent' (e.g. QTY_NOT_WHOLE_LOTS, BRIDGE_TIMEOUT). */
  code?: string
  /** English message for logs. */
  messageEn?: string
  /** What was (or would have been) sent: order_stock arguments without the account. */
  request?: OrderStockRequest
}

export interface OrderStockRequest {
  stock_code: string
  order_type: number
  order_volume: number
  price_type: number
  price: number
  strategy_name: string
  order_remark: string
}

/**
 * - requested: the bridge accepted the cancel request (0). The final state (54/53, or still 56 if it
 *   filled first) comes from order queries.
 * - refused: the bridge returned -1, or the cancel was refused before sending (no-cancel window).
 * - not_sent / unknown: as for orders.
 */
export type CancelOutcome = 'requested' | 'refused' | 'not_sent' | 'unknown'

export interface CancelResult {
  success: boolean
  message: string
  outcome: CancelOutcome
  code?: string
}

/** What executeStrategySignal needs besides the signal. Everything risk-related comes from the caller (database). */
export interface StrategyContext {
  quote: Quote
  now: Date
  clientOrderId: string
  risk: {
    activity: RiskActivity
    killSwitch: boolean
    limits?: Partial<RiskLimits>
  }
  /** Read from the broker when absent. */
  account?: { totalAsset: number; cash: number; marketValue: number }
  /** Exits: read from the broker when absent. */
  position?: PositionInfo | null
  /** Entries: value already held in this stock (default: from the broker position). */
  heldValue?: number
  pricing?: PricingSpec
  sizing?: Partial<SizingConfig>
  fees?: Partial<FeeRates>
  st?: boolean
  noLimit?: boolean
}

export type StrategyExecution =
  | { status: 'placed'; orderId: number; order: OrderStockRequest; sizing: { quantity: number; price: number; priceType: OrderTypeKind; notes: Reason[] }; message: string }
  | { status: 'refused'; stage: 'sizing' | 'risk' | 'pre_trade' | 'bridge'; reasons: Reason[]; message: string }
  | { status: 'not_sent'; message: string; reasons: Reason[] }
  | { status: 'unknown'; clientOrderId: string; message: string; order?: OrderStockRequest }

/**
 * A list query as the bridge answered it. QKA turns xttrader's None into `{}`, and xttrader returns
 * None both for "nothing today" and when MiniQMT is logged out or not subscribed: `absent` (a `{}`
 * where a list was asked for) is never proof that something is gone, only "the bridge shows nothing".
 */
export interface BrokerList<T> {
  items: T[]
  /** The bridge answered `{}`/None rather than a list (`[]` or items). */
  absent: boolean
}

export interface GetOrdersOptions {
  /** Only orders that can still be cancelled (query_stock_orders cancelable_only). */
  cancelableOnly?: boolean
}

export interface Broker {
  readonly kind: BrokerKind
  connect(): Promise<ConnectResult>
  disconnect(): void
  isConnected(): boolean
  getAccountInfo(): Promise<AccountInfo>
  getPositions(): Promise<BrokerPosition[]>
  getOrders(opts?: GetOrdersOptions): Promise<BrokerOrder[]>
  getTrades(): Promise<BrokerTrade[]>
  /** getOrders with `{}` told apart from a real list (see BrokerList). */
  listOrders(opts?: GetOrdersOptions): Promise<BrokerList<BrokerOrder>>
  /** getTrades with `{}` told apart from a real list (see BrokerList). */
  listTrades(): Promise<BrokerList<BrokerTrade>>
  /** null = not found right now. */
  getOrder(orderId: number): Promise<BrokerOrder | null>
  placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult>
  cancelOrder(orderId: number): Promise<CancelResult>
  /**
   * Today's order whose remark is `clientOrderId`, or null. null only means "not in the list right
   * now": an order sent a moment ago may not be listed yet, and an order the counter dropped without
   * a callback (资金不足) never will be. Keep polling for a while before concluding it does not exist.
   */
  findOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null>
  executeStrategySignal(signal: Signal, context: StrategyContext): Promise<StrategyExecution>
  /** Paper broker only: feed live quotes (resting orders are matched against them). */
  onQuotes?(quotes: Quote[], now: Date): Promise<void>
}

/** Configuration for createBroker: a plain object (lib/broker never reads process.env). */
export type BrokerConfig =
  | {
      broker: 'qmt'
      baseUrl: string
      token: string
      accountId?: string
      timeoutMs?: number
      clock?: () => Date
      logger?: BrokerLogger
    }
  | {
      broker?: 'paper'
      stateFile: string
      initialCash?: number
      accountId?: string
      clock?: () => Date
      maxQuoteAgeMs?: number
      feeRates?: Partial<FeeRates>
      logger?: BrokerLogger
    }

/** The subset of a pino logger the broker layer uses. */
export interface BrokerLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}
