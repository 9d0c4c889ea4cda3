import { BOARD_RULES } from './board'
import { parseCode } from './codes'
import { floorBuyQuantity, legalExitQuantity } from './quantity'

/**
 * Quantity modes (issue 14). Entry: a share of total assets (the position cap, as before), a fixed
 * amount in yuan, or a fixed number of shares — the amount and the shares are still bounded by the
 * position cap and the cash (sizeOrder). Exit: everything (as before), a percentage of the position,
 * or a number of shares. Every exit quantity is at most what is sellable now, in whole lots; odd
 * shares only ever go out with the whole sellable remainder, and a remainder smaller than one lot
 * (all that is left) is sold whole.
 */
export type EntryQuantityMode = { kind: 'PCT_ASSETS' } | { kind: 'AMOUNT'; yuan: number } | { kind: 'SHARES'; shares: number }
export type ExitQuantityMode = { kind: 'ALL' } | { kind: 'PCT'; bp: number } | { kind: 'SHARES'; shares: number }

/** Largest valid buy ≤ the fixed shares of a SHARES entry (0 below one lot); null for other modes. */
export function entrySharesCap(code: string, mode: EntryQuantityMode, limitOrder = true): number | null {
  return mode.kind === 'SHARES' ? floorBuyQuantity(code, mode.shares, limitOrder) : null
}

/** The yuan cap of an AMOUNT entry in mills; null for other modes. */
export function entryAmountCapMilli(mode: EntryQuantityMode): number | null {
  return mode.kind === 'AMOUNT' ? Math.round(mode.yuan * 1000) : null
}

/**
 * Shares an exit sells now. `held` is the position the monitor manages, `sellable` what may be sold
 * now (T+1). The wanted quantity (all, ⌊held × bp⌋, or the shares) is capped at the sellable; when
 * that is the whole sellable it is sold as is (odd part included); otherwise it is rounded down to
 * whole lots, and up to one lot when it is smaller than a lot (a partial exit always sells some).
 * A sellable remainder smaller than one lot is sold whole. 0 when nothing can legally be sold.
 */
export function exitQuantityFor(code: string, mode: ExitQuantityMode, held: number, sellable: number): number {
  if (!Number.isSafeInteger(held) || !Number.isSafeInteger(sellable) || held <= 0 || sellable <= 0) return 0
  const cap = Math.min(held, sellable)
  const wanted = mode.kind === 'ALL' ? held : mode.kind === 'PCT' ? Math.floor((held * Math.min(Math.max(mode.bp, 0), 10_000)) / 10_000) : Math.max(0, Math.floor(mode.shares))
  const r = BOARD_RULES[parseCode(code).board]
  if (cap < r.sellLot) return legalExitQuantity(code, cap, sellable)
  const q = Math.min(Math.max(wanted, r.sellLot), cap)
  return legalExitQuantity(code, q, sellable)
}
