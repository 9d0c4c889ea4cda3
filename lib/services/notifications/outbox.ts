/**
 * The delivery outbox: sends the PENDING NotificationDelivery rows that notify() created, in the
 * worker process. One `runOnce()`:
 *
 *  1. reads up to `batchSize` due rows — PENDING with nextAttemptAt ≤ now, or SENDING whose lease
 *     (lockedUntil) has expired because the process that claimed it died mid-send — CRITICAL first;
 *  2. for each row, ONE conditional UPDATE (lib/db/deliveries.ts; a single statement is its own
 *     short transaction, and its WHERE repeats the status/attempts/lease just read, so a row is won
 *     by exactly one process even with two workers on PostgreSQL):
 *       channel disabled                        → SKIPPED "channel disabled" (nothing sent);
 *       lease expired on the last allowed attempt → FAILED "outcome unknown" (bounded retries);
 *       the per-channel rate limit is full      → PENDING, nextAttemptAt = now + wait, attempts
 *                                                 unchanged (queued, no attempt consumed);
 *       otherwise                               → SENDING, lockedUntil = now + leaseMs, attempts + 1;
 *  3. sends each claimed row OUTSIDE any transaction (bounded concurrency, `timeoutMs` per attempt),
 *     then records, again conditionally on still owning the row (SENDING with our attempts):
 *       the platform confirmed                  → DELIVERED, deliveredAt;
 *       retryable failure, attempts left        → PENDING, nextAttemptAt = now + backoff, lastError;
 *       not retryable, or attempts exhausted    → FAILED, lastError;
 *       secrets cannot be decrypted             → FAILED with a secret-free explanation.
 *     Nothing but a confirmed success is ever recorded as DELIVERED.
 *
 * Delivery semantics: AT-LEAST-ONCE. A message can reach the platform more than once when
 *  (a) the process dies (or loses the database) after the platform accepted the message but
 *      before DELIVERED was committed: the lease expires and the row is sent again;
 *  (b) an attempt times out (or the connection drops) after the platform received it — the
 *      outcome is unknown, so it is reported as retryable and sent again;
 *  (c) a send outlives its lease (leaseMs must comfortably exceed timeoutMs; it is enforced
 *      to be larger) and another process re-claims the row.
 * Bound: every send is preceded by a claim that increments `attempts`, and nothing is claimed once
 * attempts reached maxAttempts, so one delivery reaches a platform at most `maxAttempts` times in
 * total (default 8), and in the common case — one crash or one timeout — exactly twice. A stop()
 * waits for in-flight sends, so an orderly shutdown causes no duplicates. Generic-webhook receivers
 * get the notification id in the payload (`id`) to de-duplicate.
 *
 * Rate limits are per process (SlidingWindowRateLimiter, in memory): with two worker processes a
 * robot could get up to twice its per-minute limit; the platform then answers "too fast", which is
 * retryable and blocks that robot in this process's limiter for the platform's stated time.
 */
import { asLocale } from '@/lib/i18n/config'
import type { Db } from '@/lib/db/client'
import { getDb } from '@/lib/db/client'
import {
  claimDelivery,
  closeUnsent,
  deferDelivery,
  findDueDeliveries,
  recordOutcome,
  type DueDelivery,
  type RowGuard,
  type SendOutcome,
} from '@/lib/db/deliveries'
import {
  DEFAULT_MAX_ATTEMPTS,
  nextDelayMs,
  scrubSecrets,
  sendToChannel,
  shouldRetry,
  SlidingWindowRateLimiter,
  type BackoffOptions,
  type ChannelType,
  type DeliveryResult,
  type OutboundMessage,
} from '@/lib/notify'
import { disableGoneChannel } from '@/lib/db/channels'
import type { VapidDetails } from '@/lib/notify/types'
import { encryptionKey } from '@/lib/secrets'
import { vapidDetails } from '@/lib/vapid'
import { createLogger } from '@/lib/log'
import { openChannelSecrets, UnreadableSecretsError } from './channel-secrets'
import { notify } from './notify'

export interface OutboxLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface OutboxOptions {
  /** Defaults to getDb(). Must be the database of DATABASE_URL's provider. */
  db?: Db
  /** Clock in ms (tests inject one); used for due times, leases, the rate limiter and signatures. */
  now?: () => number
  /** Defaults to a limiter on `now` with lib/notify's per-platform limits (DingTalk 20/min…). */
  limiter?: SlidingWindowRateLimiter
  logger?: OutboxLogger
  /** Total sends per delivery, the first one included. Default DEFAULT_MAX_ATTEMPTS (8). */
  maxAttempts?: number
  /** Whole-attempt deadline per send. Default 10 s. */
  timeoutMs?: number
  /** How long a claimed row belongs to this process. Default 60 s; must exceed timeoutMs. */
  leaseMs?: number
  /** Rows read per run. Default 50. */
  batchSize?: number
  /** Parallel sends within a run. Default 4. */
  concurrency?: number
  /** Pause between runs of the start() loop. Default 1 s. */
  intervalMs?: number
  /** Retry delays (base, factor, cap, jitter, random); the platform's Retry-After is always honoured. */
  backoff?: Omit<BackoffOptions, 'retryAfterMs'>
  fetchImpl?: typeof fetch
  /** Sends a channel's requests to another host (tests, self-hosted relays). */
  baseUrlOverride?: (channel: { id: number; type: ChannelType }) => string | undefined
  /** Key material for the channel secrets. Default: encryptionKey() (DINGPAN_ENCRYPTION_KEY). */
  encryptionKey?: () => string
  /** Link added to every message ("<appUrl>/notifications"). Default NEXTAUTH_URL when it is an http(s) URL. */
  appUrl?: string
  /** The VAPID identity that signs Web Push requests. Default: lib/vapid (environment or ./data/.vapid-keys.json). */
  vapid?: () => VapidDetails
}

export interface RunSummary {
  /** Rows claimed and sent in this run. */
  claimed: number
  delivered: number
  /** Failed attempts that will be retried. */
  retried: number
  failed: number
  skipped: number
  /** Queued by the rate limiter (no attempt consumed). */
  deferred: number
  /** Outcomes that could not be recorded because the row was no longer ours (lease lost / deleted). */
  lost: number
}

export interface Outbox {
  runOnce(): Promise<RunSummary>
  /** Runs runOnce in a loop (next run `intervalMs` after the previous one ends; at once when the batch was full). */
  start(): void
  /** Stops the loop and waits for the run in progress, including its in-flight sends. */
  stop(): Promise<void>
  readonly running: boolean
}

const RANK = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const

export const OUTBOX_DEFAULTS = {
  timeoutMs: 10_000,
  leaseMs: 60_000,
  batchSize: 50,
  concurrency: 4,
  intervalMs: 1_000,
} as const

function httpUrl(v: string | undefined): string | undefined {
  if (!v) return undefined
  try {
    const u = new URL(v)
    return u.protocol === 'http:' || u.protocol === 'https:' ? v.replace(/\/+$/, '') : undefined
  } catch {
    return undefined
  }
}

/** The OutboundMessage for one delivery row (texts were rendered in the user's language by notify()). */
export function outboundOf(row: Pick<DueDelivery, 'notification'>, appUrl?: string): OutboundMessage {
  const n = row.notification
  return {
    id: String(n.id),
    title: n.title,
    body: n.body,
    severity: n.severity,
    type: n.type,
    createdAt: n.createdAt,
    ...(appUrl ? { url: `${appUrl}/notifications` } : {}),
    locale: asLocale(n.user.locale),
    data: {
      notificationId: n.id,
      params: (n.params ?? {}) as Record<string, unknown>,
      stockId: n.stockId,
      orderId: n.orderId,
    },
  }
}

/**
 * Options a channel type needs beyond the common ones: Web Push gets the server's VAPID identity.
 * Throws (a configuration error, secret-free) when it cannot be read.
 */
export function channelSendExtras(type: ChannelType, vapid: () => VapidDetails = vapidDetails): { vapid?: VapidDetails } {
  return type === 'WEBPUSH' ? { vapid: vapid() } : {}
}

/**
 * A Web Push subscription the push service no longer knows (404/410): the channel is disabled and
 * the user gets an in-app notification (PUSH_SUBSCRIPTION_GONE, also fanned out to their other
 * channels that want warnings), in one transaction. Nothing when the channel was already disabled
 * or its subscription has been replaced since. True when this call disabled it.
 */
export async function disableGonePushChannel(
  db: Db,
  channel: { id: number; secretsEnc: string | null },
  reason: string,
): Promise<boolean> {
  return disableGoneChannel(db, channel.id, channel.secretsEnc, reason, (tx, ch) =>
    notify(tx, { userId: ch.userId, type: 'PUSH_SUBSCRIPTION_GONE', params: { channel: ch.name } }),
  )
}

function limiterKey(row: Pick<DueDelivery, 'channel'>): [ChannelType, string] {
  return [row.channel.type, String(row.channel.id)]
}

export function createOutbox(opts: OutboxOptions = {}): Outbox {
  const now = opts.now ?? Date.now
  const db = () => opts.db ?? getDb()
  const limiter = opts.limiter ?? new SlidingWindowRateLimiter({ now })
  const log: OutboxLogger = opts.logger ?? createLogger('outbox')
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  const timeoutMs = opts.timeoutMs ?? OUTBOX_DEFAULTS.timeoutMs
  const leaseMs = opts.leaseMs ?? Math.max(OUTBOX_DEFAULTS.leaseMs, timeoutMs * 3)
  const batchSize = opts.batchSize ?? OUTBOX_DEFAULTS.batchSize
  const concurrency = Math.max(1, opts.concurrency ?? OUTBOX_DEFAULTS.concurrency)
  const intervalMs = opts.intervalMs ?? OUTBOX_DEFAULTS.intervalMs
  const keyMaterial = opts.encryptionKey ?? encryptionKey
  const appUrl = httpUrl(opts.appUrl ?? process.env.NEXTAUTH_URL)
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError('maxAttempts must be an integer ≥ 1')
  if (!(leaseMs > timeoutMs)) throw new RangeError('leaseMs must be longer than timeoutMs (a send must never outlive its lease)')

  async function claimPhase(summary: RunSummary): Promise<DueDelivery[]> {
    const nowMs = now()
    const nowD = new Date(nowMs)
    const rows = await findDueDeliveries(db(), nowD, batchSize)
    // CRITICAL first (a stop-loss is not queued behind fills by the rate limiter), then FIFO.
    rows.sort(
      (a, b) =>
        RANK[a.notification.severity] - RANK[b.notification.severity] ||
        a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() ||
        a.id - b.id,
    )
    const claimed: DueDelivery[] = []
    for (const row of rows) {
      const g: RowGuard = { id: row.id, status: row.status as RowGuard['status'], attempts: row.attempts }
      const ctx = { deliveryId: row.id, channelId: row.channel.id, channelType: row.channel.type, notificationId: row.notification.id }
      if (!row.channel.enabled) {
        if (await closeUnsent(db(), g, nowD, 'SKIPPED', 'channel disabled: not sent')) {
          summary.skipped++
          log.info(ctx, 'delivery skipped: channel disabled')
        }
        continue
      }
      if (row.status === 'SENDING' && row.attempts >= maxAttempts) {
        const reason = `the worker stopped during attempt ${row.attempts} of ${maxAttempts}; the outcome is unknown (the message may or may not have arrived) and no attempts are left`
        if (await closeUnsent(db(), g, nowD, 'FAILED', reason)) {
          summary.failed++
          log.warn({ ...ctx, attempts: row.attempts }, 'delivery failed: lease expired on the last attempt')
        }
        continue
      }
      const wait = limiter.check(...limiterKey(row))
      if (wait > 0) {
        if (await deferDelivery(db(), g, nowD, new Date(nowMs + wait))) {
          summary.deferred++
          log.debug({ ...ctx, waitMs: wait }, 'delivery queued by the rate limit')
        }
        continue
      }
      if (row.status === 'SENDING') log.warn({ ...ctx, attempts: row.attempts }, 'lease expired (process died mid-send?): retrying')
      if (!(await claimDelivery(db(), g, nowD, new Date(nowMs + leaseMs)))) continue
      limiter.tryAcquire(...limiterKey(row))
      claimed.push({ ...row, status: 'SENDING', attempts: row.attempts + 1 })
    }
    return claimed
  }

  /** Records with a few quick retries: a lost write means a duplicate send after the lease expires. */
  async function record(id: number, attempts: number, o: SendOutcome): Promise<boolean> {
    for (let i = 0; ; i++) {
      try {
        return await recordOutcome(db(), id, attempts, o)
      } catch (e) {
        if (i >= 2) throw e
        await new Promise((r) => setTimeout(r, 200 * (i + 1)))
      }
    }
  }

  async function deliver(row: DueDelivery, summary: RunSummary): Promise<void> {
    const [type, instance] = limiterKey(row)
    const ctx = { deliveryId: row.id, channelId: row.channel.id, channelType: type, notificationId: row.notification.id, attempt: row.attempts }
    let secrets: Record<string, unknown> = {}
    let result: DeliveryResult
    try {
      secrets = openChannelSecrets(row.channel.id, row.channel.secretsEnc, keyMaterial)
      const started = now()
      result = await sendToChannel(type, outboundOf(row, appUrl), row.channel.config, secrets, {
        timeoutMs,
        now,
        ...channelSendExtras(type, opts.vapid),
        ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
        ...(opts.baseUrlOverride ? { baseUrlOverride: opts.baseUrlOverride({ id: row.channel.id, type }) } : {}),
      })
      log.debug({ ...ctx, ok: result.ok, ms: now() - started }, 'attempt finished')
    } catch (e) {
      // openChannelSecrets or the VAPID keys (sendToChannel never throws). Their messages carry no secret.
      const error =
        e instanceof UnreadableSecretsError
          ? e.message
          : e instanceof Error && e.name === 'VapidConfigError'
            ? `Web Push: ${e.message}`
            : `cannot open the channel secrets: ${e instanceof Error ? e.message : String(e)}`
      result = { ok: false, retryable: false, error }
    }

    let outcome: SendOutcome
    if (result.ok) {
      outcome = { status: 'DELIVERED', at: new Date(now()) }
    } else {
      const error = scrubSecrets(result.error, secrets)
      if (result.retryAfterMs) limiter.blockFor(type, instance, result.retryAfterMs)
      if (shouldRetry(result, row.attempts, maxAttempts)) {
        const delay = nextDelayMs(row.attempts, { ...opts.backoff, retryAfterMs: result.retryAfterMs })
        outcome = { status: 'PENDING', nextAttemptAt: new Date(now() + delay), error: `attempt ${row.attempts}/${maxAttempts}: ${error}` }
      } else if (result.retryable) {
        outcome = { status: 'FAILED', error: `gave up after ${row.attempts} attempts: ${error}` }
      } else {
        outcome = { status: 'FAILED', error }
      }
    }

    let mine: boolean
    try {
      mine = await record(row.id, row.attempts, outcome)
    } catch (e) {
      log.error({ ...ctx, outcome: outcome.status, err: e instanceof Error ? e.message : String(e) }, 'could not record the outcome; the row is retried when its lease expires')
      summary.lost++
      return
    }
    if (!mine) {
      summary.lost++
      log.warn({ ...ctx, outcome: outcome.status }, 'the delivery row changed while sending (lease expired and re-claimed, or channel deleted); outcome not recorded')
      return
    }
    if (outcome.status === 'DELIVERED') {
      summary.delivered++
      log.info(ctx, 'delivered')
    } else if (outcome.status === 'PENDING') {
      summary.retried++
      log.warn({ ...ctx, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt.toISOString() }, 'attempt failed; will retry')
    } else {
      summary.failed++
      log.error({ ...ctx, error: outcome.error }, 'delivery failed')
      if (!result.ok && result.gone) await channelGone(row, outcome.error, ctx)
    }
  }

  async function channelGone(row: DueDelivery, reason: string, ctx: object): Promise<void> {
    try {
      if (await disableGonePushChannel(db(), row.channel, reason)) log.warn(ctx, 'push subscription gone: channel disabled, user notified')
    } catch (e) {
      // Not fatal: the next delivery to this channel gets the same answer and tries again.
      log.error({ ...ctx, err: e instanceof Error ? e.message : String(e) }, 'could not disable the channel of a gone push subscription')
    }
  }

  async function doRun(): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, delivered: 0, retried: 0, failed: 0, skipped: 0, deferred: 0, lost: 0 }
    const claimed = await claimPhase(summary)
    summary.claimed = claimed.length
    let next = 0
    const lane = async () => {
      while (next < claimed.length) {
        const row = claimed[next++]
        await deliver(row, summary)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, lane))
    return summary
  }

  let chain: Promise<unknown> = Promise.resolve()
  function runOnce(): Promise<RunSummary> {
    // Runs never overlap within one outbox (the limiter's bookkeeping assumes it).
    const p = chain.then(doRun)
    chain = p.catch(() => undefined)
    return p
  }

  let running = false
  let timer: NodeJS.Timeout | undefined
  let current: Promise<unknown> = Promise.resolve()

  function schedule(delay: number) {
    if (!running) return
    timer = setTimeout(() => {
      timer = undefined
      const p = runOnce().then(
        (s) => schedule(s.claimed + s.deferred + s.skipped >= batchSize ? 0 : intervalMs),
        (e: unknown) => {
          log.error({ err: e instanceof Error ? e.message : String(e) }, 'outbox run failed; retrying')
          schedule(Math.max(intervalMs, 5_000))
        },
      )
      current = p
    }, delay)
  }

  return {
    runOnce,
    start() {
      if (running) return
      running = true
      schedule(0)
    },
    async stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = undefined
      await current
      await chain
    },
    get running() {
      return running
    },
  }
}
