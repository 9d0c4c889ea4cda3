import { idParam, route } from '@/lib/http/route'
import { rearmStock } from '@/lib/services/trading/monitor-actions'
import { toStockView } from '@/lib/services/views/stock-view'

/** CLOSED → WATCHING with a new episode (lib/market rearm); bumps version, audit-logged. */
export const POST = route<{ id: string }>(async ({ user, params, locale }) => toStockView(await rearmStock(user.id, idParam(params.id), locale)))
