import { parseBody, route } from '@/lib/http/route'
import { calendarPreviewSchema } from '@/lib/schemas/calendar'
import { previewCalendarImport } from '@/lib/services/runtime/calendar'

/** Admin: every line of an import with its dates or its error; nothing is stored. */
export const POST = route(
  async ({ req, t }) => {
    const input = await parseBody(req, calendarPreviewSchema, t)
    return previewCalendarImport(input)
  },
  { admin: true },
)
