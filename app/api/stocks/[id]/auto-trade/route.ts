import { idParam, parseBody, route } from '@/lib/http/route'
import { autoTradeToggleSchema } from '@/lib/schemas/stock'
import { setAutoTrade } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'

export const PUT = route<{ id: string }>(async ({ req, user, params, t }) => {
  const id = idParam(params.id)
  const { autoTrade } = await parseBody(req, autoTradeToggleSchema, t)
  return toStockView(await setAutoTrade(user.id, id, autoTrade))
})
