/**
 * Creating a notification: rendered in the recipient's language, idempotent by `dedupeKey`, and
 * fanned out into one pending NotificationDelivery per enabled channel that wants the event, all in
 * the caller's transaction (so a trigger, its order intent and its notifications commit together).
 * Sending happens later, in the outbox loop.
 */
import { asLocale, type Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import type { Tx } from '@/lib/db/tx'
import { toJson } from '@/lib/db/audit'
import { channelWants, EVENT_TYPES, type EventSeverity, type EventType } from './events'
import { paramsFor, withEnglishTwins } from './param-text'

export type NotifyParams = Record<string, string | number | null | undefined>

export interface NotifyInput {
  userId: number
  type: EventType
  params?: NotifyParams
  severity?: EventSeverity
  stockId?: number | null
  orderId?: number | null
  triggerEventId?: number | null
  /** Same key, same notification: a re-run of the same step never notifies twice. */
  dedupeKey?: string
  locale?: Locale
  /**
   * The market clock's time of the event (the paper exchange's simulated clock in the demo, the
   * wall clock in real use). Without it the row's wall time stands in.
   */
  at?: Date
}

function clean(params: NotifyParams): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(params)) out[k] = v == null ? '—' : v
  return out
}

/** Parameters added to an event's text later: rows stored before have none, and read without that part. */
const LATER_PARAMS: Partial<Record<EventType, NotifyParams>> = { DAILY_SUMMARY: { pnl: 'none' } }

export function renderEvent(type: EventType, params: NotifyParams, locale: Locale): { title: string; body: string } {
  const t = translator(locale)
  // Free texts stored in the writer's language read in the reader's (English: never Chinese inside a sentence).
  const p = clean({ ...LATER_PARAMS[type], ...paramsFor(params, locale) })
  return {
    title: t(`events.${type}.title` as never, p as never),
    body: t(`events.${type}.body` as never, p as never),
  }
}

/**
 * What several notify calls in one transaction may share: each user's enabled channels, read once
 * (a batch of 25 signals would otherwise read them 25 times).
 */
export interface NotifyCache {
  channels: Map<number, Array<{ id: number; events: unknown }>>
}

export function notifyCache(): NotifyCache {
  return { channels: new Map() }
}

async function enabledChannels(tx: Tx, userId: number, cache?: NotifyCache) {
  const had = cache?.channels.get(userId)
  if (had) return had
  const rows = await tx.notificationChannel.findMany({ where: { userId, enabled: true }, select: { id: true, events: true } })
  cache?.channels.set(userId, rows)
  return rows
}

export async function notify(tx: Tx, input: NotifyInput, cache?: NotifyCache) {
  if (input.dedupeKey) {
    const existing = await tx.notification.findUnique({ where: { dedupeKey: input.dedupeKey } })
    if (existing) return null
  }
  const locale = input.locale ?? asLocale((await tx.user.findUnique({ where: { id: input.userId }, select: { locale: true } }))?.locale)
  const severity = input.severity ?? EVENT_TYPES[input.type]
  // A Chinese free text (a reason, an action) is stored with its English twin (`reasonEn`…) when known.
  const params = withEnglishTwins(input.params ?? {}, locale)
  const { title, body } = renderEvent(input.type, params, locale)
  const createdAt = new Date()
  const notification = await tx.notification.create({
    data: {
      createdAt,
      marketAt: input.at ?? createdAt,
      userId: input.userId,
      type: input.type,
      severity,
      title,
      body,
      params: toJson(params) as object,
      stockId: input.stockId ?? null,
      orderId: input.orderId ?? null,
      triggerEventId: input.triggerEventId ?? null,
      dedupeKey: input.dedupeKey ?? null,
    },
  })
  const channels = await enabledChannels(tx, input.userId, cache)
  const wanted = channels.filter((c) => channelWants(c.events, input.type, severity))
  for (const c of wanted) {
    await tx.notificationDelivery.create({ data: { notificationId: notification.id, channelId: c.id } })
  }
  return notification
}

/** System events (bridge down, stale quotes…) go to every user: each has monitors at stake. */
export async function notifyAllUsers(tx: Tx, input: Omit<NotifyInput, 'userId' | 'locale'>) {
  const users = await tx.user.findMany({ select: { id: true, locale: true } })
  const out = []
  for (const u of users) {
    out.push(
      await notify(tx, {
        ...input,
        userId: u.id,
        locale: asLocale(u.locale),
        dedupeKey: input.dedupeKey ? `${input.dedupeKey}:u${u.id}` : undefined,
      }),
    )
  }
  return out
}

/** Events only an admin can act on (the trading calendar, settings): every admin gets them. */
export async function notifyAdmins(tx: Tx, input: Omit<NotifyInput, 'userId' | 'locale'>) {
  const admins = await tx.user.findMany({ where: { role: 'ADMIN' }, select: { id: true, locale: true } })
  const out = []
  for (const u of admins) {
    out.push(await notify(tx, { ...input, userId: u.id, locale: asLocale(u.locale), dedupeKey: input.dedupeKey ? `${input.dedupeKey}:u${u.id}` : undefined }))
  }
  return out
}
