import { json, parseBody, route } from '@/lib/http/route'
import { brokerAccountFormSchema, createAccount, listAccounts } from '@/lib/services/runtime/broker-accounts'

/** The broker accounts the user sees (own, shared with them, shared with all; an admin: every one). Never a token. */
export const GET = route(async ({ user }) => ({ accounts: await listAccounts(user) }))

/** Adds an account owned by the user (the token write-only, stored encrypted). */
export const POST = route(async ({ req, user, t }) => {
  const input = await parseBody(req, brokerAccountFormSchema, t)
  return json(await createAccount(user, input), 201)
})
