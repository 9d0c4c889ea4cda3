import { route } from '@/lib/http/route'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { marketClock, runtimeDefaults, workerStaleSeconds } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** The dashboard's rows and header strip; the page polls it every few seconds. */
export const GET = route(async ({ req, user }) =>
  buildDashboard(user.id, { clock: await marketClock(), defaults: runtimeDefaults(), staleAfterSec: workerStaleSeconds(), account: req.nextUrl.searchParams.get('account') }),
)
