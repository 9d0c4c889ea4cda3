import { parseBody, parseQuery, route } from '@/lib/http/route'
import { calendarDeleteSchema, calendarImportSchema, calendarYearQuerySchema } from '@/lib/schemas/calendar'
import { calendarOverview, deleteCalendarEntry, saveCalendarImport } from '@/lib/services/runtime/calendar'
import { marketClock } from '@/lib/services/runtime/web-context'

export const dynamic = 'force-dynamic'

/** A year's closures and make-up days with their sources, and today's answer (everyone may read). */
export const GET = route(async ({ req, t }) => {
  const { year } = parseQuery(req, calendarYearQuerySchema, t)
  const clock = await marketClock()
  return calendarOverview(year, clock.now ?? new Date())
})

/** Admin: save an import (refused whole when any line has an error). */
export const POST = route(
  async ({ req, user, t }) => {
    const input = await parseBody(req, calendarImportSchema, t)
    return saveCalendarImport(input, { id: user.id, label: user.email })
  },
  { admin: true },
)

/** Admin: remove one entry of theirs, or withdraw the "complete year" mark. */
export const DELETE = route(
  async ({ req, user, t }) => {
    const input = await parseBody(req, calendarDeleteSchema, t)
    return deleteCalendarEntry(input, { id: user.id, label: user.email })
  },
  { admin: true },
)
