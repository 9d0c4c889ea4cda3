/**
 * JSON-serialisable state of the paper exchange engine. Money is integer mills (0.001 yuan), times
 * are epoch milliseconds, days are Asia/Shanghai 'YYYY-MM-DD'.
 */
import type { FeeRates } from '@/lib/market'

export const ENGINE_STATE_VERSION = 1
/** Order ids start here (an illustrative MiniQMT-sized id) and only ever grow, across resets and restarts. */
export const FIRST_ORDER_ID = 1082130433

export interface EngineOrder {
  orderId: number
  /** 柜台合同编号; '' for orders the counter rejected. */
  sysid: string
  code: string
  side: 'buy' | 'sell'
  /** 23 / 24 */
  orderType: number
  volume: number
  /** xtquant price type as submitted (11, 42 …). */
  xtPriceType: number
  /** Broker enum returned by queries (50 限价, 88 最优五档即成剩撤 …; bridge-protocol §3.4). */
  brokerPriceType: number
  /** Limit price (or the protective price of a market order; 0 when none was given). */
  priceMilli: number
  tradedVolume: number
  tradedValueMilli: number
  feesMilli: number
  status: number
  statusMsg: string
  strategyName: string
  remark: string
  time: number
  /** Session (trading) day the order belongs to. */
  day: string
  /** Cash still reserved for this buy. */
  frozenCashMilli: number
  /** Shares still reserved for this sell. */
  frozenVolume: number
  /** Fault hook: the next matching pass fills at most this many shares. */
  fillCap: number | null
  /** Time of the last quote this order was matched against: it matches at most once per quote. */
  lastMatchedAt: number | null
}

export interface EngineTrade {
  tradeId: string
  orderId: number
  sysid: string
  code: string
  side: 'buy' | 'sell'
  orderType: number
  priceMilli: number
  volume: number
  valueMilli: number
  feesMilli: number
  time: number
  day: string
  remark: string
  strategyName: string
}

export interface EnginePosition {
  code: string
  volume: number
  /** Sellable now (T+1), excluding shares frozen by working sells. */
  canUseVolume: number
  frozenVolume: number
  yesterdayVolume: number
  /** Remaining cost basis including buy fees (→ avg_price). */
  costMilli: number
  /** Remaining cost basis excluding fees (→ open_price). */
  openCostMilli: number
}

export interface EngineState {
  version: number
  accountId: string
  cashMilli: number
  frozenCashMilli: number
  positions: Record<string, EnginePosition>
  /** Orders of the current session day (what query_stock_orders returns). */
  orders: EngineOrder[]
  trades: EngineTrade[]
  /** Earlier days, newest last, capped. */
  history: { orders: EngineOrder[]; trades: EngineTrade[] }
  /** order_stock answered with an id but the order never reached the counter (fault `vanish`). */
  vanished: Array<{ orderId: number; code: string; remark: string; time: number }>
  nextOrderId: number
  nextTradeId: number
  /** Session day the state was last rolled to; null for a fresh state. */
  sessionDay: string | null
  /** Last known price per code, for market values. */
  marksMilli: Record<string, number>
  /** Liquidity consumed from each code's book at a given quote time (the book refreshes with the next quote). */
  bookUse: Record<string, { time: number; used: Record<string, number> }>
  realizedPnlMilli: number
  feeRates?: Partial<FeeRates>
  /** Boards locked at a limit price (see PaperEngine.lockBoard); absent in older state files. */
  locks?: Record<string, BoardLock>
}

/**
 * A board locked at limit-up (the sell side empty) or limit-down (the buy side empty): orders at the
 * limit price on the queued side (buys at limit-up, sells at limit-down) wait in time priority
 * behind `ahead` shares queued before them, and trade only when the board opens.
 */
export interface BoardLock {
  side: 'up' | 'down'
  priceMilli: number
  /** Shares of other traders still queued ahead of every order of ours that joins. */
  ahead: number
  since: number
}

/** order_stock arguments as received from the wire. */
export interface OrderRequest {
  stock_code: unknown
  order_type: unknown
  order_volume: unknown
  price_type: unknown
  price: unknown
  strategy_name?: unknown
  order_remark?: unknown
}

/** Per-order fault hooks, consumed by the next order. */
export interface OrderFaults {
  /** Reject as 废单 57 with this status_msg. */
  rejectMsg?: string
  /** Fill at most this many shares on the first matching pass; the rest rests. */
  fillCap?: number
  /** Hand out an id but never record the order (资金不足 with no callback). */
  vanish?: boolean
}

export interface Fill {
  orderId: number
  code: string
  side: 'buy' | 'sell'
  priceMilli: number
  volume: number
  tradeId: string
}
