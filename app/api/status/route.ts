import { route } from '@/lib/http/route'
import { statusView } from '@/lib/services/views/status-view'
import { marketClock, workerStaleSeconds } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** Worker heartbeat history, last errors, bridge and quote-provider health, clock. */
export const GET = route(async ({ user }) => statusView({ clock: await marketClock(), staleAfterSec: workerStaleSeconds(), userId: user.id }))
