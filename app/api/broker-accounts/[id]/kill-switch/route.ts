import { idParam, parseBody, route } from '@/lib/http/route'
import { accountKillSchema, switchAccountKill } from '@/lib/services/runtime/broker-accounts'

type P = { id: string }

/** The account's own kill switch: on by anyone who may trade on it, off by its owner or an admin. */
export const POST = route<P>(async ({ req, user, params, t }) => {
  const id = idParam(params.id)
  const { on, reason } = await parseBody(req, accountKillSchema, t)
  return switchAccountKill(user, id, on, reason)
})
