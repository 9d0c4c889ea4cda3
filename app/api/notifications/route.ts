import { parseQuery, route } from '@/lib/http/route'
import { notificationQuerySchema } from '@/lib/schemas/notifications'
import { notificationList } from '@/lib/services/views/notifications-view'

export const GET = route(async ({ req, user, t }) => {
  const q = parseQuery(req, notificationQuerySchema, t)
  return notificationList(user.id, q.filter, q.page, q.pageSize, q.account)
})
