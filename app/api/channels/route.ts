import { json, parseBody, route } from '@/lib/http/route'
import { channelBodySchema } from '@/lib/schemas/channels'
import { createChannel, listChannels } from '@/lib/services/notifications'

/** The signed-in user's channels; secrets only as redacted hints. */
export const GET = route(async ({ user }) => ({ items: await listChannels(user.id) }))

export const POST = route(async ({ req, user, locale, t }) => {
  const body = await parseBody(req, channelBodySchema, t)
  return json(await createChannel(user.id, body, { locale }), 201)
})
