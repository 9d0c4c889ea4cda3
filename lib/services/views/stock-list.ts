/**
 * The stock list as JSON, rebuilt only when the list changed: a cheap aggregate (the stamp) decides
 * whether the cached body is still exact, so polling clients cost one small query instead of
 * reloading and re-serialising every row.
 *
 * The stamp itself is re-read at most once per STAMP_TTL_MS per list: changes made through this
 * process's API invalidate it at once (route() calls invalidateStockList after every write), and
 * changes made by the worker — state, position — show within that second, well inside the UI's
 * polling interval. Without this, the stamp query was a third of a polled request's cost.
 */
import { listStocksForUser, stocksStamp } from '@/lib/db/stocks'
import { toStockListItem } from './stock-view'

export const STAMP_TTL_MS = 1_000
const MAX_ENTRIES = 200
const utf8 = new TextEncoder()

interface Entry {
  stamp: string
  /** UTF-8 once, not on every answer: the list of 1,000 stocks is ~300 KB. */
  body: Uint8Array<ArrayBuffer>
  checkedAt: number
}
const cache = new Map<string, Entry>()
const keyOf = (userId: number, archived: boolean) => `${userId}:${archived ? 1 : 0}`

export function invalidateStockList(userId: number): void {
  cache.delete(keyOf(userId, false))
  cache.delete(keyOf(userId, true))
}

export async function stockListJson(userId: number, archived: boolean, now = Date.now()): Promise<{ body: Uint8Array<ArrayBuffer>; etag: string }> {
  const key = keyOf(userId, archived)
  const hit = cache.get(key)
  if (hit && now - hit.checkedAt < STAMP_TTL_MS) return { body: hit.body, etag: `"${hit.stamp}"` }
  const stamp = await stocksStamp(userId, archived)
  if (hit && hit.stamp === stamp) {
    hit.checkedAt = now
    return { body: hit.body, etag: `"${stamp}"` }
  }
  const rows = await listStocksForUser(userId, { archived })
  const body = utf8.encode(JSON.stringify({ items: rows.map(toStockListItem) }))
  if (cache.size >= MAX_ENTRIES) cache.clear()
  cache.set(key, { stamp, body, checkedAt: now })
  return { body, etag: `"${stamp}"` }
}
