/**
 * Account and positions from the broker: read when a signal needs them (network only, so an order
 * is not held up), then cached as snapshots (for sizing when a read fails, and for the web pages)
 * and copied onto the monitors as their sellable quantity (T+1).
 */
import { toMilli } from '@/lib/market'
import { getAccountSnapshot, listPositionSnapshots, saveAccountSnapshot } from '@/lib/db/orders'
import { getDb } from '@/lib/db/client'
import type { BrokerPort } from './broker-port'
import type { MarketView } from './signals'

const milli = (yuan: number) => BigInt(Math.round(yuan * 1000))

/**
 * Reads the account and positions from the broker; writes nothing. `readAt` is when the read began:
 * an order the bridge accepted before then is in this cash and frozen cash (see signals.ts).
 */
export async function readAccount(broker: BrokerPort): Promise<MarketView> {
  const readAt = new Date()
  const account = await broker.getAccountInfo()
  const positions = await broker.getPositions()
  return { account, positions: new Map(positions.map((p) => [p.code, p])), readAt }
}

/**
 * Stores what readAccount saw: the snapshots (taken at the read's start, not at this save: orders
 * sent in between are not in it) and each monitor's sellable quantity.
 */
export async function saveAccountView(view: MarketView): Promise<void> {
  const { account } = view
  if (!account) return
  const positions = [...view.positions.values()]
  await saveAccountSnapshot(
    { totalAssetMilli: milli(account.totalAsset), cashMilli: milli(account.cash), frozenCashMilli: milli(account.frozenCash), marketValueMilli: milli(account.marketValue) },
    positions.map((p) => ({
      code: p.code,
      volume: p.volume,
      canUseVolume: p.canUseVolume,
      avgPriceMilli: toMilli(p.avgPrice),
      openPriceMilli: toMilli(p.openPrice),
      marketValueMilli: milli(p.marketValue),
    })),
    view.readAt ?? new Date(),
  )
  const monitors = await getDb().monitoredStock.findMany({ where: { archivedAt: null }, select: { id: true, code: true, positionSellableQty: true } })
  for (const m of monitors) {
    const sellable = view.positions.get(m.code)?.canUseVolume ?? 0
    if (sellable !== m.positionSellableQty) await getDb().monitoredStock.update({ where: { id: m.id }, data: { positionSellableQty: sellable } })
  }
}

export async function refreshAccount(broker: BrokerPort): Promise<MarketView> {
  const view = await readAccount(broker)
  await saveAccountView(view)
  return view
}

export async function marketViewFromSnapshot(): Promise<MarketView> {
  const [a, ps] = await Promise.all([getAccountSnapshot(), listPositionSnapshots()])
  const y = (v: bigint) => Number(v) / 1000
  return {
    account: a ? { totalAsset: y(a.totalAssetMilli), cash: y(a.cashMilli), frozenCash: y(a.frozenCashMilli), marketValue: y(a.marketValueMilli) } : null,
    readAt: a?.takenAt ?? null,
    positions: new Map(
      ps.map((p) => [p.code, { code: p.code, volume: p.volume, canUseVolume: p.canUseVolume, avgPrice: p.avgPriceMilli / 1000, openPrice: p.openPriceMilli / 1000, marketValue: y(p.marketValueMilli) }]),
    ),
  }
}
