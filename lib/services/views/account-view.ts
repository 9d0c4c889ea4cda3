/**
 * The account page: asset, cash, frozen cash, market value and positions (with the T+1 sellable
 * quantity canUseVolume), read live from the broker for each request. When the bridge does not
 * answer, the answer says so with its message, and the last snapshot the worker stored is returned
 * beside it, labelled with its time — never presented as live.
 */
import { defaultAccountForUser } from '@/lib/db/account-scope'
import { accountScope, type AccountBadge, type AccountScope } from './account-filter'
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

/** The account the page shows and the filter of the user's monitors on it. */
interface Shown {
  id: number
  defaultId: number
}

async function decorate(userId: number, shown: Shown, rows: Array<Omit<PositionRow, 'name' | 'stockId' | 'managedQty' | 'unrealizedPnl'>>): Promise<PositionRow[]> {
  const [stocks, quotes] = await Promise.all([listLiveStocks(userId, shown), getSnapshots(rows.map((r) => r.code))])
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

export async function liveAccount(userId: number, shown: Shown, makeBroker: () => Promise<Broker>): Promise<LiveAccount> {
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
        shown,
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

export async function accountSnapshot(userId: number, shown: Shown) {
  const accountId = shown.id
  const [a, ps] = await Promise.all([getAccountSnapshot(accountId), listPositionSnapshots(accountId)])
  if (!a) return null
  const y = (v: bigint) => Number(v) / 1000
  return {
    takenAt: a.takenAt.toISOString(),
    account: { totalAsset: y(a.totalAssetMilli), cash: y(a.cashMilli), frozenCash: y(a.frozenCashMilli), marketValue: y(a.marketValueMilli) },
    positions: await decorate(
      userId,
      shown,
      ps.map((p) => ({ code: p.code, volume: p.volume, canUseVolume: p.canUseVolume, avgPrice: p.avgPriceMilli / 1000, marketValue: y(p.marketValueMilli), frozenVolume: null, yesterdayVolume: null, onRoadVolume: null })),
    ),
  }
}

/**
 * The account page of one broker account (issue 13): `?account=<id>` (an account the user sees;
 * any other id → NotFoundError), else the user's default account (when they see it), else the
 * first account they see. It says which account and whether it is paper or live.
 */
export async function accountPage(userId: number, makeBroker: (accountId: number) => Promise<Broker>, raw?: string | number | null) {
  const scope: AccountScope = await accountScope(userId, raw)
  const preferred = await defaultAccountForUser(userId)
  const account: AccountBadge | null = scope.selected ?? scope.accounts.find((a) => a.id === preferred) ?? scope.accounts[0] ?? null
  if (!account) return { account: null, accounts: scope.accounts, live: null, snapshot: null }
  const shown = { id: account.id, defaultId: scope.defaultId }
  const [live, snapshot] = await Promise.all([liveAccount(userId, shown, () => makeBroker(account.id)), accountSnapshot(userId, shown)])
  return { account, accounts: scope.accounts, live, snapshot }
}

export type AccountPageData = Awaited<ReturnType<typeof accountPage>>
