import { parseBody, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { saveBroker, settingsView } from '@/lib/services/runtime/settings-admin'

/** Admin: broker mode and bridge connection (the token is write-only; empty keeps the stored one). */
export const PUT = route(
  async ({ req, user, t }) => {
    const input = await parseBody(req, brokerFormSchema, t)
    await saveBroker(input, { id: user.id, label: user.email })
    return (await settingsView(env())).broker
  },
  { admin: true },
)
