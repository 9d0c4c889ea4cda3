import { idParam, route } from '@/lib/http/route'
import { resumeStockExits } from '@/lib/services/trading/monitor-actions'
import { toStockView } from '@/lib/services/views/stock-view'

/** Resumes automatic exits a trader's cancel paused (version bump, audit-logged); 409 when not paused. */
export const POST = route<{ id: string }>(async ({ user, params }) => toStockView(await resumeStockExits(user.id, idParam(params.id))))
