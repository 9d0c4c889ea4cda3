import { MarketRuleError } from './errors'

/**
 * Prices and amounts cross the public API as yuan numbers with at most 3 decimals and are handled
 * internally as integer mills (0.001 yuan): a stock tick is 10 mills, a fund tick 1 mill. Binary
 * floats cannot represent most decimal prices, so every rounding decision is made on integers.
 */
export const MILLS_PER_YUAN = 1000

function assertFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MarketRuleError('NOT_A_NUMBER', `${what}必须是有限数字, 收到 ${String(value)}`, `${what} must be a finite number, got ${String(value)}`)
  }
}

/** Yuan → integer mills, half away from zero (a 3-decimal input converts exactly). */
export function toMilli(yuan: number): number {
  assertFinite(yuan, '金额')
  const m = Math.sign(yuan) * Math.round(Math.abs(yuan) * MILLS_PER_YUAN)
  return m === 0 ? 0 : m
}

/** Integer mills → yuan. Division by 1000 yields the double nearest the decimal, e.g. 10190 → 10.19. */
export function fromMilli(milli: number): number {
  assertFinite(milli, '金额(厘)')
  return milli / MILLS_PER_YUAN
}

/** True when the value has at most 3 decimals (so toMilli is lossless). */
export function isMilliExact(yuan: number): boolean {
  if (!Number.isFinite(yuan)) return false
  return Math.abs(yuan * MILLS_PER_YUAN - Math.round(yuan * MILLS_PER_YUAN)) < 1e-6
}

/** Like toMilli, but refuses values with more than 3 decimals instead of silently rounding them. */
export function toMilliExact(yuan: number, what = '价格'): number {
  assertFinite(yuan, what)
  if (!isMilliExact(yuan)) {
    throw new MarketRuleError('PRICE_TOO_PRECISE', `${what}最多3位小数, 收到 ${yuan}`, `${what} may have at most 3 decimals, got ${yuan}`)
  }
  return toMilli(yuan)
}

/**
 * Formats mills with a fixed number of decimals using integer arithmetic only (toFixed on a float
 * can print 1.005 as "1.00").
 */
export function formatMilli(milli: number, decimals: 2 | 3 = 2): string {
  const neg = milli < 0
  let abs = Math.abs(milli)
  if (decimals === 2) abs = Math.floor((abs + 5) / 10) // half-up to the cent for display only
  const div = decimals === 2 ? 100 : 1000
  const whole = Math.floor(abs / div)
  const frac = String(abs % div).padStart(decimals, '0')
  return `${neg ? '-' : ''}${whole}.${frac}`
}

/** Yuan amount for messages: 2 decimals. */
export function formatYuan(milli: number): string {
  return formatMilli(milli, 2)
}

/**
 * floor(a·b / c) or ceil(a·b / c) on integers via BigInt, so products of money and rates never
 * exceed 2^53 (a 1e9-yuan account is 1e12 mills; times a ppm rate that overflows a double's
 * integer range).
 */
export function mulDiv(a: number, b: number, c: number, mode: 'floor' | 'ceil'): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(c) || c === 0) {
    throw new MarketRuleError('NOT_AN_INTEGER', `内部整数运算参数无效: ${a}·${b}/${c}`, `invalid integer arithmetic operands: ${a}·${b}/${c}`)
  }
  // Fast path: while a·b stays below 2^53 the double division is exact enough that floor/ceil of
  // it equals the integer result (the quotient is at least 1/c away from the next integer, and
  // the rounding error of n/c is below that when n < 2^53).
  const prod = a * b
  if (c > 0 && Number.isSafeInteger(prod)) return mode === 'floor' ? Math.floor(prod / c) : Math.ceil(prod / c)
  let n = BigInt(a) * BigInt(b)
  let d = BigInt(c)
  if (d < 0n) {
    n = -n
    d = -d
  }
  let q = n / d // truncates toward zero
  const r = n % d
  if (r !== 0n) {
    if (mode === 'floor' && n < 0n) q -= 1n
    if (mode === 'ceil' && n > 0n) q += 1n
  }
  return Number(q)
}

/** A fraction (0.05) as integer parts per million, the granularity every percentage setting uses. */
export function toPpm(fraction: number, what = '比例'): number {
  assertFinite(fraction, what)
  return Math.round(fraction * 1_000_000)
}
