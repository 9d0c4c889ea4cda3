import { idParam, json, route } from '@/lib/http/route'
import { cancelOrderForUser } from '@/lib/services/trading/order-cancel'
import { brokerForRequest, marketClock } from '@/lib/services/runtime/web-context'

/**
 * Asks the bridge to cancel one of the user's open orders and answers with exactly what the bridge
 * said: 200 when it accepted the request, 502 when it refused, was unreachable or gave no clear answer.
 */
export const POST = route<{ id: string }>(async ({ user, params }) => {
  const id = idParam(params.id)
  const clock = await marketClock()
  const report = await cancelOrderForUser(user.id, id, () => brokerForRequest(clock))
  return json(report, report.bridge.outcome === 'requested' ? 200 : 502)
})
