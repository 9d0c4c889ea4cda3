import { parseCode } from './codes'
import { MarketRuleError } from './errors'
import { fromMilli, mulDiv, toMilli, toMilliExact } from './money'
import type { Side } from './types'

/**
 * Fee estimate (a-share-rules §9). Rates are per-account settings; the defaults are the reference
 * values: commission 0.025 % with a 5-yuan minimum, stamp duty 0.05 % on sells (since 2023-08-28),
 * transfer fee 0.001 % both sides; handling and regulatory fees are usually inside the commission,
 * so they default to 0. Funds pay neither stamp duty nor transfer fee.
 *
 * Each fee is rounded UP to the cent: this is an estimate used to reserve cash, so it must never be
 * below what the broker charges. (Brokers' own rounding is not verified.)
 */
export interface FeeRates {
  /** Fraction of value, e.g. 0.00025. */
  commissionRate: number
  /** Yuan per order; 0 for 免五 accounts. */
  minCommission: number
  stampDutyRate: number
  transferFeeRate: number
  handlingFeeRate: number
  regulatoryFeeRate: number
}

export const DEFAULT_FEE_RATES: Readonly<FeeRates> = {
  commissionRate: 0.00025,
  minCommission: 5,
  stampDutyRate: 0.0005,
  transferFeeRate: 0.00001,
  handlingFeeRate: 0,
  regulatoryFeeRate: 0,
}

export interface FeeEstimate {
  commission: number
  stampDuty: number
  transferFee: number
  handlingFee: number
  regulatoryFee: number
  total: number
  /** Same values in integer mills. */
  milli: { commission: number; stampDuty: number; transferFee: number; handlingFee: number; regulatoryFee: number; total: number }
}

/** Rates as integer parts per 10^8 so 0.0000341 (handling fee) is exact. */
const RATE_SCALE = 100_000_000

function rateUnits(rate: number, name: string): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 0.01) {
    throw new MarketRuleError('FEE_RATE_INVALID', `费率 ${name} 无效: ${String(rate)} (应在 0 到 1% 之间)`, `fee rate ${name} is invalid: ${String(rate)} (expected 0 to 1 %)`)
  }
  return Math.round(rate * RATE_SCALE)
}

function feeMilli(valueMilli: number, rate: number, name: string): number {
  const raw = mulDiv(valueMilli, rateUnits(rate, name), RATE_SCALE, 'ceil')
  return Math.ceil(raw / 10) * 10
}

/** Fee estimate for an order value given in integer mills. */
export function estimateFeesMilli(code: string, side: Side, valueMilli: number, rates: Partial<FeeRates> = {}): FeeEstimate {
  const r: FeeRates = { ...DEFAULT_FEE_RATES, ...rates }
  const { board } = parseCode(code)
  if (!Number.isSafeInteger(valueMilli) || valueMilli < 0) {
    throw new MarketRuleError('VALUE_INVALID', `成交金额无效: ${valueMilli / 1000}`, `invalid order value: ${valueMilli / 1000}`)
  }
  const fund = board === 'FUND'
  const minCommission = toMilli(r.minCommission)
  if (minCommission < 0) {
    throw new MarketRuleError('FEE_RATE_INVALID', `最低佣金不能为负: ${r.minCommission}`, `minimum commission cannot be negative: ${r.minCommission}`)
  }
  const commission = valueMilli === 0 ? 0 : Math.max(feeMilli(valueMilli, r.commissionRate, 'commissionRate'), minCommission)
  const stampDuty = side === 'sell' && !fund ? feeMilli(valueMilli, r.stampDutyRate, 'stampDutyRate') : 0
  const transferFee = fund ? 0 : feeMilli(valueMilli, r.transferFeeRate, 'transferFeeRate')
  const handlingFee = feeMilli(valueMilli, r.handlingFeeRate, 'handlingFeeRate')
  const regulatoryFee = feeMilli(valueMilli, r.regulatoryFeeRate, 'regulatoryFeeRate')
  const total = commission + stampDuty + transferFee + handlingFee + regulatoryFee
  return {
    commission: fromMilli(commission),
    stampDuty: fromMilli(stampDuty),
    transferFee: fromMilli(transferFee),
    handlingFee: fromMilli(handlingFee),
    regulatoryFee: fromMilli(regulatoryFee),
    total: fromMilli(total),
    milli: { commission, stampDuty, transferFee, handlingFee, regulatoryFee, total },
  }
}

export interface FeeInput {
  code: string
  side: Side
  /** Yuan, ≤ 3 decimals. */
  price: number
  quantity: number
  rates?: Partial<FeeRates>
}

/** Estimated fees for `quantity` shares at `price`; the value is computed exactly in mills. */
export function estimateFees(input: FeeInput): FeeEstimate {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 0) {
    throw new MarketRuleError('QTY_NOT_POSITIVE_INTEGER', `数量必须是非负整数, 收到 ${String(input.quantity)}`, `quantity must be a non-negative integer, got ${String(input.quantity)}`)
  }
  const value = toMilliExact(input.price) * input.quantity
  return estimateFeesMilli(input.code, input.side, value, input.rates)
}
