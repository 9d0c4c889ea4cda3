import { idParam, parseBody, route } from '@/lib/http/route'
import { channelBodySchema } from '@/lib/schemas/channels'
import { deleteChannel, getChannel, updateChannel } from '@/lib/services/notifications'

type P = { id: string }

export const GET = route<P>(async ({ user, params }) => getChannel(user.id, idParam(params.id)))

/** An empty secret field keeps the stored value; `clearSecrets` removes optional ones. */
export const PUT = route<P>(async ({ req, user, params, locale, t }) => {
  const id = idParam(params.id)
  const body = await parseBody(req, channelBodySchema, t)
  return updateChannel(user.id, id, body, { locale })
})

export const DELETE = route<P>(async ({ user, params }) => deleteChannel(user.id, idParam(params.id)))
