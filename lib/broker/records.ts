/**
 * xtquant objects (snake_case, as QKA sends them) → the Broker records of types.ts. Shared by
 * MiniQMTInterface and the paper broker, so both report orders identically.
 */
import { fromMilli, orderStatusInfo, STOCK_BUY, STOCK_SELL, toMilli } from '@/lib/market'
import type { AccountInfo, BrokerOrder, BrokerPosition, BrokerTrade, OrderSide } from './types'
import type { XtAsset, XtOrder, XtPosition, XtTrade } from './xt-schemas'

/** 3-decimal rounding for reported prices (floats from C++ may carry binary noise). */
export function price3(v: number | null | undefined): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 0
  return fromMilli(toMilli(v))
}

/** Money amounts: rounded to the mill like prices (removes float noise, keeps every real digit). */
const money = price3

function sideOf(orderType: number | null | undefined, offsetFlag: number | null | undefined): OrderSide | null {
  if (orderType === STOCK_BUY) return 'buy'
  if (orderType === STOCK_SELL) return 'sell'
  if (offsetFlag === 48) return 'buy'
  if (offsetFlag === 49) return 'sell'
  return null
}

function epochToDate(sec: number | null | undefined): Date | null {
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec <= 0) return null
  return new Date(Math.round(sec * 1000))
}

export function toAccountInfo(a: XtAsset): AccountInfo {
  return {
    totalAsset: money(a.total_asset),
    cash: money(a.cash),
    frozenCash: money(a.frozen_cash),
    marketValue: money(a.market_value),
    accountId: a.account_id ?? null,
  }
}

export function toPosition(p: XtPosition): BrokerPosition {
  return {
    code: p.stock_code,
    volume: p.volume,
    canUseVolume: p.can_use_volume,
    // Averages keep their precision; they are not order prices.
    avgPrice: p.avg_price ?? 0,
    openPrice: p.open_price ?? 0,
    marketValue: money(p.market_value ?? 0),
    frozenVolume: p.frozen_volume ?? null,
    yesterdayVolume: p.yesterday_volume ?? null,
    onRoadVolume: p.on_road_volume ?? null,
  }
}

export function toOrder(o: XtOrder): BrokerOrder {
  const info = orderStatusInfo(o.order_status)
  return {
    orderId: o.order_id,
    sysid: o.order_sysid ?? '',
    code: o.stock_code,
    side: sideOf(o.order_type, o.offset_flag),
    orderType: o.order_type,
    volume: o.order_volume,
    price: price3(o.price),
    priceType: o.price_type ?? null,
    status: o.order_status,
    statusName: info.name,
    statusInfo: info,
    terminal: info.terminal,
    rejected: o.order_status === 57,
    statusMsg: o.status_msg ?? '',
    tradedVolume: o.traded_volume,
    tradedPrice: o.traded_price ?? 0,
    remark: o.order_remark ?? '',
    strategyName: o.strategy_name ?? '',
    orderTime: epochToDate(o.order_time),
  }
}

export function toTrade(t: XtTrade): BrokerTrade {
  return {
    tradeId: t.traded_id ?? '',
    orderId: t.order_id,
    sysid: t.order_sysid ?? '',
    code: t.stock_code,
    side: sideOf(t.order_type, t.offset_flag),
    price: t.traded_price,
    volume: t.traded_volume,
    amount: t.traded_amount ?? money(t.traded_price * t.traded_volume),
    time: epochToDate(t.traded_time),
    remark: t.order_remark ?? '',
    strategyName: t.strategy_name ?? '',
    commission: t.commission ?? null,
  }
}
