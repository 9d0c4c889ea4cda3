/**
 * Orders as the browser sees them: prices in yuan, the counter's status name (未报 … 废单) from the
 * raw xtStatus next to DingPan's own status, the counter's message, fills, and whether the trader
 * may ask for a cancel.
 */
import { listOrdersForUser, type OrderListFilter } from '@/lib/db/orders-view'
import { toOrderView } from '../trading/shapes'
import { accountScope, badgeOf, scopeFilter } from './account-filter'

export type { OrderView } from '../trading/shapes'

/** One account's orders when `account` is given (an account the user does not see → NotFoundError); each row names its account. */
export async function listOrders(userId: number, filter: OrderListFilter, page: number, pageSize: number, account?: number) {
  const scope = await accountScope(userId, account)
  const { total, items } = await listOrdersForUser(userId, { ...filter, account: scopeFilter(scope) }, page, pageSize)
  return { total, page, pageSize, account: scope.selected, accounts: scope.accounts, items: items.map((o) => ({ ...toOrderView(o), account: badgeOf(scope, o.brokerAccountId) })) }
}

export type OrderList = Awaited<ReturnType<typeof listOrders>>
