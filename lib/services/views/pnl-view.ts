/**
 * Realised P&L for the account page, the stock page and the export: every fill of the user is
 * matched FIFO (lib/market/pnl.ts) with the fee settings, then the exits of the range are reported.
 * Amounts are yuan with 3 decimals at most (computed in integer mills); days are Asia/Shanghai dates
 * in the market clock (the demo's simulated day, the real day otherwise).
 */
import { computePnl, fromMilli, shanghaiDate, type FeeRates, type PnlBucket } from '@/lib/market'
import { listPnlFills, stockNames } from '@/lib/db/pnl'
import { loadRuntimeSettings } from '../runtime/runtime-settings'
import { runtimeDefaults } from '../runtime/web-context'

export interface PnlRange {
  from?: string
  to?: string
  stockId?: number
}

export interface PnlFigure {
  pnl: number
  fees: number
  proceeds: number
  cost: number
  quantity: number
  unpricedQty: number
  exits: number
  wins: number
  losses: number
}

const y = (m: number) => fromMilli(m)

function figure(b: PnlBucket): PnlFigure {
  return { pnl: y(b.pnlMilli), fees: y(b.feesMilli), proceeds: y(b.proceedsMilli), cost: y(b.costMilli), quantity: b.quantity, unpricedQty: b.unpricedQty, exits: b.exits, wins: b.wins, losses: b.losses }
}

export async function pnlReport(userId: number, range: PnlRange, opts: { today: string; fees?: FeeRates }) {
  const fees = opts.fees ?? (await loadRuntimeSettings(runtimeDefaults())).fees
  const fills = await listPnlFills(userId, { stockId: range.stockId })
  const r = computePnl(fills, { fees, fromDay: range.from, toDay: range.to })
  const all = range.from || range.to ? computePnl(fills, { fees }) : r
  const names = await stockNames(userId, [...new Set(fills.map((f) => f.stockId))])
  const month = opts.today.slice(0, 7)
  const today = all.byDay.find((d) => d.key === opts.today)
  const thisMonth = all.byMonth.find((d) => d.key === month)
  return {
    today: opts.today,
    range: { from: range.from ?? null, to: range.to ?? null },
    fees,
    headline: { today: today ? figure(today) : null, month: thisMonth ? figure(thisMonth) : null, total: figure(all.total) },
    total: figure(r.total),
    byMonth: r.byMonth.map((b) => ({ month: b.key, ...figure(b) })),
    byDay: r.byDay.map((b) => ({ day: b.key, ...figure(b) })),
    byStock: r.byStock.map((b) => ({ stockId: b.stockId, code: b.code, name: names.get(b.stockId) ?? null, ...figure(b) })),
    roundTrips: r.roundTrips.map((t) => ({
      stockId: t.stockId,
      code: t.code,
      name: names.get(t.stockId) ?? null,
      index: t.index,
      status: t.status,
      openedAt: t.openedAt.toISOString(),
      closedAt: t.closedAt ? t.closedAt.toISOString() : null,
      openedDay: shanghaiDate(t.openedAt),
      closedDay: t.closedAt ? shanghaiDate(t.closedAt) : null,
      entryQty: t.entryQty,
      exitQty: t.exitQty,
      entryValue: y(t.entryValueMilli),
      exitValue: y(t.exitValueMilli),
      fees: y(t.feesMilli),
      pnl: y(t.pnlMilli),
      unpricedQty: t.unpricedQty,
      openingPosition: t.openingPosition,
    })),
    exits: r.pieces.map((p) => ({
      fillId: p.fillId,
      orderId: p.orderId,
      stockId: p.stockId,
      code: p.code,
      name: names.get(p.stockId) ?? null,
      tradedAt: p.tradedAt.toISOString(),
      day: p.day,
      roundTrip: p.roundTrip,
      quantity: p.quantity,
      unpricedQty: p.unpricedQty,
      proceeds: y(p.proceedsMilli),
      cost: y(p.costMilli),
      fees: y(p.feesMilli),
      pnl: y(p.pnlMilli),
      costSource: p.costSource,
    })),
  }
}

export type PnlReportData = Awaited<ReturnType<typeof pnlReport>>
