import { parseBody, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { replayRequestSchema } from '@/lib/schemas/replay'
import { replayView } from '@/lib/services/views/replay'
import { marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** Replay (回放/试算): the levels from the form or the stock page over recent K-lines. */
export const POST = route(async ({ req, t, locale }) => {
  const input = await parseBody(req, replayRequestSchema, t)
  const clock = await marketClock()
  return replayView(input, { env: env(), now: clock.now ?? new Date(), locale })
})
