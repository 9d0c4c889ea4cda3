import { parseBody, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { quotePreviewSchema } from '@/lib/schemas/preview'
import { quotePreview } from '@/lib/services/views/quote-preview'
import { marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** The add/edit form's live preview: price, limits, levels vs price, the entry order auto-trade would send now. */
export const POST = route(async ({ req, user, t, locale }) => {
  const input = await parseBody(req, quotePreviewSchema, t)
  return quotePreview(input, { env: env(), clock: await marketClock(), locale, userId: user.id })
})
