/**
 * The notification history as a list view: the user's own notifications, optionally one broker
 * account's (an account the user does not see → NotFoundError), each naming its account with a
 * paper / live badge (issue 13), and its market time (marketAt; the wall time for a row without one).
 */
import { listNotifications, type NotificationFilter } from '@/lib/db/notifications'
import { accountScope, badgeOf, scopeFilter } from './account-filter'

export async function notificationList(userId: number, filter: NotificationFilter, page: number, pageSize: number, account?: number) {
  const scope = await accountScope(userId, account)
  const { total, items } = await listNotifications(userId, { ...filter, account: scopeFilter(scope) }, page, pageSize)
  return { total, page, pageSize, account: scope.selected, accounts: scope.accounts, items: items.map((n) => ({ ...n, marketAt: n.marketAt ?? n.createdAt, account: n.brokerAccountId === null ? null : badgeOf(scope, n.brokerAccountId) })) }
}
