import { idParam, parseWith, route } from '@/lib/http/route'
import { ValidationError } from '@/lib/errors'
import { manageQuantitySchema } from '@/lib/schemas/stock'
import { markStockManaged } from '@/lib/services/trading/monitor-actions'
import { toStockView } from '@/lib/services/views/stock-view'

/**
 * Puts `quantity` of the shares the broker reports for this code (default, and with no body: all of
 * them) under the monitor's stops (lib/market markPositionManaged); body `{ quantity? }`
 * (manageQuantitySchema, the dialog's schema); 400 with field errors when above the holding or not
 * sellable in whole lots.
 */
export const POST = route<{ id: string }>(async ({ req, user, params, locale, t }) => {
  const id = idParam(params.id)
  const text = await req.text()
  let raw: unknown = {}
  if (text.trim()) {
    try {
      raw = JSON.parse(text)
    } catch {
      throw new ValidationError({ _form: ['body.notJson'] }, 'body.notJson')
    }
  }
  const body = parseWith(manageQuantitySchema, raw, t)
  return toStockView(await markStockManaged(user.id, id, locale, body))
})
