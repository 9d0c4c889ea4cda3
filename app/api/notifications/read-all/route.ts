import { route } from '@/lib/http/route'
import { markAllRead } from '@/lib/db/notifications'

export const POST = route(async ({ user }) => ({ updated: await markAllRead(user.id) }))
