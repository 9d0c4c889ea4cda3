'use client'
/**
 * The "provisional calendar" note beside the market phase (dashboard header, status page): shown
 * whenever today's trading-day answer rests on the weekday rule rather than a published schedule.
 */
import Link from 'next/link'
import { useTranslations } from 'next-intl'

export interface CalendarNoteData {
  day: string
  trading: boolean
  provisional: boolean
  origin: string
  source: string
}

export function CalendarNote({ calendar, showSource = false }: { calendar: CalendarNoteData | null | undefined; showSource?: boolean }) {
  const tl = useTranslations('live')
  if (!calendar) return null
  if (!calendar.provisional) {
    return showSource ? <p className="text-xs text-slate-500">{tl('calendar.source', { source: calendar.source })}</p> : null
  }
  const year = calendar.day.slice(0, 4)
  return (
    <div className="mt-1 text-xs text-amber-900" data-testid="calendar-provisional" data-origin={calendar.origin}>
      <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium">{tl('calendar.provisional')}</span>{' '}
      {calendar.origin === 'observed'
        ? tl('calendar.observed', { day: calendar.day, state: calendar.trading ? tl('calendar.open') : tl('calendar.closed') })
        : tl('calendar.hint', { year, day: calendar.day })}{' '}
      <Link href="/settings/calendar" className="text-sky-700 underline">
        {tl('calendar.link')}
      </Link>
    </div>
  )
}
