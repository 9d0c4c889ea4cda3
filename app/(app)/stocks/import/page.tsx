import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { ImportView } from './import-view'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '导入自选股 / Import a watchlist' }

export default async function ImportPage() {
  await pageUser()
  return <ImportView />
}
