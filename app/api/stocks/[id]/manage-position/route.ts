import { idParam, route } from '@/lib/http/route'
import { markStockManaged } from '@/lib/services/trading/monitor-actions'
import { toStockView } from '@/lib/services/views/stock-view'

/** Puts the shares the broker reports for this code under the monitor's stops (lib/market markPositionManaged). */
export const POST = route<{ id: string }>(async ({ user, params, locale }) => toStockView(await markStockManaged(user.id, idParam(params.id), locale)))
