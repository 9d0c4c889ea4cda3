import { parseQuery, route } from '@/lib/http/route'
import { notificationQuerySchema } from '@/lib/schemas/notifications'
import { listNotifications } from '@/lib/db/notifications'

export const GET = route(async ({ req, user, t }) => {
  const q = parseQuery(req, notificationQuerySchema, t)
  const { total, items } = await listNotifications(user.id, q.filter, q.page, q.pageSize)
  return { total, page: q.page, pageSize: q.pageSize, items }
})
