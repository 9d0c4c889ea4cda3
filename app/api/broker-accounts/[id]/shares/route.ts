import { idParam, parseBody, route } from '@/lib/http/route'
import { accountShareSchema, accountUnshareSchema, shareAccount, unshareAccount } from '@/lib/services/runtime/broker-accounts'

type P = { id: string }

/** Owner or admin: share the account with a user by email, read-only or with trading (`canTrade`). */
export const PUT = route<P>(async ({ req, user, params, t, locale }) => {
  const id = idParam(params.id)
  return shareAccount(user, id, await parseBody(req, accountShareSchema, t), locale)
})

/** Owner or admin: stop sharing with a user (`{ email }`). */
export const DELETE = route<P>(async ({ req, user, params, t, locale }) => {
  const id = idParam(params.id)
  const { email } = await parseBody(req, accountUnshareSchema, t)
  return unshareAccount(user, id, email, locale)
})
