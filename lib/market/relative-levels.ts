import { tickMilliOf } from './board'

/**
 * Take-profit and stop-loss relative to cost (issue 14): +x % / −y % of the entry's average fill
 * price, or of the broker position's cost for a managed position. Percentages are basis points
 * (800 = 8 %). Resolution is in integer mills on the code's tick and leans to the safe side:
 *   - take-profit: the first tick at or above cost × (1 + x), and at least one tick above cost
 *     (the gain is never less than asked);
 *   - stop-loss: the first tick at or above cost × (1 − y), and at least one tick below cost
 *     (the loss is never more than asked, and the stop is never at or above the cost).
 * Before anything is held the same percentages are resolved against the entry zone (take-profit
 * from its high, stop-loss from its low): a provisional level for display and for the level order.
 */
export interface RelativeLevels {
  /** Take-profit as basis points above cost; null = absolute. */
  takeProfitBp: number | null
  /** Stop-loss as basis points below cost; null = absolute. */
  stopLossBp: number | null
}

export function validRelativeBp(bp: number | null, kind: 'takeProfit' | 'stopLoss'): boolean {
  if (bp === null) return true
  return Number.isSafeInteger(bp) && bp > 0 && (kind === 'takeProfit' ? bp <= 100_000 : bp < 10_000)
}

function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b)
}

/** Take-profit in mills for a cost in mills, tick-valid and above the cost. */
export function takeProfitFromCostMilli(code: string, costMilli: number, bp: number): number {
  const tick = tickMilliOf(code)
  // cost × (10000 + bp) / 10000, then up to the tick: ceil(cost × (10000 + bp) / (10000 × tick)) × tick.
  const raw = ceilDiv(costMilli * (10_000 + bp), 10_000 * tick) * tick
  const aboveCost = (Math.floor(costMilli / tick) + 1) * tick
  return Math.max(raw, aboveCost)
}

/** Stop-loss in mills for a cost in mills, tick-valid, at least one tick and never below nothing. */
export function stopLossFromCostMilli(code: string, costMilli: number, bp: number): number {
  const tick = tickMilliOf(code)
  const raw = ceilDiv(costMilli * (10_000 - bp), 10_000 * tick) * tick
  const belowCost = (ceilDiv(costMilli, tick) - 1) * tick
  return Math.max(tick, Math.min(raw, belowCost))
}

/**
 * The absolute levels (mills) a monitor trades on. `costMilli` is the cost of what is held (null
 * before the entry fills); `provisional` are the stored absolute levels (used when a level is not
 * relative, and for relative levels while nothing is held).
 */
export function resolveLevelsMilli(
  code: string,
  rel: RelativeLevels,
  abs: { takeProfitMilli: number; stopLossMilli: number; entryLowMilli: number | null; entryHighMilli: number | null },
  costMilli: number | null,
): { takeProfitMilli: number; stopLossMilli: number } {
  const held = costMilli !== null && Number.isSafeInteger(costMilli) && costMilli > 0
  const tpBase = held ? costMilli : abs.entryHighMilli
  const slBase = held ? costMilli : abs.entryLowMilli
  return {
    takeProfitMilli: rel.takeProfitBp !== null && tpBase !== null && tpBase > 0 ? takeProfitFromCostMilli(code, tpBase, rel.takeProfitBp) : abs.takeProfitMilli,
    stopLossMilli: rel.stopLossBp !== null && slBase !== null && slBase > 0 ? stopLossFromCostMilli(code, slBase, rel.stopLossBp) : abs.stopLossMilli,
  }
}
