/**
 * Orders as the browser sees them: prices in yuan, the counter's status name (未报 … 废单) from the
 * raw xtStatus next to DingPan's own status, the counter's message, fills, and whether the trader
 * may ask for a cancel.
 */
import { listOrdersForUser, type OrderListFilter } from '@/lib/db/orders-view'
import { toOrderView } from '../trading/shapes'

export type { OrderView } from '../trading/shapes'

export async function listOrders(userId: number, filter: OrderListFilter, page: number, pageSize: number) {
  const { total, items } = await listOrdersForUser(userId, filter, page, pageSize)
  return { total, page, pageSize, items: items.map(toOrderView) }
}

export type OrderList = Awaited<ReturnType<typeof listOrders>>
