import { parseCode } from './codes'
import { reason, type Reason } from './errors'
import type { OrderKind, Side } from './types'

/**
 * xtquant constants the broker layer needs (bridge-protocol.md §3, xtquant_240329). Only the
 * values the app submits for cash-account stocks and funds are listed; the futures types 18–24
 * collide numerically with STOCK_BUY/STOCK_SELL and must never be sent.
 */
export const STOCK_BUY = 23
export const STOCK_SELL = 24

export const XT_PRICE_TYPE = {
  /** 指定价/限价 — the normal limit order on SH, SZ and BJ. */
  FIX_PRICE: 11,
  /** 最优五档即时成交剩余撤销 [SH] */
  MARKET_SH_CONVERT_5_CANCEL: 42,
  /** 最优五档即时成交剩转限价 [SH] */
  MARKET_SH_CONVERT_5_LIMIT: 43,
  /** 对手方最优价格委托 [SH, SZ] */
  MARKET_PEER_PRICE_FIRST: 44,
  /** 本方最优价格委托 [SH, SZ] */
  MARKET_MINE_PRICE_FIRST: 45,
  /** 即时成交剩余撤销委托 [SZ] */
  MARKET_SZ_INSTBUSI_RESTCANCEL: 46,
  /** 最优五档即时成交剩余撤销 [SZ] */
  MARKET_SZ_CONVERT_5_CANCEL: 47,
  /** 全额成交或撤销委托 [SZ] */
  MARKET_SZ_FULL_OR_CANCEL: 48,
} as const

export function xtOrderTypeFor(side: Side): number {
  return side === 'buy' ? STOCK_BUY : STOCK_SELL
}

export type XtPriceTypeResult =
  | { ok: true; priceType: number; name: string; /** false when the mapping is not confirmed for this instrument */ verified: boolean }
  | ({ ok: false } & Reason)

/**
 * xtquant price type for a limit or market order. Market orders use best-5 immediate-or-cancel
 * (SH 42, SZ 47): it never rests at a stale price. BJ has no confirmed market type, so market
 * orders are refused there and the caller must send a marketable limit. The fund mapping follows
 * the exchange but is UNVERIFIED (the xtconstant comments name stocks only).
 */
export function xtPriceTypeFor(code: string, kind: OrderKind): XtPriceTypeResult {
  const p = parseCode(code)
  if (kind === 'limit') return { ok: true, priceType: XT_PRICE_TYPE.FIX_PRICE, name: 'FIX_PRICE', verified: true }
  if (p.exchange === 'BJ') {
    return {
      ok: false,
      ...reason(
        'MARKET_ORDER_UNSUPPORTED_BJ',
        `${p.code}: 北交所市价委托类型未经验证, 不发送市价单, 请使用限价单`,
        `${p.code}: market order types for the Beijing Stock Exchange are unverified; send a limit order instead`,
      ),
    }
  }
  const fund = p.board === 'FUND'
  if (p.exchange === 'SH') return { ok: true, priceType: XT_PRICE_TYPE.MARKET_SH_CONVERT_5_CANCEL, name: 'MARKET_SH_CONVERT_5_CANCEL', verified: !fund }
  return { ok: true, priceType: XT_PRICE_TYPE.MARKET_SZ_CONVERT_5_CANCEL, name: 'MARKET_SZ_CONVERT_5_CANCEL', verified: !fund }
}

export type OrderStatusClass =
  | 'open'
  | 'cancel_pending'
  | 'partially_filled'
  | 'partially_cancelled'
  | 'cancelled'
  | 'filled'
  | 'rejected'
  | 'unknown'

export interface OrderStatusInfo {
  status: number
  const: string
  name: string
  nameEn: string
  terminal: boolean
  klass: OrderStatusClass
}

/**
 * xtquant order_status (bridge-protocol §3.3). Terminal: 53, 54, 56, 57. 57 (废单) is a rejection and
 * must never be shown as accepted; 255 (未知) means reconcile, never assume.
 */
export const XT_ORDER_STATUS: Readonly<Record<number, OrderStatusInfo>> = {
  48: { status: 48, const: 'ORDER_UNREPORTED', name: '未报', nameEn: 'not reported', terminal: false, klass: 'open' },
  49: { status: 49, const: 'ORDER_WAIT_REPORTING', name: '待报', nameEn: 'waiting to report', terminal: false, klass: 'open' },
  50: { status: 50, const: 'ORDER_REPORTED', name: '已报', nameEn: 'reported (working)', terminal: false, klass: 'open' },
  51: { status: 51, const: 'ORDER_REPORTED_CANCEL', name: '已报待撤', nameEn: 'reported, cancel pending', terminal: false, klass: 'cancel_pending' },
  52: { status: 52, const: 'ORDER_PARTSUCC_CANCEL', name: '部成待撤', nameEn: 'partly filled, cancel pending', terminal: false, klass: 'cancel_pending' },
  53: { status: 53, const: 'ORDER_PART_CANCEL', name: '部撤', nameEn: 'partly filled, rest cancelled', terminal: true, klass: 'partially_cancelled' },
  54: { status: 54, const: 'ORDER_CANCELED', name: '已撤', nameEn: 'cancelled', terminal: true, klass: 'cancelled' },
  55: { status: 55, const: 'ORDER_PART_SUCC', name: '部成', nameEn: 'partly filled', terminal: false, klass: 'partially_filled' },
  56: { status: 56, const: 'ORDER_SUCCEEDED', name: '已成', nameEn: 'filled', terminal: true, klass: 'filled' },
  57: { status: 57, const: 'ORDER_JUNK', name: '废单', nameEn: 'rejected (junk)', terminal: true, klass: 'rejected' },
  255: { status: 255, const: 'ORDER_UNKNOWN', name: '未知', nameEn: 'unknown', terminal: false, klass: 'unknown' },
}

/** Status info for any number; values outside the table are 'unknown' (reconcile, do not assume). */
export function orderStatusInfo(status: number): OrderStatusInfo {
  return (
    XT_ORDER_STATUS[status] ?? {
      status,
      const: 'UNRECOGNISED',
      name: '未知',
      nameEn: 'unknown',
      terminal: false,
      klass: 'unknown',
    }
  )
}
