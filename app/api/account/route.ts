import { route } from '@/lib/http/route'
import { accountPage } from '@/lib/services/views/account-view'
import { brokerForRequest, marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** Live account and positions from the broker (or its error), plus the last stored snapshot. */
export const GET = route(async ({ user }) => {
  const clock = await marketClock()
  return accountPage(user.id, () => brokerForRequest(clock))
})
