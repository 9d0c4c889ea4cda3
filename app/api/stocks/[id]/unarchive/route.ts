import { idParam, route } from '@/lib/http/route'
import { unarchiveStock } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'

/** Restores an archived monitor (disabled, auto-trade off); 409 while the code has another live monitor. */
export const POST = route<{ id: string }>(async ({ user, params }) => toStockView(await unarchiveStock(user.id, idParam(params.id))))
