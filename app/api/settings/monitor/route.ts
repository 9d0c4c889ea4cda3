import { parseBody, route } from '@/lib/http/route'
import { monitorFormSchema } from '@/lib/schemas/settings'
import { saveMonitor } from '@/lib/services/runtime/settings-admin'

/** Admin: monitor interval and quote provider order (the worker picks them up on its next tick). */
export const PUT = route(
  async ({ req, user, t }) => {
    const input = await parseBody(req, monitorFormSchema, t)
    return saveMonitor(input, { id: user.id, label: user.email })
  },
  { admin: true },
)
