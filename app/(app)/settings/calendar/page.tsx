import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { shanghaiDate } from '@/lib/market'
import { calendarOverview } from '@/lib/services/runtime/calendar'
import { marketClock } from '@/lib/services/runtime/web-context'
import { CalendarManager } from './calendar-manager'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '交易日历 / Trading calendar' }

/** 设置 → 交易日历: each year's closures with their source; admins import the exchange notice. */
export default async function CalendarSettingsPage() {
  const user = await pageUser()
  const clock = await marketClock()
  const now = clock.now ?? new Date()
  const year = Number(shanghaiDate(now).slice(0, 4))
  // In December the coming year is the one to enter.
  const initialYear = shanghaiDate(now).slice(5, 7) === '12' ? year + 1 : year
  const overview = await calendarOverview(initialYear, now)
  return (
    <section className="mx-auto max-w-5xl">
      <CalendarManager initial={JSON.parse(JSON.stringify(overview))} isAdmin={user.role === 'ADMIN'} />
    </section>
  )
}
