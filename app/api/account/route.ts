import { route } from '@/lib/http/route'
import { accountPage } from '@/lib/services/views/account-view'
import { brokerForAccountRequest, marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** One broker account (?account=<id>, else the user's default): live numbers and positions from its broker (or its error), plus its last stored snapshot. */
export const GET = route(async ({ req, user }) => {
  const clock = await marketClock()
  return accountPage(user.id, (id) => brokerForAccountRequest(id, clock), req.nextUrl.searchParams.get('account'))
})
