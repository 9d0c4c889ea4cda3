import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { marketClock, runtimeDefaults, workerStaleSeconds } from '@/lib/services/runtime/web-context'
import { DashboardView } from './_dashboard/dashboard-view'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '实时监测 / Live monitor' }

/** 实时监测: rendered on the server, then kept live by the client (SWR on /api/dashboard). */
export default async function DashboardPage() {
  const user = await pageUser()
  const initial = await buildDashboard(user.id, { clock: await marketClock(), defaults: runtimeDefaults(), staleAfterSec: workerStaleSeconds() })
  return <DashboardView initial={JSON.parse(JSON.stringify(initial))} />
}
