import { idParam, parseBody, route } from '@/lib/http/route'
import { stockInputSchema } from '@/lib/schemas/stock'
import { archiveStock, getStockForUser, updateStock } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'

type P = { id: string }

export const GET = route<P>(async ({ user, params }) => toStockView(await getStockForUser(user.id, idParam(params.id))))

export const PUT = route<P>(async ({ req, user, params, t }) => {
  const id = idParam(params.id)
  const input = await parseBody(req, stockInputSchema, t)
  return toStockView(await updateStock(user.id, id, input))
})

/** Archives (soft delete); history stays. */
export const DELETE = route<P>(async ({ user, params }) => toStockView(await archiveStock(user.id, idParam(params.id))))
