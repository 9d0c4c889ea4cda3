import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { marketClock, runtimeDefaults, workerStaleSeconds } from '@/lib/services/runtime/web-context'
import { DashboardView } from './_dashboard/dashboard-view'
import { notFound } from 'next/navigation'
import { NotFoundError } from '@/lib/errors'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '实时监测 / Live monitor' }

/** 实时监测: rendered on the server, then kept live by the client (SWR on /api/dashboard). */
export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser()
  const raw = (await searchParams).account
  const account = typeof raw === 'string' && raw !== '' ? raw : null
  // ?account= names an account the user sees, or the page is not found (never another user's rows).
  const initial = await buildDashboard(user.id, { clock: await marketClock(), defaults: runtimeDefaults(), staleAfterSec: workerStaleSeconds(), account }).catch((e) => {
    if (e instanceof NotFoundError) notFound()
    throw e
  })
  return <DashboardView initial={JSON.parse(JSON.stringify(initial))} />
}
