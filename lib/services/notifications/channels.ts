/**
 * A user's notification channels: create / update / delete / list / send a test.
 *
 *  - Input is validated with lib/notify's per-channel zod schemas (public config and secrets
 *    separately) through lib/schemas/channels.ts, the same validator the settings form runs;
 *    errors are field-level (`config.port`, `secrets.accessToken`…), in the caller's language.
 *  - Secrets are encrypted at rest (AES-256-GCM, key from the environment, bound to the channel id)
 *    and NEVER leave this module in clear: views carry redacted hints ("••••1234") and `hasSecret`;
 *    an update with an empty secret field keeps the stored value. Nothing here logs secrets, and the
 *    audit log records only the names of the secret fields that changed.
 *  - testChannel sends a real message through the adapter now and answers exactly what the platform
 *    said; the attempt is recorded as a TEST notification with its delivery row (history).
 */
import { ValidationError } from '@/lib/errors'
import type { Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { getDb } from '@/lib/db/client'
import {
  channelDeliveryStats,
  createChannelForUser,
  deleteChannelForUser,
  getChannelForUser,
  listChannelsForUser,
  updateChannelForUser,
  type ChannelDeliveryStats,
  type ChannelRow,
} from '@/lib/db/channels'
import { createTestDelivery, recordOutcome } from '@/lib/db/deliveries'
import { redact, scrubSecrets, sendToChannel, SlidingWindowRateLimiter, type ChannelType, type DeliveryResult } from '@/lib/notify'
import { secretFieldNames, validateChannelInput, type ChannelErrorKey } from '@/lib/schemas/channels'
import { createLogger } from '@/lib/log'
import { openChannelSecrets, sealChannelSecrets, UnreadableSecretsError } from './channel-secrets'
import { renderEvent } from './notify'
import { channelSendExtras, disableGonePushChannel, outboundOf, type OutboxLogger } from './outbox'

let log: OutboxLogger = createLogger('channels')

/** Replaces the service's logger (tests capture the lines to prove no secret is logged). */
export function setChannelsLogger(logger: OutboxLogger): void {
  log = logger
}

export interface ChannelView {
  id: number
  type: ChannelType
  name: string
  enabled: boolean
  events: string[]
  /** Public settings only. */
  config: Record<string, unknown>
  /** Per secret field: "••••1234" / "••••" when stored, "" when not set. Never the value. */
  secretHints: Record<string, string>
  /** At least one secret is stored. */
  hasSecret: boolean
  /** The stored secrets cannot be decrypted with the current key: they must be entered again. */
  secretsUnreadable: boolean
  createdAt: string
  updatedAt: string
  /** The most recent delivery to this channel. */
  lastDelivery: { status: string; attempts: number; error: string | null; at: string; deliveredAt: string | null } | null
  /** Delivery counts of the last 7 days. */
  recent: { delivered: number; failed: number; pending: number; skipped: number }
}

export interface ChannelTestResult {
  /** The platform confirmed delivery. */
  ok: boolean
  /** false when nothing was sent (local rate limit, secrets unreadable). */
  sent: boolean
  /** HTTP status or SMTP reply code of the platform's answer. */
  status?: number
  /** The platform's answer / the reason, secret-free. */
  error?: string
  retryable?: boolean
  retryAfterMs?: number
  providerMessageId?: string
  durationMs: number
  notificationId?: number
  deliveryId?: number
}

const RECENT_MS = 7 * 24 * 3600_000

function hintsOf(type: ChannelType, row: Pick<ChannelRow, 'id' | 'secretsEnc'>): { hints: Record<string, string>; unreadable: boolean } {
  const names = secretFieldNames(type)
  const empty = Object.fromEntries(names.map((n) => [n, '']))
  if (!row.secretsEnc) return { hints: empty, unreadable: false }
  try {
    const masked = redact(openChannelSecrets(row.id, row.secretsEnc)) as Record<string, unknown>
    return { hints: { ...empty, ...Object.fromEntries(names.map((n) => [n, typeof masked[n] === 'string' ? (masked[n] as string) : ''])) }, unreadable: false }
  } catch {
    return { hints: empty, unreadable: true }
  }
}

function toView(row: ChannelRow, stats?: ChannelDeliveryStats): ChannelView {
  const type = row.type as ChannelType
  const { hints, unreadable } = hintsOf(type, row)
  const last = stats?.last ?? null
  return {
    id: row.id,
    type,
    name: row.name,
    enabled: row.enabled,
    events: Array.isArray(row.events) ? (row.events as string[]) : [],
    config: (row.config ?? {}) as Record<string, unknown>,
    secretHints: hints,
    hasSecret: row.secretsEnc !== null,
    secretsUnreadable: unreadable,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastDelivery: last
      ? { status: last.status, attempts: last.attempts, error: last.lastError, at: last.at.toISOString(), deliveredAt: last.deliveredAt?.toISOString() ?? null }
      : null,
    recent: {
      delivered: stats?.counts.DELIVERED ?? 0,
      failed: stats?.counts.FAILED ?? 0,
      pending: (stats?.counts.PENDING ?? 0) + (stats?.counts.SENDING ?? 0),
      skipped: stats?.counts.SKIPPED ?? 0,
    },
  }
}

async function viewsOf(userId: number, rows: ChannelRow[]): Promise<ChannelView[]> {
  const stats = await channelDeliveryStats(
    userId,
    rows.map((r) => r.id),
    new Date(Date.now() - RECENT_MS),
  )
  return rows.map((r) => toView(r, stats.get(r.id)))
}

export async function listChannels(userId: number): Promise<ChannelView[]> {
  return viewsOf(userId, await listChannelsForUser(userId))
}

export async function getChannel(userId: number, id: number): Promise<ChannelView> {
  return (await viewsOf(userId, [await getChannelForUser(userId, id)]))[0]
}

function errorTexts(locale: Locale) {
  const t = translator(locale)
  return (key: ChannelErrorKey) => t(`channels.errors.${key}` as never)
}

export async function createChannel(userId: number, raw: unknown, opts: { locale: Locale }): Promise<ChannelView> {
  const res = validateChannelInput(raw, { locale: opts.locale, t: errorTexts(opts.locale) })
  if (!res.ok) throw new ValidationError(res.fields, 'validation.failed', true)
  const v = res.value
  const row = await createChannelForUser(
    userId,
    { type: v.type, name: v.name, enabled: v.enabled, config: v.config as Record<string, unknown>, events: v.events },
    (id) => sealChannelSecrets(id, v.secrets as Record<string, unknown>),
    v.secretsChanged,
  )
  log.info({ userId, channelId: row.id, type: row.type }, 'channel created')
  return getChannel(userId, row.id)
}

const DESTINATION_FIELDS: Partial<Record<ChannelType, { fields: string[]; secret: string }>> = {
  EMAIL: { fields: ['host', 'port', 'security', 'user'], secret: 'password' },
  BARK: { fields: ['serverUrl'], secret: 'deviceKey' },
}

export async function updateChannel(userId: number, id: number, raw: unknown, opts: { locale: Locale }): Promise<ChannelView> {
  const row = await updateChannelForUser(userId, id, (current) => {
    const type = current.type as ChannelType
    let stored: Record<string, unknown> | null
    try {
      stored = openChannelSecrets(current.id, current.secretsEnc)
    } catch (e) {
      if (!(e instanceof UnreadableSecretsError)) throw e
      stored = null // the user must type every required secret again
    }
    const res = validateChannelInput(raw, {
      locale: opts.locale,
      t: errorTexts(opts.locale),
      existing: { type, secrets: stored, storedFields: [] },
    })
    if (!res.ok) throw new ValidationError(res.fields, 'validation.failed', true)
    const v = res.value
    // A stored secret stays with the destination it was entered for: sending the SMTP password or
    // the Bark device key to a new server needs the secret typed again.
    const dest = DESTINATION_FIELDS[type]
    if (dest && stored) {
      const before = current.config as Record<string, unknown>
      const after = v.config as Record<string, unknown>
      const moved = dest.fields.some((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null))
      if (moved && stored[dest.secret] && !v.secretsChanged.includes(dest.secret)) {
        throw new ValidationError({ [`secrets.${dest.secret}`]: ['channel.secretForNewDestination'] })
      }
    }
    return {
      data: { name: v.name, enabled: v.enabled, config: v.config as Record<string, unknown>, events: v.events },
      secretsEnc: v.secretsChanged.length > 0 || stored === null ? sealChannelSecrets(current.id, v.secrets as Record<string, unknown>) : undefined,
      secretsChanged: v.secretsChanged,
    }
  })
  log.info({ userId, channelId: row.id, type: row.type }, 'channel updated')
  return getChannel(userId, row.id)
}

export async function deleteChannel(userId: number, id: number): Promise<{ id: number; deliveriesDeleted: number }> {
  const { deliveries } = await deleteChannelForUser(userId, id)
  log.info({ userId, channelId: id }, 'channel deleted')
  return { id, deliveriesDeleted: deliveries }
}

/** The web process's own limiter for the test button, so repeated clicks cannot get a robot blocked. */
const testLimiter = new SlidingWindowRateLimiter()
export const TEST_TIMEOUT_MS = 15_000

export interface TestOptions {
  locale: Locale
  timeoutMs?: number
  fetchImpl?: typeof fetch
  /** Tests and self-hosted relays: send the platform request to this host instead. */
  baseUrlOverride?: string
}

/**
 * Sends "盯盘测试消息" to the channel now (enabled or not) and answers what the platform said.
 * Recorded as a TEST notification with one delivery row (DELIVERED or FAILED, never retried).
 */
export async function testChannel(userId: number, id: number, opts: TestOptions): Promise<ChannelTestResult> {
  const started = Date.now()
  const channel = await getChannelForUser(userId, id)
  const type = channel.type as ChannelType
  // Keyed by the row's identity (a re-created database reuses ids).
  const slot = `${channel.id}@${channel.createdAt.getTime()}`
  const wait = testLimiter.check(type, slot)
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000)
    return { ok: false, sent: false, retryable: true, retryAfterMs: wait, durationMs: Date.now() - started, error: translator(opts.locale)('channels.test.localLimit', { seconds }) }
  }

  const { title, body } = renderEvent('TEST', { channel: channel.name }, opts.locale)
  const leaseMs = (opts.timeoutMs ?? TEST_TIMEOUT_MS) * 4
  const { notification, delivery } = await createTestDelivery(getDb(), userId, channel.id, { title, body, params: { channel: channel.name } }, new Date(Date.now() + leaseMs))

  let secrets: Record<string, unknown> = {}
  let result: DeliveryResult
  let sent = true
  try {
    secrets = openChannelSecrets(channel.id, channel.secretsEnc)
    testLimiter.tryAcquire(type, slot)
    const message = outboundOf(
      { notification: { ...notification, userId, type: 'TEST', severity: 'INFO', title, body, params: { channel: channel.name }, stockId: null, orderId: null, user: { locale: opts.locale } } },
      undefined,
    )
    result = await sendToChannel(type, message, channel.config, secrets, {
      ...channelSendExtras(type),
      timeoutMs: opts.timeoutMs ?? TEST_TIMEOUT_MS,
      ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
      ...(opts.baseUrlOverride ? { baseUrlOverride: opts.baseUrlOverride } : {}),
    })
  } catch (e) {
    sent = false
    result = {
      ok: false,
      retryable: false,
      error:
        e instanceof UnreadableSecretsError
          ? e.message
          : e instanceof Error && e.name === 'VapidConfigError'
            ? `Web Push: ${e.message}`
            : 'cannot open the channel secrets (server key misconfigured)',
    }
  }
  if (!result.ok && result.retryAfterMs) testLimiter.blockFor(type, slot, result.retryAfterMs)

  const error = result.ok ? undefined : scrubSecrets(result.error, secrets)
  await recordOutcome(getDb(), delivery.id, delivery.attempts, result.ok ? { status: 'DELIVERED', at: new Date() } : { status: 'FAILED', error: `test: ${error}` })
  // A Web Push subscription found gone by the test: disabled and the user told, as in the outbox.
  if (!result.ok && result.gone) await disableGonePushChannel(getDb(), channel, `test: ${error}`)
  log.info({ userId, channelId: channel.id, type, ok: result.ok, status: result.ok ? result.status : result.status }, 'channel test sent')
  return {
    ok: result.ok,
    sent,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(!result.ok ? { retryable: result.retryable } : {}),
    ...(!result.ok && result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    ...(result.ok && result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
    durationMs: Date.now() - started,
    notificationId: notification.id,
    deliveryId: delivery.id,
  }
}
