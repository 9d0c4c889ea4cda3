import { route } from '@/lib/http/route'
import { pendingExRights } from '@/lib/services/views/ex-rights-view'

export const dynamic = 'force-dynamic'

/** The user's ex-rights adjustments waiting for a decision (dashboard badge, stock page banner). */
export const GET = route(async ({ user }) => pendingExRights(user.id))
