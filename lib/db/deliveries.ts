/**
 * NotificationDelivery rows: the outbox's queue (lib/services/notifications/outbox.ts has the whole protocol).
 *
 * Every state change is ONE conditional UPDATE (`updateMany` whose WHERE repeats what the caller
 * read: status, attempts, and that the row is due / its lease expired). `attempts` grows by one on
 * every claim, so it doubles as a version number: of two processes that read the same row, only
 * the first UPDATE matches; the second finds a changed row (PostgreSQL re-checks the WHERE on the
 * committed row after waiting for the first writer's lock) and gets count 0. A single statement is
 * its own short transaction on both databases, so no read-then-write transaction is held open and
 * SQLite never sees SQLITE_BUSY_SNAPSHOT here.
 */
import type { Db } from './client'
import { writeTx, type Tx } from './tx'
import { toJson } from './audit'

export type DeliveryStatusValue = 'PENDING' | 'SENDING' | 'DELIVERED' | 'FAILED' | 'SKIPPED'

/** lastError is bounded (platform answers are short, but a relay could say anything). */
export const LAST_ERROR_MAX = 1000

function bound(error: string): string {
  const chars = [...error]
  return chars.length > LAST_ERROR_MAX ? `${chars.slice(0, LAST_ERROR_MAX - 1).join('')}…` : error
}

const dueSelect = {
  id: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lockedUntil: true,
  channel: { select: { id: true, userId: true, type: true, name: true, enabled: true, config: true, secretsEnc: true } },
  notification: {
    select: {
      id: true,
      userId: true,
      type: true,
      severity: true,
      title: true,
      body: true,
      params: true,
      stockId: true,
      orderId: true,
      createdAt: true,
      user: { select: { locale: true } },
    },
  },
} as const

/** Deliveries that may be worked on at `now`: PENDING and due, or SENDING with an expired (or missing) lease. */
export function findDueDeliveries(db: Db | Tx, now: Date, take: number) {
  return db.notificationDelivery.findMany({
    where: {
      OR: [
        { status: 'PENDING', nextAttemptAt: { lte: now } },
        { status: 'SENDING', lockedUntil: { lt: now } },
        { status: 'SENDING', lockedUntil: null },
      ],
    },
    orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
    take,
    select: dueSelect,
  })
}

export type DueDelivery = Awaited<ReturnType<typeof findDueDeliveries>>[number]

/** What the caller read about a row; every conditional update repeats it in its WHERE. */
export interface RowGuard {
  id: number
  status: 'PENDING' | 'SENDING'
  attempts: number
}

function guardWhere(g: RowGuard, now: Date) {
  return g.status === 'PENDING'
    ? { id: g.id, status: 'PENDING' as const, attempts: g.attempts, nextAttemptAt: { lte: now } }
    : { id: g.id, status: 'SENDING' as const, attempts: g.attempts, OR: [{ lockedUntil: { lt: now } }, { lockedUntil: null }] }
}

/** PENDING/expired SENDING → SENDING with a lease until `lockedUntil`, attempts + 1. True when this caller won the row. */
export async function claimDelivery(db: Db, g: RowGuard, now: Date, lockedUntil: Date): Promise<boolean> {
  const { count } = await db.notificationDelivery.updateMany({
    where: guardWhere(g, now),
    data: { status: 'SENDING', lockedUntil, attempts: { increment: 1 } },
  })
  return count === 1
}

/** Queued by the rate limiter: back to PENDING at `until`, no attempt consumed. */
export async function deferDelivery(db: Db, g: RowGuard, now: Date, until: Date): Promise<boolean> {
  const { count } = await db.notificationDelivery.updateMany({
    where: guardWhere(g, now),
    data: { status: 'PENDING', nextAttemptAt: until, lockedUntil: null },
  })
  return count === 1
}

/** Ends a row without sending (channel disabled → SKIPPED; lease expired on the last attempt → FAILED). */
export async function closeUnsent(db: Db, g: RowGuard, now: Date, status: 'SKIPPED' | 'FAILED', reason: string): Promise<boolean> {
  const { count } = await db.notificationDelivery.updateMany({
    where: guardWhere(g, now),
    data: { status, lastError: bound(reason), lockedUntil: null },
  })
  return count === 1
}

export type SendOutcome =
  | { status: 'DELIVERED'; at: Date }
  | { status: 'PENDING'; nextAttemptAt: Date; error: string }
  | { status: 'FAILED'; error: string }

/**
 * Records the result of the attempt this caller claimed (SENDING with `attempts`). False when the
 * row is no longer ours: the lease expired and another process re-claimed it, or the channel
 * (and with it the row) was deleted.
 */
export async function recordOutcome(db: Db | Tx, id: number, attempts: number, o: SendOutcome): Promise<boolean> {
  const data =
    o.status === 'DELIVERED'
      ? { status: 'DELIVERED' as const, deliveredAt: o.at, lockedUntil: null, lastError: null }
      : o.status === 'PENDING'
        ? { status: 'PENDING' as const, nextAttemptAt: o.nextAttemptAt, lockedUntil: null, lastError: bound(o.error) }
        : { status: 'FAILED' as const, lockedUntil: null, lastError: bound(o.error) }
  const { count } = await db.notificationDelivery.updateMany({ where: { id, status: 'SENDING', attempts }, data })
  return count === 1
}

export interface TestNotification {
  title: string
  body: string
  params: Record<string, unknown>
}

/**
 * The "send test" button: a TEST notification with one delivery row for this channel only,
 * already SENDING (attempt 1, leased to the web process), so the outbox leaves it alone unless
 * the web process dies mid-send.
 */
export async function createTestDelivery(db: Db, userId: number, channelId: number, n: TestNotification, lockedUntil: Date) {
  return writeTx(db, async (tx) => {
    const notification = await tx.notification.create({
      data: { userId, type: 'TEST', severity: 'INFO', title: n.title, body: n.body, params: toJson(n.params) as object },
      select: { id: true, createdAt: true },
    })
    const delivery = await tx.notificationDelivery.create({
      data: { notificationId: notification.id, channelId, status: 'SENDING', attempts: 1, lockedUntil },
      select: { id: true, attempts: true },
    })
    return { notification, delivery }
  })
}
