import { z } from 'zod'
import { dayField, intField } from './fields'

const day = dayField

/** Day boundaries are Asia/Shanghai midnights; `to` is inclusive. */
export function shanghaiDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`)
}

export const notificationQuerySchema = z
  .object({
    type: z.string().max(40, { message: 'text.tooLong' }).optional(),
    stockId: intField(1, 2_147_483_647).optional(),
    from: day.optional(),
    to: day.optional(),
    unread: z.enum(['1', '0', 'true', 'false']).optional(),
    page: intField(1, 100_000).default(1),
    pageSize: intField(1, 100).default(20),
    /** A broker account (issue 13): only accounts the user sees (checked by the view). */
    account: intField(1, 2_147_483_647).optional(),
  })
  .transform((q) => ({
    filter: {
      type: q.type || undefined,
      stockId: q.stockId,
      from: q.from ? shanghaiDayStart(q.from) : undefined,
      to: q.to ? new Date(shanghaiDayStart(q.to).getTime() + 86_400_000) : undefined,
      unread: q.unread === '1' || q.unread === 'true',
    },
    account: q.account,
    page: q.page,
    pageSize: q.pageSize,
  }))

export const markReadSchema = z.object({
  ids: z.array(intField(1, 2_147_483_647)).min(1, { message: 'ids.empty' }).max(500, { message: 'ids.tooMany' }),
})
