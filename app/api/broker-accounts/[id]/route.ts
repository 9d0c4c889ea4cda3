import { idParam, parseBody, parseWith, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { accountEnableSchema, anyJson, brokerAccountFormSchema, isEnableBody } from '@/lib/schemas/broker-accounts'
import { getAccount, setAccountDisabled, updateAccount } from '@/lib/services/runtime/broker-accounts'

type P = { id: string }

/** One account the user sees (404 otherwise). */
export const GET = route<P>(async ({ user, params }) => getAccount(user, idParam(params.id)))

/**
 * Owner or admin. `{ disabled: true | false }` disables or enables the account; any other body is
 * the account form (the token write-only: empty keeps it for the same address; a change of bridge,
 * account or token with this account's orders at the bridge needs `confirmWorkingOrders`).
 */
export const PATCH = route<P>(async ({ req, user, params, t, locale }) => {
  const id = idParam(params.id)
  const raw = await parseBody(req, anyJson, t)
  if (isEnableBody(raw)) return setAccountDisabled(user, id, parseWith(accountEnableSchema, raw, t).disabled)
  return updateAccount(user, id, parseWith(brokerAccountFormSchema, raw, t), env(), locale)
})
