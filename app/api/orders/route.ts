import { parseQuery, route } from '@/lib/http/route'
import { orderQuerySchema } from '@/lib/schemas/orders'
import { listOrders } from '@/lib/services/views/orders-view'

export const dynamic = 'force-dynamic'

/** The user's orders with fills; filters: status (or "open"), stockId, side, from/to (YYYY-MM-DD, Asia/Shanghai). */
export const GET = route(async ({ req, user, t }) => {
  const q = parseQuery(req, orderQuerySchema, t)
  return listOrders(user.id, q.filter, q.page, q.pageSize, q.account)
})
