/**
 * Core types of the notification channel adapters.
 *
 * lib/notify is stateless per call: an adapter takes a message, the channel's public config and its
 * (already decrypted) secrets, makes exactly one delivery attempt and answers with a DeliveryResult.
 * Retries, scheduling and persistence belong to the outbox built on top of this module; the only
 * state kept here is the in-memory rate limiter (rate-limit.ts), which the outbox can consult.
 *
 * The per-channel zod schemas (public config + secrets) live in config.ts.
 */

export const CHANNEL_TYPES = ['DINGTALK', 'FEISHU', 'WECOM', 'SERVERCHAN', 'BARK', 'EMAIL', 'WEBHOOK', 'WEBPUSH'] as const
export type ChannelType = (typeof CHANNEL_TYPES)[number]

export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const
export type Severity = (typeof SEVERITIES)[number]

export type Locale = 'zh' | 'en'

/** One notification, rendered per platform by format.ts. */
export interface OutboundMessage {
  /** Optional stable id (e.g. the notification row id); sent to generic webhooks so receivers can dedupe. */
  id?: string
  title: string
  /** Markdown-ish plain text: line breaks, **bold**, [links](url). Rendered as-is where markdown is supported. */
  body: string
  severity: Severity
  /** Event type, e.g. 'STOP_LOSS', 'ORDER_REJECTED'. */
  type: string
  createdAt: Date
  /** Link back to the app (order, monitor...). */
  url?: string
  locale: Locale
  /** Structured payload; only the generic webhook sends it. Must be JSON-serialisable. */
  data?: Record<string, unknown>
}

export interface DeliverySuccess {
  ok: true
  /** Platform's id for the message when it gives one (ServerChan pushid, SMTP Message-Id...). */
  providerMessageId?: string
  /** HTTP status, or the SMTP reply code for email. */
  status: number
}

export interface DeliveryFailure {
  ok: false
  /** true: try again later (network, timeout, 429, 5xx, platform throttling). false: fix the config first. */
  retryable: boolean
  /** Human-readable reason. Never contains a secret (tokens, keys, passwords, signing secrets). */
  error: string
  /** HTTP status (or SMTP reply code) when an answer was received. */
  status?: number
  /** Minimum wait before the next attempt, from Retry-After or the platform's documented throttle. */
  retryAfterMs?: number
  /**
   * The destination no longer exists (Web Push: the push service answered 404/410, the browser
   * unsubscribed or the subscription expired). Never retryable: the outbox disables the channel
   * and tells the user in the app.
   */
  gone?: true
}

export type DeliveryResult = DeliverySuccess | DeliveryFailure

export interface SendOptions {
  /** Whole-attempt deadline: connect, send and read the answer. */
  timeoutMs: number
  /** Defaults to the global fetch (undici). */
  fetchImpl?: typeof fetch
  /**
   * Replaces the scheme, host and port of the platform URL (path and query are kept; a path in the
   * override is prefixed). For tests against local receivers and for self-hosted relays/proxies.
   * Ignored by EMAIL (point config.host/port at the server instead).
   */
  baseUrlOverride?: string
  /** Caller cancellation (e.g. worker shutdown). An aborted attempt is reported as retryable. */
  signal?: AbortSignal
  /** Clock for signature timestamps (ms since epoch); defaults to Date.now. */
  now?: () => number
  /**
   * The server's VAPID identity (RFC 8292), needed by WEBPUSH only: the key pair (base64url, as
   * web-push generates it) and the contact subject (mailto: or https:). The private key never
   * appears in a result.
   */
  vapid?: VapidDetails
}

export interface VapidDetails {
  subject: string
  publicKey: string
  privateKey: string
}

export interface ChannelAdapter<C, S> {
  readonly type: ChannelType
  send(message: OutboundMessage, config: C, secrets: S, opts: SendOptions): Promise<DeliveryResult>
}
