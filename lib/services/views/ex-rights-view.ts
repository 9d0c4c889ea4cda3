/**
 * Pending ex-rights adjustments as the web app shows them (the stock page's banner, the dashboard's
 * badge): prices in yuan, the factor as a 4-decimal string.
 */
import { formatFactorPpm, fromMilli } from '@/lib/market'
import { pendingExRightsForUser, type ExRightsRow } from '@/lib/db/ex-rights'

const y = (m: number | null) => (m == null || m <= 0 ? null : fromMilli(m))

export function toExRightsView(a: ExRightsRow) {
  return {
    id: a.id,
    stockId: a.stockId,
    code: a.code,
    day: a.day,
    status: a.status,
    source: a.source,
    factor: formatFactorPpm(a.factorPpm),
    storedClose: fromMilli(a.storedCloseMilli),
    reference: fromMilli(a.referenceMilli),
    old: { entryLow: y(a.oldEntryLowMilli), entryHigh: y(a.oldEntryHighMilli), takeProfit: y(a.oldTakeProfitMilli), stopLoss: y(a.oldStopLossMilli), trailingRef: y(a.oldHighestMilli) },
    proposed: { entryLow: y(a.newEntryLowMilli), entryHigh: y(a.newEntryHighMilli), takeProfit: y(a.newTakeProfitMilli), stopLoss: y(a.newStopLossMilli), trailingRef: y(a.newHighestMilli) },
    positionQtyBefore: a.positionQtyBefore,
    positionQtyAfter: a.positionQtyAfter,
    createdAt: a.createdAt.toISOString(),
  }
}

export type ExRightsView = ReturnType<typeof toExRightsView>

export async function pendingExRights(userId: number): Promise<{ pending: ExRightsView[] }> {
  return { pending: (await pendingExRightsForUser(userId)).map(toExRightsView) }
}

