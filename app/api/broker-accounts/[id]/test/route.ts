import { idParam, parseBody, parseWith, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { anyJson, brokerAccountFormSchema, isEmptyBody } from '@/lib/schemas/broker-accounts'
import { testAccountConnection } from '@/lib/services/runtime/broker-accounts'

type P = { id: string }

/**
 * Owner or admin: connect and read the account, reporting exactly what the bridge answered. `{}`
 * tests the stored connection; the account form tests those values before they are saved. The token
 * never leaves the server.
 */
export const POST = route<P>(async ({ req, user, params, t }) => {
  const id = idParam(params.id)
  const raw = await parseBody(req, anyJson, t)
  return testAccountConnection(user, id, isEmptyBody(raw) ? null : parseWith(brokerAccountFormSchema, raw, t), env())
})
