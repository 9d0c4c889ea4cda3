import { parseQuery, route } from '@/lib/http/route'
import { shanghaiDate } from '@/lib/market'
import { pnlQuerySchema } from '@/lib/schemas/pnl'
import { marketClock } from '@/lib/services/runtime/web-context'
import { pnlReport } from '@/lib/services/views/pnl-view'

export const dynamic = 'force-dynamic'

/** The user's realised P&L: headline (today, this month, all), by month, day, stock and round trip; from/to (YYYY-MM-DD, Asia/Shanghai), stockId. */
export const GET = route(async ({ req, user, t }) => {
  const q = parseQuery(req, pnlQuerySchema, t)
  const clock = await marketClock()
  return pnlReport(user.id, { from: q.from, to: q.to, stockId: q.stockId }, { today: shanghaiDate(clock.now ?? new Date()) })
})
