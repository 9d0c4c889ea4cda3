/**
 * The stock list as JSON, rebuilt only when the list changed: a cheap aggregate decides whether the
 * cached body is still exact, so polling clients cost one small query instead of reloading and
 * re-serialising every row.
 */
import { listStocksForUser, stocksStamp } from '@/lib/db/stocks'
import { toStockListItem } from './stock-view'

const cache = new Map<string, { stamp: string; body: string }>()
const MAX_ENTRIES = 200

export async function stockListJson(userId: number, archived: boolean): Promise<{ body: string; etag: string }> {
  const key = `${userId}:${archived ? 1 : 0}`
  const stamp = await stocksStamp(userId, archived)
  const hit = cache.get(key)
  if (hit && hit.stamp === stamp) return { body: hit.body, etag: `"${stamp}"` }
  const rows = await listStocksForUser(userId, { archived })
  const body = JSON.stringify({ items: rows.map(toStockListItem) })
  if (cache.size >= MAX_ENTRIES) cache.clear()
  cache.set(key, { stamp, body })
  return { body, etag: `"${stamp}"` }
}
