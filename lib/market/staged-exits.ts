import { BOARD_RULES, tickMilliOf } from './board'
import { parseCode } from './codes'
import { estimateFeesMilli, type FeeRates } from './fees'
import { exitQuantityFor, type ExitQuantityMode } from './quantity-modes'

/**
 * Staged exits (分批止盈) and the breakeven stop (保本), issue 14. Pure.
 *
 * A take-profit is up to three tranches, each a level and a quantity (tranche 1 is the existing
 * take-profit with its exit quantity mode: all, % of the position or shares; tranches 2 and 3 are a
 * % of the position). Quantities are taken of the BASE position: the shares held when the first
 * exit was planned. The tranches are planned as cumulative amounts sold, so that
 *   - on 100-share boards every slice is whole lots (the cumulative amount is floored to the lot);
 *     on STAR/BJ every slice is at least one sell lot;
 *   - a slice smaller than one lot sells nothing and its part moves into the next tranche;
 *   - a tranche whose cumulative amount reaches the whole position takes the odd remainder.
 * `targets[i]` is the volume still held once tranche i is done (non-increasing). A tranche counts as
 * done when the held volume is at or below its target, so an exit re-fired after a timeout re-price
 * (or after a partial fill) sells only the rest: volume − target.
 *
 * Each tranche fires in its own episode: a sell that fills with shares left already moves the
 * monitor to HOLDING with episode + 1 (transitions.ts), so the unique (stock, kind, episode) key still
 * allows exactly one order per tranche attempt; the tranche progress lives in memo.exits, which
 * survives those episode changes while the position is held and goes when it closes or a new entry fills.
 */
export interface TrancheSpec {
  /** The take-profit level of this tranche in mills. */
  levelMilli: number
  qty: ExitQuantityMode
}

export interface ExitPlanConfig {
  tranches: TrancheSpec[]
  /** Breakeven stop; null = off. gainBp null = only after the first tranche fills. */
  breakeven: { gainBp: number | null } | null
  /** Cost of the position in mills (entry average fill, or the broker cost of a managed position). */
  costMilli: number | null
  fees?: Partial<FeeRates>
}

/** memo.exits: the tranche progress of the position held (kept across its episodes). */
export interface ExitsMemo {
  baseQty: number
  /** Volume left after each tranche (see planTranches). */
  targets: number[]
  /** Leading tranches done. */
  done: number
  /** Breakeven stop level in mills once active, and when it activated (ISO). */
  breakevenMilli: number | null
  breakevenAt: string | null
}

function wantedOf(mode: ExitQuantityMode, base: number): number {
  if (mode.kind === 'ALL') return base
  if (mode.kind === 'PCT') return Math.floor((base * Math.min(Math.max(Math.trunc(mode.bp), 0), 10_000)) / 10_000)
  return Math.max(0, Math.floor(mode.shares))
}

/** Volume left after each tranche for a base position of `base` shares (see the header). */
export function planTranches(code: string, base: number, tranches: readonly Pick<TrancheSpec, 'qty'>[]): number[] {
  if (!Number.isSafeInteger(base) || base <= 0) return tranches.map(() => 0)
  const r = BOARD_RULES[parseCode(code).board]
  const lots = r.buyStep === r.sellLot
  const out: number[] = []
  let wanted = 0
  let prev = 0
  for (const t of tranches) {
    wanted = Math.min(base, wanted + wantedOf(t.qty, base))
    let cum: number
    if (wanted >= base) cum = base
    else {
      cum = lots ? Math.floor(wanted / r.sellLot) * r.sellLot : wanted
      if (cum - prev < r.sellLot) cum = prev
    }
    prev = Math.max(prev, cum)
    out.push(base - prev)
  }
  return out
}

/** Leading tranches done for a held volume. */
export function tranchesDone(targets: readonly number[], volume: number, already = 0): number {
  let d = 0
  while (d < targets.length && volume <= targets[d]!) d++
  return Math.max(d, Math.min(already, targets.length))
}

/**
 * Shares tranche `i` wants: the held volume down to its target, and never more than the tranche's
 * own planned slice (so shares that appear later, e.g. bonus shares after an ex-rights day, never
 * make one tranche sell what was planned for the next ones or for the stops).
 */
export function trancheSharesWanted(targets: readonly number[], base: number, i: number, volume: number): number {
  const target = targets[i]
  if (target === undefined || !(volume > target)) return 0
  const slice = (i === 0 ? base : targets[i - 1]!) - target
  return Math.max(0, Math.min(volume - target, slice))
}

/**
 * Shares the tranche `i` sells now: trancheSharesWanted, never more than sellable, in a legal exit
 * quantity (whole lots, or the whole sellable remainder). 0 when nothing is due.
 */
export function trancheOrderQuantity(code: string, targets: readonly number[], i: number, volume: number, sellable: number, base = Number.MAX_SAFE_INTEGER): number {
  const wanted = trancheSharesWanted(targets, base, i, volume)
  if (wanted <= 0) return 0
  return exitQuantityFor(code, { kind: 'SHARES', shares: wanted }, volume, sellable)
}

/**
 * The breakeven stop in mills: the lowest price on the code's tick at which selling `qty` shares
 * bought at `costMilli` returns at least the cost plus the buy and sell fees (round trip, from
 * fees.ts: minimum commission, stamp duty on the sell, transfer fee), i.e. rounded up to the tick.
 */
export function breakevenStopMilli(code: string, costMilli: number, qty: number, fees: Partial<FeeRates> = {}): number {
  const tick = tickMilliOf(code)
  const q = Number.isSafeInteger(qty) && qty > 0 ? qty : 1
  const outlay = costMilli * q + estimateFeesMilli(code, 'buy', costMilli * q, fees).milli.total
  // First guess: cost plus the fees per share, up to the tick; then step up while short (fees grow with the price).
  let level = Math.ceil(Math.ceil(outlay / q) / tick) * tick
  const nets = (l: number) => l * q - estimateFeesMilli(code, 'sell', l * q, fees).milli.total
  while (nets(level) < outlay) level += tick
  // And the lowest such tick (the first guess can only be low, never high, but stay exact).
  while (level - tick > 0 && nets(level - tick) >= outlay) level -= tick
  return level
}

/** The price the gain condition of the breakeven stop needs (mills): cost × (1 + gainBp), up to the tick. */
export function breakevenGainLevelMilli(code: string, costMilli: number, gainBp: number): number {
  const tick = tickMilliOf(code)
  return Math.ceil((costMilli * (10_000 + gainBp)) / (10_000 * tick)) * tick
}

export function normalizeExitsMemo(raw: unknown): ExitsMemo | null {
  if (typeof raw !== 'object' || raw === null) return null
  const r = raw as Record<string, unknown>
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
  if (!int(r.baseQty) || !int(r.done) || !Array.isArray(r.targets) || !r.targets.every(int)) return null
  return {
    baseQty: r.baseQty as number,
    targets: [...(r.targets as number[])],
    done: r.done as number,
    breakevenMilli: int(r.breakevenMilli) && (r.breakevenMilli as number) > 0 ? (r.breakevenMilli as number) : null,
    breakevenAt: typeof r.breakevenAt === 'string' ? r.breakevenAt : null,
  }
}
