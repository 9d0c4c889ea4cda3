/** Query of the orders page and API: filters by status (or the "open" group), stock, side and day (Asia/Shanghai). */
import { z } from 'zod'
import { dayField, intField } from './fields'

export const ORDER_STATUSES = ['PENDING', 'SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'FILLED', 'CANCELLED', 'REJECTED', 'FAILED', 'UNKNOWN'] as const
export const ORDER_STATUS_GROUPS = { open: ['PENDING', 'SENDING', 'SUBMITTED', 'PARTIALLY_FILLED', 'CANCELLING', 'UNKNOWN'] } as const

const day = dayField

const start = (d: string) => new Date(`${d}T00:00:00+08:00`)

export const orderQuerySchema = z
  .object({
    status: z.enum([...ORDER_STATUSES, 'open'], { message: 'enum.invalid' }).optional(),
    stockId: intField(1, 2_147_483_647).optional(),
    side: z.enum(['BUY', 'SELL'], { message: 'enum.invalid' }).optional(),
    from: day.optional(),
    to: day.optional(),
    page: intField(1, 100_000).default(1),
    pageSize: intField(1, 100).default(20),
    /** A broker account (issue 13): only accounts the user sees (checked by the view). */
    account: intField(1, 2_147_483_647).optional(),
  })
  .transform((q) => ({
    filter: {
      statuses: q.status === 'open' ? [...ORDER_STATUS_GROUPS.open] : q.status ? [q.status] : undefined,
      stockId: q.stockId,
      side: q.side,
      from: q.from ? start(q.from) : undefined,
      to: q.to ? new Date(start(q.to).getTime() + 86_400_000) : undefined,
    },
    account: q.account,
    page: q.page,
    pageSize: q.pageSize,
  }))
