import { parseBody, route } from '@/lib/http/route'
import { markReadSchema } from '@/lib/schemas/notifications'
import { markRead } from '@/lib/db/notifications'

export const POST = route(async ({ req, user, t }) => {
  const { ids } = await parseBody(req, markReadSchema, t)
  return { updated: await markRead(user.id, ids) }
})
