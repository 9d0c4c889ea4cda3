import { route } from '@/lib/http/route'
import { unreadCount } from '@/lib/db/notifications'

export const GET = route(async ({ user }) => ({ unread: await unreadCount(user.id) }))
