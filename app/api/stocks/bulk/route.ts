import { parseBody, route } from '@/lib/http/route'
import { bulkStockAction } from '@/lib/db/stock-bulk'
import { stockBulkSchema } from '@/lib/schemas/watchlist'

export const dynamic = 'force-dynamic'

/**
 * Bulk action on the user's selected stocks: enable, disable, autoTradeOff or archive. Answers each
 * id's outcome (changed, unchanged, or the refusal with its message); a foreign id is "not found".
 */
export const POST = route(async ({ req, user, t }) => {
  const { ids, action } = await parseBody(req, stockBulkSchema, t)
  const results = await bulkStockAction(user.id, ids, action)
  return {
    action,
    results: results.map((r) => (r.ok ? { id: r.id, ok: true, changed: r.changed } : { id: r.id, ok: false, status: r.error.status, message: t(`errors.${r.error.message}` as never, r.error.params as never) })),
    changed: results.filter((r) => r.ok && r.changed).length,
    failed: results.filter((r) => !r.ok).length,
  }
})
