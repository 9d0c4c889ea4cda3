/**
 * Ex-rights / ex-dividend days (除权除息), pure: no I/O, no clock.
 *
 * On an ex-day the exchange's reference price (前收盘价 in the quote) is the previous close adjusted
 * for the dividend and bonus shares, so the open drops mechanically and absolute levels set against
 * the old prices fire falsely. Detection compares what DingPan stored as the last close of a code
 * (the close of the previous trading day) with today's quote:
 *  - the quote's previous close differs from the stored close (by at least one tick), or
 *  - the published limit prices differ from those computed from the stored close.
 * The adjustment factor is prevClose(quote) / storedClose, kept as an exact ratio of two prices in
 * mills; adjusted levels are level × factor, rounded half-up to the board's tick in integers.
 */
import { parseCode } from './codes'
import { BOARD_RULES } from './board'
import { limitPricesMilli, type LimitMilli } from './limits'
import type { ExitsMemo } from './staged-exits'

export interface ExRightsInput {
  code: string
  /** The stored last close of the previous trading day, mills. */
  storedCloseMilli: number
  /** Today's quote: previous close, and the published limits when the source has them. */
  prevCloseMilli: number
  limitUpMilli?: number | null
  limitDownMilli?: number | null
  /** Trading day 'YYYY-MM-DD' of the quote (for the limit percentage). */
  day: string
  /** Risk-warning stock (ST / *ST): only changes the main-board limit percentage. */
  st?: boolean
}

export type ExRightsSource = 'prev_close' | 'limits'

export interface ExRightsDetection {
  exRights: boolean
  /** What showed it: the quote's previous close, or only the published limits. */
  source: ExRightsSource | null
  /** The reference price the factor is built from (the quote's previous close, or the one implied by the limits). */
  referenceMilli: number
  storedCloseMilli: number
  /** Factor in millionths (display and storage), referenceMilli / storedCloseMilli rounded half-up. */
  factorPpm: number
  /** The published limits differ from those computed from the stored close. */
  limitsMismatch: boolean
  /** Limits computed from the stored close (null when no limit applies). */
  limitsFromStored: LimitMilli | null
}

const NONE = (i: ExRightsInput, limitsFromStored: LimitMilli | null, limitsMismatch: boolean): ExRightsDetection => ({
  exRights: false,
  source: null,
  referenceMilli: i.prevCloseMilli,
  storedCloseMilli: i.storedCloseMilli,
  factorPpm: 1_000_000,
  limitsMismatch,
  limitsFromStored,
})

function tickOf(code: string): number {
  return BOARD_RULES[parseCode(code).board].tickMilli
}

/** Half-up rounding of a / b to an integer, for non-negative safe integers (exact, via BigInt). */
function divRound(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b)
}

export function factorPpmOf(referenceMilli: number, storedCloseMilli: number): number {
  return Number(divRound(BigInt(referenceMilli) * 1_000_000n, BigInt(storedCloseMilli)))
}

/**
 * Decides whether today is an ex-rights / ex-dividend day for `code`. Invalid inputs (a missing or
 * non-positive price) never detect anything: without a trustworthy stored close there is nothing to
 * compare.
 */
export function detectExRights(i: ExRightsInput): ExRightsDetection {
  const ok = (v: number) => Number.isSafeInteger(v) && v > 0
  if (!ok(i.storedCloseMilli) || !ok(i.prevCloseMilli)) return NONE(i, null, false)
  const opts = { st: i.st, date: i.day }
  const fromStored = limitPricesMilli(i.code, i.storedCloseMilli, opts)
  const up = i.limitUpMilli ?? null
  const down = i.limitDownMilli ?? null
  const published = up != null && down != null && up > 0 && down > 0
  const limitsMismatch = published && fromStored != null && (up !== fromStored.upMilli || down !== fromStored.downMilli)
  const tick = tickOf(i.code)
  if (Math.abs(i.prevCloseMilli - i.storedCloseMilli) >= tick) {
    // A bonus or dividend lowers the reference price; a higher one is a rights issue (配股) or a data
    // error: still a changed reference, still flagged (the trader decides).
    return { exRights: true, source: 'prev_close', referenceMilli: i.prevCloseMilli, storedCloseMilli: i.storedCloseMilli, factorPpm: factorPpmOf(i.prevCloseMilli, i.storedCloseMilli), limitsMismatch, limitsFromStored: fromStored }
  }
  if (!limitsMismatch) return NONE(i, fromStored, false)
  // The previous close field equals the stored close but the limits do not: some sources show the raw
  // close while the exchange's band is built on the ex-rights reference. The band is symmetric around
  // its reference, so the midpoint (±1 tick) names it; accept it only if it reproduces both limits.
  // A mismatch no reference explains (a wrong ST flag, a no-limit day) is reported, not detected.
  const mid = Math.round((up! + down!) / 2 / tick) * tick
  for (const ref of [mid, mid - tick, mid + tick]) {
    if (ref <= 0) continue
    const l = limitPricesMilli(i.code, ref, opts)
    if (l && l.upMilli === up && l.downMilli === down && ref !== i.storedCloseMilli) {
      return { exRights: true, source: 'limits', referenceMilli: ref, storedCloseMilli: i.storedCloseMilli, factorPpm: factorPpmOf(ref, i.storedCloseMilli), limitsMismatch: true, limitsFromStored: fromStored }
    }
  }
  return NONE(i, fromStored, true)
}

/**
 * level × reference / storedClose, half-up to the code's tick; at least one tick. A level of 0 or
 * null (not set) stays as it is.
 */
export function adjustLevelMilli(code: string, levelMilli: number, referenceMilli: number, storedCloseMilli: number): number {
  if (!(levelMilli > 0)) return levelMilli
  const t = BigInt(tickOf(code))
  const ticks = divRound(BigInt(levelMilli) * BigInt(referenceMilli), BigInt(storedCloseMilli) * t)
  return Math.max(Number(ticks * t), Number(t))
}

export interface MonitorLevelsMilli {
  entryLowMilli: number
  entryHighMilli: number
  takeProfitMilli: number
  stopLossMilli: number
  /** The trailing stop's reference (highest price since entry), when a trailing stop runs. */
  highestSinceEntryMilli: number | null
}

/** The proposed levels after an ex-rights adjustment (the trailing percentage itself is unaffected). */
export function adjustLevels(code: string, levels: MonitorLevelsMilli, referenceMilli: number, storedCloseMilli: number): MonitorLevelsMilli {
  const a = (v: number) => adjustLevelMilli(code, v, referenceMilli, storedCloseMilli)
  return {
    entryLowMilli: a(levels.entryLowMilli),
    entryHighMilli: a(levels.entryHighMilli),
    takeProfitMilli: a(levels.takeProfitMilli),
    stopLossMilli: a(levels.stopLossMilli),
    highestSinceEntryMilli: levels.highestSinceEntryMilli == null ? null : a(levels.highestSinceEntryMilli),
  }
}

/**
 * The managed quantity after an ex-day: shares follow the broker position for the code when its
 * count grew (送转: stored / reference ≈ 1 + bonus ratio), never beyond what the broker holds, and
 * never below it when the broker holds less.
 */
export function adjustedManagedQty(managedQty: number, brokerQty: number | null, referenceMilli: number, storedCloseMilli: number): number {
  if (brokerQty == null || managedQty <= 0) return managedQty
  if (brokerQty <= managedQty) return Math.max(0, brokerQty)
  const scaled = Number(divRound(BigInt(managedQty) * BigInt(storedCloseMilli), BigInt(referenceMilli)))
  return Math.min(brokerQty, Math.max(managedQty, scaled))
}

/** A factor in millionths as a 4-decimal string, half-up, in integers (970_000 → "0.9700"). */
export function formatFactorPpm(ppm: number): string {
  const r = Math.round(ppm / 100)
  return `${Math.floor(r / 10_000)}.${String(r % 10_000).padStart(4, '0')}`
}

/**
 * A held position's staged-exit progress across an accepted ex-day: the breakeven level scales like
 * the cost it was computed from (rounded up to the tick, so it still covers cost and fees), and the
 * share counts (base, the volume left after each tranche) follow the managed quantity when bonus
 * shares (送转) made it grow, floored so no tranche is planned to sell more than before in value.
 */
export function adjustExitsMemo(code: string, exits: ExitsMemo, referenceMilli: number, storedCloseMilli: number, qtyBefore: number, qtyAfter: number): ExitsMemo {
  const t = tickOf(code)
  const breakevenMilli =
    exits.breakevenMilli != null && exits.breakevenMilli > 0
      ? Math.max(t, Number(((BigInt(exits.breakevenMilli) * BigInt(referenceMilli) + BigInt(storedCloseMilli) * BigInt(t) - 1n) / (BigInt(storedCloseMilli) * BigInt(t))) * BigInt(t)))
      : exits.breakevenMilli
  const grew = qtyBefore > 0 && qtyAfter > qtyBefore
  const scale = (n: number) => (grew ? Math.floor((n * qtyAfter) / qtyBefore) : n)
  return { ...exits, baseQty: scale(exits.baseQty), targets: exits.targets.map(scale), breakevenMilli }
}
