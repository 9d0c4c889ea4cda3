import { shanghaiDate } from './calendar'
import { MarketRuleError } from './errors'
import { estimateFeesMilli, type FeeRates } from './fees'

/**
 * Realised P&L from fills (pure): entry fills are matched to exit fills first-in first-out per
 * stock, fees included. Fees are not reported per fill by the bridge, so each order's fees are the
 * fee estimate (lib/market/fees.ts, rounded up to the cent per fee) on the order's total filled
 * value, spread over its fills in proportion to their value; the commission minimum therefore counts
 * once per order, not once per partial fill.
 *
 * A sell DingPan has no entry fill for (a position held before DingPan managed it) is priced from
 * the P&L recorded when the fill arrived (against the stock's cost price then; entry fees unknown),
 * `costSource: 'recorded'`; without one the shares are `unpricedQty`, never guessed.
 *
 * Money is integer mills (0.001 yuan). Days and months are Asia/Shanghai dates of the exit fill.
 */
export interface PnlFill {
  fillId: number
  orderId: number
  stockId: number
  code: string
  side: 'buy' | 'sell'
  priceMilli: number
  quantity: number
  amountMilli: number
  tradedAt: Date
  /** Gross P&L recorded with a sell fill (price − cost at the time) × quantity, when known. */
  recordedPnlMilli?: number | null
}

export interface RealizedPiece {
  fillId: number
  orderId: number
  stockId: number
  code: string
  tradedAt: Date
  day: string
  month: string
  roundTrip: number
  /** Shares of this exit fill with a known cost. */
  quantity: number
  /** Shares of this exit fill with no known cost (not in the P&L). */
  unpricedQty: number
  /** Exit value of `quantity` shares less its exit fees. */
  proceedsMilli: number
  /** Entry value of the matched shares plus their entry fees. */
  costMilli: number
  /** Entry and exit fees of `quantity` shares. */
  feesMilli: number
  pnlMilli: number
  costSource: 'fills' | 'recorded' | 'mixed'
}

export interface RoundTrip {
  /** 1-based per stock, in time order. */
  index: number
  stockId: number
  code: string
  openedAt: Date
  /** The last exit fill; null while no exit happened. */
  closedAt: Date | null
  status: 'open' | 'closed'
  entryQty: number
  exitQty: number
  entryValueMilli: number
  exitValueMilli: number
  feesMilli: number
  pnlMilli: number
  unpricedQty: number
  /** Part of the exit was priced from a recorded cost (position held before DingPan). */
  openingPosition: boolean
}

export interface PnlBucket {
  key: string
  pnlMilli: number
  feesMilli: number
  proceedsMilli: number
  costMilli: number
  quantity: number
  unpricedQty: number
  exits: number
  wins: number
  losses: number
}

export interface PnlReport {
  pieces: RealizedPiece[]
  roundTrips: RoundTrip[]
  byStock: Array<PnlBucket & { stockId: number; code: string }>
  byDay: PnlBucket[]
  byMonth: PnlBucket[]
  total: PnlBucket
  /** Fees of each order (mills), as estimated. */
  orderFees: Map<number, number>
}

export interface PnlOptions {
  fees?: Partial<FeeRates>
  /** Only exits in [from, to] (Shanghai days, inclusive) are reported; matching always uses every fill. */
  fromDay?: string
  toDay?: string
}

function check(f: PnlFill): void {
  const bad = (what: string) => {
    throw new MarketRuleError('FILL_INVALID', `成交记录无效 (${what}): #${f.fillId}`, `invalid fill (${what}): #${f.fillId}`)
  }
  if (!Number.isSafeInteger(f.quantity) || f.quantity <= 0) bad('quantity')
  if (!Number.isSafeInteger(f.amountMilli) || f.amountMilli < 0) bad('amount')
  if (!Number.isSafeInteger(f.priceMilli) || f.priceMilli < 0) bad('price')
  if (f.side !== 'buy' && f.side !== 'sell') bad('side')
  if (!(f.tradedAt instanceof Date) || !Number.isFinite(f.tradedAt.getTime())) bad('time')
}

/** floor(a × k / n) on integers of any size (a, k, n ≥ 0, n > 0). */
function part(a: number, k: number, n: number): number {
  if (k === n) return a
  return Number((BigInt(a) * BigInt(k)) / BigInt(n))
}

function byTime(a: PnlFill, b: PnlFill): number {
  return a.tradedAt.getTime() - b.tradedAt.getTime() || a.fillId - b.fillId
}

/** Each order's estimated fees, and each fill's share of them (last fill of the order takes the remainder). */
export function allocateFees(fills: PnlFill[], rates: Partial<FeeRates> = {}): { orderFees: Map<number, number>; fillFees: Map<number, number> } {
  const orders = new Map<number, PnlFill[]>()
  for (const f of fills) {
    const list = orders.get(f.orderId)
    if (list) list.push(f)
    else orders.set(f.orderId, [f])
  }
  const orderFees = new Map<number, number>()
  const fillFees = new Map<number, number>()
  for (const [orderId, list] of orders) {
    list.sort(byTime)
    const total = list.reduce((s, f) => s + f.amountMilli, 0)
    const fee = estimateFeesMilli(list[0].code, list[0].side, total, rates).milli.total
    orderFees.set(orderId, fee)
    let left = fee
    list.forEach((f, i) => {
      const share = i === list.length - 1 ? left : total === 0 ? 0 : part(fee, f.amountMilli, total)
      fillFees.set(f.fillId, share)
      left -= share
    })
  }
  return { orderFees, fillFees }
}

function bucket(key: string): PnlBucket {
  return { key, pnlMilli: 0, feesMilli: 0, proceedsMilli: 0, costMilli: 0, quantity: 0, unpricedQty: 0, exits: 0, wins: 0, losses: 0 }
}

function add(b: PnlBucket, p: RealizedPiece): void {
  b.pnlMilli += p.pnlMilli
  b.feesMilli += p.feesMilli
  b.proceedsMilli += p.proceedsMilli
  b.costMilli += p.costMilli
  b.quantity += p.quantity
  b.unpricedQty += p.unpricedQty
  b.exits += 1
  if (p.quantity > 0 && p.pnlMilli > 0) b.wins += 1
  if (p.quantity > 0 && p.pnlMilli < 0) b.losses += 1
}

interface Lot {
  qty: number
  value: number
  fee: number
}

export function computePnl(input: PnlFill[], opts: PnlOptions = {}): PnlReport {
  for (const f of input) check(f)
  const fills = [...input].sort(byTime)
  const { orderFees, fillFees } = allocateFees(fills, opts.fees)
  const lots = new Map<number, Lot[]>()
  const trips = new Map<number, RoundTrip[]>()
  const pieces: RealizedPiece[] = []

  const currentTrip = (f: PnlFill, opening: boolean): RoundTrip => {
    const list = trips.get(f.stockId) ?? []
    trips.set(f.stockId, list)
    const last = list[list.length - 1]
    const flat = (lots.get(f.stockId) ?? []).length === 0
    if (last && !(opening && flat && last.exitQty > 0)) return last
    const trip: RoundTrip = {
      index: list.length + 1,
      stockId: f.stockId,
      code: f.code,
      openedAt: f.tradedAt,
      closedAt: null,
      status: 'open',
      entryQty: 0,
      exitQty: 0,
      entryValueMilli: 0,
      exitValueMilli: 0,
      feesMilli: 0,
      pnlMilli: 0,
      unpricedQty: 0,
      openingPosition: false,
    }
    list.push(trip)
    return trip
  }

  for (const f of fills) {
    const fee = fillFees.get(f.fillId) ?? 0
    const queue = lots.get(f.stockId) ?? []
    lots.set(f.stockId, queue)
    if (f.side === 'buy') {
      // A buy while flat opens a new round trip.
      const trip = currentTrip(f, true)
      trip.entryQty += f.quantity
      trip.entryValueMilli += f.amountMilli
      queue.push({ qty: f.quantity, value: f.amountMilli, fee })
      continue
    }
    const trip = currentTrip(f, false)
    let want = f.quantity
    let matchedValue = 0
    let matchedFee = 0
    while (want > 0 && queue.length > 0) {
      const lot = queue[0]
      const k = Math.min(want, lot.qty)
      const v = part(lot.value, k, lot.qty)
      const e = part(lot.fee, k, lot.qty)
      lot.qty -= k
      lot.value -= v
      lot.fee -= e
      if (lot.qty === 0) queue.shift()
      matchedValue += v
      matchedFee += e
      want -= k
    }
    const matched = f.quantity - want
    let recordedQty = 0
    let recordedCost = 0
    if (want > 0 && f.recordedPnlMilli != null && Number.isSafeInteger(f.recordedPnlMilli)) {
      // Cost per share as recorded: price − pnl/qty, for the shares no entry fill covers.
      recordedQty = want
      recordedCost = part(Math.max(0, f.amountMilli - f.recordedPnlMilli), want, f.quantity)
      want = 0
      trip.openingPosition = true
    }
    const priced = matched + recordedQty
    const exitValue = part(f.amountMilli, priced, f.quantity)
    const exitFee = part(fee, priced, f.quantity)
    const costMilli = matchedValue + matchedFee + recordedCost
    const proceedsMilli = exitValue - exitFee
    const day = shanghaiDate(f.tradedAt)
    const piece: RealizedPiece = {
      fillId: f.fillId,
      orderId: f.orderId,
      stockId: f.stockId,
      code: f.code,
      tradedAt: f.tradedAt,
      day,
      month: day.slice(0, 7),
      roundTrip: trip.index,
      quantity: priced,
      unpricedQty: want,
      proceedsMilli,
      costMilli,
      feesMilli: matchedFee + exitFee,
      pnlMilli: proceedsMilli - costMilli,
      costSource: recordedQty === 0 ? 'fills' : matched === 0 ? 'recorded' : 'mixed',
    }
    pieces.push(piece)
    if (recordedQty > 0) {
      trip.entryQty += recordedQty
      trip.entryValueMilli += recordedCost
    }
    trip.exitQty += f.quantity
    trip.exitValueMilli += f.amountMilli
    trip.feesMilli += piece.feesMilli
    trip.pnlMilli += piece.pnlMilli
    trip.unpricedQty += want
    trip.closedAt = f.tradedAt
  }
  // Entry fees of shares still held are not realised; a trip is closed once nothing is left.
  for (const [stockId, list] of trips) {
    const last = list[list.length - 1]
    for (const t of list) t.status = t.exitQty > 0 ? 'closed' : 'open'
    if (last && (lots.get(stockId) ?? []).length > 0) last.status = 'open'
  }

  const inRange = (p: RealizedPiece) => (!opts.fromDay || p.day >= opts.fromDay) && (!opts.toDay || p.day <= opts.toDay)
  const shown = pieces.filter(inRange)
  const stocks = new Map<number, PnlBucket & { stockId: number; code: string }>()
  const days = new Map<string, PnlBucket>()
  const months = new Map<string, PnlBucket>()
  const total = bucket('total')
  for (const p of shown) {
    let s = stocks.get(p.stockId)
    if (!s) stocks.set(p.stockId, (s = { ...bucket(String(p.stockId)), stockId: p.stockId, code: p.code }))
    let d = days.get(p.day)
    if (!d) days.set(p.day, (d = bucket(p.day)))
    let m = months.get(p.month)
    if (!m) months.set(p.month, (m = bucket(p.month)))
    add(s, p)
    add(d, p)
    add(m, p)
    add(total, p)
  }
  const tripInRange = (t: RoundTrip) => {
    if (!t.closedAt) return !opts.toDay || shanghaiDate(t.openedAt) <= opts.toDay
    const d = shanghaiDate(t.closedAt)
    return (!opts.fromDay || d >= opts.fromDay) && (!opts.toDay || shanghaiDate(t.openedAt) <= opts.toDay)
  }
  return {
    pieces: shown,
    roundTrips: [...trips.values()].flat().filter(tripInRange).sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.stockId - b.stockId),
    byStock: [...stocks.values()].sort((a, b) => a.code.localeCompare(b.code) || a.stockId - b.stockId),
    byDay: [...days.values()].sort((a, b) => a.key.localeCompare(b.key)),
    byMonth: [...months.values()].sort((a, b) => a.key.localeCompare(b.key)),
    total,
    orderFees,
  }
}
