import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { listChannels } from '@/lib/services/notifications'
import { ChannelsManager } from './channels-manager'
import { AlertSettings } from '@/app/_components/browser/alert-settings'
import { PushSettings } from './push-settings'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '通知渠道 / Notification channels' }

/** 设置 → 通知渠道: where notifications are pushed, with a "send test" button per channel. */
export default async function NotificationSettingsPage() {
  const user = await pageUser()
  const channels = await listChannels(user.id)
  return (
    <section className="mx-auto max-w-4xl">
      <AlertSettings />
      <PushSettings />
      <ChannelsManager initial={channels} />
    </section>
  )
}
