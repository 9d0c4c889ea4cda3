import { idParam, route } from '@/lib/http/route'
import { stockDetail } from '@/lib/services/views/stock-detail'
import { marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** Chart bars, levels and the timeline of one of the user's stocks (polled by the detail page). */
export const GET = route<{ id: string }>(async ({ user, params, locale }) => stockDetail(user.id, idParam(params.id), await marketClock(), locale))
