/**
 * The account page: asset, cash, frozen cash, market value and positions (with the T+1 sellable
 * quantity canUseVolume), read live from the broker for each request. When the bridge does not
 * answer, the answer says so with its message, and the last snapshot the worker stored is returned
 * beside it, labelled with its time — never presented as live.
 */
import type { Broker } from '@/lib/broker/types'
import { getAccountSnapshot, listPositionSnapshots } from '@/lib/db/orders'
import { listLiveStocks } from '@/lib/db/dashboard'
import { getSnapshots } from '@/lib/db/quotes'

export interface AccountNumbers {
  totalAsset: number
  cash: number
  frozenCash: number
  marketValue: number
}

export interface PositionRow {
  code: string
  name: string | null
  stockId: number | null
  managedQty: number | null
  volume: number
  canUseVolume: number
  avgPrice: number
  marketValue: number
  /** marketValue − avgPrice × volume (yuan); null when the cost is unknown. */
  unrealizedPnl: number | null
  frozenVolume: number | null
  yesterdayVolume: number | null
  onRoadVolume: number | null
}

export type LiveAccount =
  | { ok: true; at: string; accountId: string | null; account: AccountNumbers; positions: PositionRow[] }
  | { ok: false; at: string; stage: 'connect' | 'query'; message: string }

const round3 = (v: number) => Math.round(v * 1000) / 1000

async function decorate(userId: number, rows: Array<Omit<PositionRow, 'name' | 'stockId' | 'managedQty' | 'unrealizedPnl'>>): Promise<PositionRow[]> {
  const [stocks, quotes] = await Promise.all([listLiveStocks(userId), getSnapshots(rows.map((r) => r.code))])
  const byCode = new Map(stocks.map((s) => [s.code, s]))
  const names = new Map(quotes.map((q) => [q.code, q.name]))
  return rows
    .map((r) => {
      const s = byCode.get(r.code)
      return {
        ...r,
        name: s?.name ?? names.get(r.code) ?? null,
        stockId: s?.id ?? null,
        managedQty: s ? s.positionQty : null,
        unrealizedPnl: r.avgPrice > 0 ? round3(r.marketValue - r.avgPrice * r.volume) : null,
      }
    })
    .sort((a, b) => a.code.localeCompare(b.code))
}

export async function liveAccount(userId: number, makeBroker: () => Promise<Broker>): Promise<LiveAccount> {
  const at = () => new Date().toISOString()
  let broker: Broker | null = null
  try {
    broker = await makeBroker()
    const conn = await broker.connect()
    if (!conn.success) return { ok: false, at: at(), stage: 'connect', message: conn.message }
    const [account, positions] = await Promise.all([broker.getAccountInfo(), broker.getPositions()])
    return {
      ok: true,
      at: at(),
      accountId: account.accountId,
      account: { totalAsset: account.totalAsset, cash: account.cash, frozenCash: account.frozenCash, marketValue: account.marketValue },
      positions: await decorate(
        userId,
        positions.map((p) => ({ code: p.code, volume: p.volume, canUseVolume: p.canUseVolume, avgPrice: p.avgPrice, marketValue: p.marketValue, frozenVolume: p.frozenVolume, yesterdayVolume: p.yesterdayVolume, onRoadVolume: p.onRoadVolume })),
      ),
    }
  } catch (e) {
    return { ok: false, at: at(), stage: 'query', message: (e as Error).message }
  } finally {
    try {
      broker?.disconnect()
    } catch {
      // nothing to report: the answer above stands
    }
  }
}

export async function accountSnapshot(userId: number) {
  const [a, ps] = await Promise.all([getAccountSnapshot(), listPositionSnapshots()])
  if (!a) return null
  const y = (v: bigint) => Number(v) / 1000
  return {
    takenAt: a.takenAt.toISOString(),
    account: { totalAsset: y(a.totalAssetMilli), cash: y(a.cashMilli), frozenCash: y(a.frozenCashMilli), marketValue: y(a.marketValueMilli) },
    positions: await decorate(
      userId,
      ps.map((p) => ({ code: p.code, volume: p.volume, canUseVolume: p.canUseVolume, avgPrice: p.avgPriceMilli / 1000, marketValue: y(p.marketValueMilli), frozenVolume: null, yesterdayVolume: null, onRoadVolume: null })),
    ),
  }
}

export async function accountPage(userId: number, makeBroker: () => Promise<Broker>) {
  const [live, snapshot] = await Promise.all([liveAccount(userId, makeBroker), accountSnapshot(userId)])
  return { live, snapshot }
}

export type AccountPageData = Awaited<ReturnType<typeof accountPage>>
