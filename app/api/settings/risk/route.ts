import { parseBody, route } from '@/lib/http/route'
import { riskFormSchema } from '@/lib/schemas/settings'
import { saveRisk } from '@/lib/services/runtime/settings-admin'

/** Admin: global risk limits (read by the worker inside every signal's transaction). */
export const PUT = route(
  async ({ req, user, t }) => {
    const input = await parseBody(req, riskFormSchema, t)
    return saveRisk(input, { id: user.id, label: user.email })
  },
  { admin: true },
)
