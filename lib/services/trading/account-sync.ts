/**
 * Account and positions from the broker: read when a signal needs them (network only, so an order
 * is not held up), then cached as snapshots (for sizing when a read fails, and for the web pages)
 * and copied onto the monitors as their sellable quantity (T+1).
 */
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { toMilli } from '@/lib/market'
import { getAccountSnapshot, listPositionSnapshots, saveAccountSnapshot } from '@/lib/db/orders'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeAudit } from '@/lib/db/audit'
import { accountWhere, OPEN_STATUSES, type AccountScope } from '@/lib/db/orders'
import { asLocale } from '@/lib/i18n/config'
import { notify } from '../notifications'
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
export async function saveAccountView(view: MarketView, scope?: AccountScope): Promise<void> {
  const { account } = view
  if (!account) return
  const positions = [...view.positions.values()]
  const accountId = scope?.id ?? (await defaultBrokerAccountId())
  await saveAccountSnapshot(
    accountId,
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
  const monitors = await getDb().monitoredStock.findMany({
    // Only this account's monitors: another account's shares are not theirs to sell.
    where: { archivedAt: null, ...accountWhere(scope ?? { id: accountId, isDefault: true }) },
    select: { id: true, code: true, name: true, userId: true, positionQty: true, positionSellableQty: true, user: { select: { locale: true } } },
  })
  for (const m of monitors) {
    const sellable = view.positions.get(m.code)?.canUseVolume ?? 0
    if (sellable !== m.positionSellableQty) await getDb().monitoredStock.update({ where: { id: m.id }, data: { positionSellableQty: sellable } })
  }
  await reconcileManaged(view, monitors)
}

/** Orders of ours that moved this close to the read (or after it) may not be in it yet. */
const READ_MARGIN_MS = 5_000

/**
 * DingPan sells only what it manages: when the broker holds fewer shares than a monitor manages
 * (the trader sold some outside DingPan), the managed quantity comes down to what is held and the
 * trader is told — so a later manual re-buy is never sold by DingPan's stops. Only on a read that
 * saw positions (a `{}` answer with market value is blind, not empty), and never for a stock with
 * an order of ours open or changed around the read (its fill may not be in the read yet).
 */
async function reconcileManaged(view: MarketView, monitors: Array<{ id: number; code: string; name: string; userId: number; positionQty: number; user: { locale: string } }>): Promise<void> {
  const account = view.account
  if (!account) return
  if (view.positions.size === 0 && account.marketValue > 0) return
  const readAt = view.readAt ?? new Date()
  const since = new Date(readAt.getTime() - READ_MARGIN_MS)
  for (const m of monitors) {
    const held = view.positions.get(m.code)?.volume ?? 0
    if (m.positionQty <= 0 || held >= m.positionQty) continue
    await writeTx(getDb(), async (tx) => {
      const moving = await tx.order.count({ where: { stockId: m.id, OR: [{ status: { in: [...OPEN_STATUSES, 'PENDING'] } }, { updatedAt: { gte: since } }] } })
      if (moving > 0) return
      const res = await tx.monitoredStock.updateMany({
        where: { id: m.id, positionQty: m.positionQty },
        data: { positionQty: held, ...(held === 0 ? { positionCostMilli: null } : {}), version: { increment: 1 } },
      })
      if (res.count !== 1) return
      await writeAudit(tx, { actorId: null, actor: 'worker', action: 'stock.positionReconciled', entity: 'MonitoredStock', entityId: m.id, before: { positionQty: m.positionQty }, after: { positionQty: held, readAt: readAt.toISOString() } })
      await notify(tx, {
        userId: m.userId,
        locale: asLocale(m.user.locale),
        type: 'POSITION_RECONCILED',
        params: { code: m.code, name: m.name, brokerQty: held, managedQty: m.positionQty },
        stockId: m.id,
        dedupeKey: `s${m.id}:reconciled:${m.positionQty}:${held}:${readAt.getTime()}`,
      })
    })
  }
}

export async function refreshAccount(broker: BrokerPort, scope?: AccountScope): Promise<MarketView> {
  const view = await readAccount(broker)
  await saveAccountView(view, scope)
  return view
}

/** The last stored view of an account (the default account when unscoped). */
export async function marketViewFromSnapshot(scope?: AccountScope): Promise<MarketView> {
  const accountId = scope?.id ?? (await defaultBrokerAccountId())
  const [a, ps] = await Promise.all([getAccountSnapshot(accountId), listPositionSnapshots(accountId)])
  const y = (v: bigint) => Number(v) / 1000
  return {
    account: a ? { totalAsset: y(a.totalAssetMilli), cash: y(a.cashMilli), frozenCash: y(a.frozenCashMilli), marketValue: y(a.marketValueMilli) } : null,
    readAt: a?.takenAt ?? null,
    positions: new Map(
      ps.map((p) => [p.code, { code: p.code, volume: p.volume, canUseVolume: p.canUseVolume, avgPrice: p.avgPriceMilli / 1000, openPrice: p.openPriceMilli / 1000, marketValue: y(p.marketValueMilli) }]),
    ),
  }
}
