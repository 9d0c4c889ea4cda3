import { idParam, parseBody, route } from '@/lib/http/route'
import { exRightsDecisionSchema } from '@/lib/schemas/ex-rights'
import { decideExRightsAdjustment } from '@/lib/services/trading/ex-rights'
import { toExRightsView } from '@/lib/services/views/ex-rights-view'

/** Accept (levels scaled by the factor) or dismiss (levels kept) a pending ex-rights adjustment; audit-logged. */
export const POST = route<{ id: string }>(async ({ req, user, params, t }) => {
  const id = idParam(params.id)
  const { adjustmentId, decision } = await parseBody(req, exRightsDecisionSchema, t)
  return toExRightsView(await decideExRightsAdjustment(user.id, id, adjustmentId, decision))
})
