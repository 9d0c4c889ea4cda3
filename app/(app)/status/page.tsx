import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { statusView } from '@/lib/services/views/status-view'
import { marketClock, workerStaleSeconds } from '@/lib/services/runtime/web-context'
import { StatusPanel } from './status-panel'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '运行状态 / Status' }

export default async function StatusPage() {
  const user = await pageUser()
  const view = await statusView({ clock: await marketClock(), staleAfterSec: workerStaleSeconds(), userId: user.id })
  return <StatusPanel initial={JSON.parse(JSON.stringify(view))} />
}
