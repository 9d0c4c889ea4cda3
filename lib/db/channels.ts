/**
 * Notification channels. Every query is scoped to the owner: a channel id of another user is
 * "not found". Secrets arrive here already encrypted (`secretsEnc`, see
 * lib/services/notifications/channel-secrets.ts) and are never selected by the listing queries the UI uses
 * except to compute redacted hints in the service. Writes are audit-logged without secret values
 * (only the names of the secret fields that changed).
 */
import { NotFoundError } from '@/lib/errors'
import { getDb, type Db } from './client'
import { writeTx, type Tx } from './tx'
import { toJson, writeAudit } from './audit'

export type ChannelTypeValue = 'DINGTALK' | 'FEISHU' | 'WECOM' | 'SERVERCHAN' | 'BARK' | 'EMAIL' | 'WEBHOOK' | 'WEBPUSH'

export interface ChannelData {
  type: ChannelTypeValue
  name: string
  enabled: boolean
  config: Record<string, unknown>
  events: string[]
}

const channelSelect = {
  id: true,
  userId: true,
  type: true,
  name: true,
  enabled: true,
  config: true,
  secretsEnc: true,
  events: true,
  createdAt: true,
  updatedAt: true,
} as const

export type ChannelRow = NonNullable<Awaited<ReturnType<typeof findChannel>>>

function findChannel(db: Db | Tx, userId: number, id: number) {
  return db.notificationChannel.findFirst({ where: { id, userId }, select: channelSelect })
}

export async function getChannelForUser(userId: number, id: number): Promise<ChannelRow> {
  const row = await findChannel(getDb(), userId, id)
  if (!row) throw new NotFoundError()
  return row
}

export function listChannelsForUser(userId: number): Promise<ChannelRow[]> {
  return getDb().notificationChannel.findMany({ where: { userId }, select: channelSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
}

function auditView(d: ChannelData, secretsChanged: string[]) {
  return { type: d.type, name: d.name, enabled: d.enabled, config: d.config, events: d.events, secretsChanged }
}

/**
 * Creates a channel. `seal(id)` encrypts the secrets bound to the new row's id (or returns null
 * when there are none); it runs inside the transaction, so the row never exists half-made.
 */
export async function createChannelForUser(
  userId: number,
  data: ChannelData,
  seal: (id: number) => string | null,
  secretsChanged: string[],
): Promise<ChannelRow> {
  return writeTx(getDb(), async (tx) => {
    const created = await tx.notificationChannel.create({
      data: { userId, type: data.type, name: data.name, enabled: data.enabled, config: toJson(data.config) as object, events: data.events },
      select: { id: true },
    })
    const row = await tx.notificationChannel.update({ where: { id: created.id }, data: { secretsEnc: seal(created.id) }, select: channelSelect })
    await writeAudit(tx, {
      actorId: userId,
      actor: `user:${userId}`,
      action: 'channel.create',
      entity: 'NotificationChannel',
      entityId: row.id,
      after: auditView(data, secretsChanged),
    })
    return row
  })
}

export interface ChannelUpdate {
  data: Omit<ChannelData, 'type'>
  /** New ciphertext; undefined keeps the stored one. */
  secretsEnc?: string | null
  secretsChanged: string[]
}

/**
 * Updates a channel in one write transaction: `build` gets the current row (so it can merge the
 * stored secrets with the submitted ones) and returns the new values.
 */
export async function updateChannelForUser(userId: number, id: number, build: (current: ChannelRow) => ChannelUpdate): Promise<ChannelRow> {
  return writeTx(getDb(), async (tx) => {
    const current = await findChannel(tx, userId, id)
    if (!current) throw new NotFoundError()
    const u = build(current)
    const row = await tx.notificationChannel.update({
      where: { id },
      data: {
        name: u.data.name,
        enabled: u.data.enabled,
        config: toJson(u.data.config) as object,
        events: u.data.events,
        ...(u.secretsEnc !== undefined ? { secretsEnc: u.secretsEnc } : {}),
      },
      select: channelSelect,
    })
    await writeAudit(tx, {
      actorId: userId,
      actor: `user:${userId}`,
      action: 'channel.update',
      entity: 'NotificationChannel',
      entityId: id,
      before: auditView({ ...current, config: current.config as Record<string, unknown>, events: current.events as string[] }, []),
      after: auditView({ ...u.data, type: current.type }, u.secretsChanged),
    })
    return row
  })
}

/**
 * Deletes a channel with its delivery rows (the schema's foreign key is RESTRICT and there is no
 * soft-delete column). The notifications themselves stay in the in-app history. A send in flight
 * in the worker finds its row gone and only logs the outcome.
 */
export async function deleteChannelForUser(userId: number, id: number): Promise<{ deliveries: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeTx(getDb(), async (tx) => {
        const current = await findChannel(tx, userId, id)
        if (!current) throw new NotFoundError()
        const { count } = await tx.notificationDelivery.deleteMany({ where: { channelId: id } })
        await tx.notificationChannel.delete({ where: { id } })
        await writeAudit(tx, {
          actorId: userId,
          actor: `user:${userId}`,
          action: 'channel.delete',
          entity: 'NotificationChannel',
          entityId: id,
          before: auditView({ ...current, config: current.config as Record<string, unknown>, events: current.events as string[] }, []),
          after: { deliveriesDeleted: count },
        })
        return { deliveries: count }
      })
    } catch (e) {
      // PostgreSQL: a notification fanned out to this channel between our two deletes → P2003.
      if (attempt < 3 && (e as { code?: string }).code === 'P2003') continue
      throw e
    }
  }
}

export interface ChannelDeliveryStats {
  last: { status: string; attempts: number; lastError: string | null; at: Date; deliveredAt: Date | null } | null
  counts: Record<'PENDING' | 'SENDING' | 'DELIVERED' | 'FAILED' | 'SKIPPED', number>
}

/** Last delivery of each channel and the status counts since `since`. */
export async function channelDeliveryStats(userId: number, channelIds: number[], since: Date): Promise<Map<number, ChannelDeliveryStats>> {
  const db = getDb()
  const out = new Map<number, ChannelDeliveryStats>()
  if (channelIds.length === 0) return out
  for (const id of channelIds) out.set(id, { last: null, counts: { PENDING: 0, SENDING: 0, DELIVERED: 0, FAILED: 0, SKIPPED: 0 } })
  const scope = { channelId: { in: channelIds }, channel: { userId } }
  const [groups, lasts] = await Promise.all([
    db.notificationDelivery.groupBy({ by: ['channelId', 'status'], where: { ...scope, createdAt: { gte: since } }, _count: { _all: true } }),
    Promise.all(
      channelIds.map((channelId) =>
        db.notificationDelivery.findFirst({
          where: { channelId, channel: { userId } },
          orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
          select: { channelId: true, status: true, attempts: true, lastError: true, updatedAt: true, deliveredAt: true },
        }),
      ),
    ),
  ])
  for (const g of groups) {
    const s = out.get(g.channelId)
    if (s) s.counts[g.status] = g._count._all
  }
  for (const l of lasts) {
    const s = l && out.get(l.channelId)
    if (l && s) s.last = { status: l.status, attempts: l.attempts, lastError: l.lastError, at: l.updatedAt, deliveredAt: l.deliveredAt }
  }
  return out
}

/**
 * A Web Push subscription is gone (the push service answered 404/410): disables the channel, in one
 * transaction with `then` (the in-app notification telling the user). Only when the channel is still
 * enabled and still holds the subscription that failed (`secretsEnc` unchanged): a browser that
 * subscribed again meanwhile, or a second failed delivery of the same subscription, changes nothing.
 * True when this call disabled it.
 */
export async function disableGoneChannel(
  db: Db,
  channelId: number,
  secretsEnc: string | null,
  reason: string,
  then: (tx: Tx, channel: { id: number; userId: number; name: string }) => Promise<unknown>,
): Promise<boolean> {
  return writeTx(db, async (tx) => {
    const { count } = await tx.notificationChannel.updateMany({ where: { id: channelId, enabled: true, secretsEnc }, data: { enabled: false } })
    if (count !== 1) return false
    const channel = await tx.notificationChannel.findUniqueOrThrow({ where: { id: channelId }, select: { id: true, userId: true, name: true } })
    await writeAudit(tx, {
      actorId: null,
      actor: 'system:outbox',
      action: 'channel.disable',
      entity: 'NotificationChannel',
      entityId: channelId,
      before: { enabled: true },
      after: { enabled: false, reason },
    })
    await then(tx, channel)
    return true
  })
}
