import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { env } from '@/lib/env'
import { settingsView } from '@/lib/services/runtime/settings-admin'
import { SettingsForms } from './settings-forms'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '设置 / Settings' }

export default async function SettingsPage() {
  const user = await pageUser()
  const view = await settingsView(env())
  return <SettingsForms initial={view} isAdmin={user.role === 'ADMIN'} />
}
