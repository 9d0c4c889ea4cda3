/**
 * Tolerant zod schemas for the xtquant objects QKA serialises (bridge-protocol.md §4). Only the
 * snake_case fields are read; unknown keys — including the Hungarian `m_*` duplicates that XTQC
 * objects expose through dir() — are stripped. Fields the app needs are required (a missing cash or
 * order_status is a protocol error, never a silent 0); everything else is optional.
 */
import { z } from 'zod'

const num = z.number().finite()
const int = z.number().int()
/** Ids that xtquant documents as strings (order_sysid, traded_id) but that some builds may send as numbers. */
const idString = z.union([z.string(), z.number()]).transform((v) => String(v))
const opt = <T extends z.ZodType>(t: T) => t.nullish()

export const XtAssetSchema = z.object({
  account_type: opt(z.union([int, z.string()])),
  account_id: opt(idString),
  cash: num,
  frozen_cash: num,
  market_value: num,
  total_asset: num,
  fetch_balance: opt(num),
})
export type XtAsset = z.infer<typeof XtAssetSchema>

export const XtPositionSchema = z.object({
  account_type: opt(z.union([int, z.string()])),
  account_id: opt(idString),
  stock_code: z.string().min(1),
  volume: int,
  can_use_volume: int,
  open_price: opt(num),
  avg_price: opt(num),
  market_value: opt(num),
  frozen_volume: opt(int),
  on_road_volume: opt(int),
  yesterday_volume: opt(int),
  direction: opt(int),
  last_price: opt(num),
  instrument_name: opt(z.string()),
})
export type XtPosition = z.infer<typeof XtPositionSchema>

export const XtOrderSchema = z.object({
  account_type: opt(z.union([int, z.string()])),
  account_id: opt(idString),
  stock_code: z.string().min(1),
  order_id: int,
  order_sysid: opt(idString),
  order_time: opt(num),
  order_type: int,
  order_volume: int,
  /** Broker enum, documented as possibly a string ('j', 'w'). */
  price_type: opt(z.union([int, z.string()])),
  price: opt(num),
  traded_volume: int,
  traded_price: opt(num),
  order_status: int,
  status_msg: opt(z.string()),
  strategy_name: opt(z.string()),
  order_remark: opt(z.string()),
  direction: opt(int),
  offset_flag: opt(int),
  instrument_name: opt(z.string()),
})
export type XtOrder = z.infer<typeof XtOrderSchema>

export const XtTradeSchema = z.object({
  account_type: opt(z.union([int, z.string()])),
  account_id: opt(idString),
  stock_code: z.string().min(1),
  order_type: opt(int),
  traded_id: opt(idString),
  traded_time: opt(num),
  traded_price: num,
  traded_volume: int,
  traded_amount: opt(num),
  order_id: int,
  order_sysid: opt(idString),
  strategy_name: opt(z.string()),
  order_remark: opt(z.string()),
  direction: opt(int),
  offset_flag: opt(int),
  commission: opt(num),
  instrument_name: opt(z.string()),
})
export type XtTrade = z.infer<typeof XtTradeSchema>

/** Shape UNVERIFIED (bridge-protocol §2): read tolerantly. */
export const XtAccountStatusSchema = z.object({
  account_type: opt(z.union([int, z.string()])),
  account_id: opt(idString),
  status: opt(int),
})
export type XtAccountStatus = z.infer<typeof XtAccountStatusSchema>

export const XtAccountInfoSchema = z
  .object({
    account_type: opt(z.union([int, z.string()])),
    account_id: opt(idString),
  })
  .passthrough()
export type XtAccountInfo = z.infer<typeof XtAccountInfoSchema>
