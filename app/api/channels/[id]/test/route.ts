import { idParam, route } from '@/lib/http/route'
import { testChannel } from '@/lib/services/notifications'

/** Sends a test message now and answers what the platform said (200 even when the platform refused). */
export const POST = route<{ id: string }>(async ({ user, params, locale }) => testChannel(user.id, idParam(params.id), { locale }))
