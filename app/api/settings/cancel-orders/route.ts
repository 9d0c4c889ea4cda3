import { parseBody, route } from '@/lib/http/route'
import { cancelAllOrdersSchema } from '@/lib/schemas/settings'
import { cancelAllWorking } from '@/lib/services/trading/order-cancel'
import { brokerForRequest, marketClock } from '@/lib/services/runtime/web-context'

/**
 * Admin: ask the bridge to cancel every working DingPan order (all users). The answer is the report
 * of what the bridge said for each order (`requested` only where it accepted the request;
 * `notConfirmed` counts refusals, requests that never left and requests without a clear answer) and
 * which orders were not asked and why — never a cancel the bridge did not confirm.
 */
export const POST = route(
  async ({ req, user, t }) => {
    await parseBody(req, cancelAllOrdersSchema, t)
    const clock = await marketClock()
    return cancelAllWorking({ id: user.id, label: user.email }, () => brokerForRequest(clock))
  },
  { admin: true },
)
