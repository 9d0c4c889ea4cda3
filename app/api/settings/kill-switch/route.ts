import { parseBody, route } from '@/lib/http/route'
import { killSwitchFormSchema } from '@/lib/schemas/settings'
import { switchKill } from '@/lib/services/runtime/settings-admin'

/** Admin: the kill switch. On: signals are recorded and notified, no order is created. */
export const PUT = route(
  async ({ req, user, t }) => {
    const { on, reason } = await parseBody(req, killSwitchFormSchema, t)
    return switchKill(on, reason, { id: user.id, label: user.email })
  },
  { admin: true },
)
