/**
 * Per-channel settings as zod schemas, split into PUBLIC config (safe to show and log) and SECRETS
 * (stored encrypted with secrets.ts, shown only redacted). The settings form uses these schemas;
 * `channelSchemas('en')` gives the same schemas with English messages.
 *
 * What is a secret: anything that lets a stranger post as us or read our pushes — DingTalk
 * access_token and 加签 secret, the Feishu webhook URL (its last path segment is the bearer token)
 * and signing secret, the WeCom key, the ServerChan SendKey, the Bark device key, the SMTP password,
 * the generic webhook's HMAC secret.
 */
import { z } from 'zod'
import { VALIDATION_MESSAGES, type ValidationMessageKey } from './messages'
import type { ChannelType, Locale } from './types'
import { CHANNEL_TYPES, SEVERITIES } from './types'

export const BARK_LEVELS = ['active', 'timeSensitive', 'passive', 'critical'] as const
export type BarkLevel = (typeof BARK_LEVELS)[number]

export const SMTP_SECURITY = ['SSL_TLS', 'STARTTLS', 'NONE'] as const
export type SmtpSecurity = (typeof SMTP_SECURITY)[number]

export const DEFAULT_BARK_SERVER = 'https://api.day.app'
export const DEFAULT_WEBHOOK_SIGNATURE_HEADER = 'X-DingPan-Signature'

/** `?name=` of a URL when the value is a URL, else the value itself (users paste either). */
function queryParamOrSelf(name: string) {
  return (value: string): string => {
    if (!/^https?:\/\//i.test(value)) return value
    try {
      return new URL(value).searchParams.get(name) ?? ''
    } catch {
      return ''
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0
  } catch {
    return false
  }
}

const FEISHU_HOOK_PATH = /^\/open-apis\/bot\/v2\/hook\/[A-Za-z0-9_-]+\/?$/

function isFeishuWebhook(value: string): boolean {
  try {
    const u = new URL(value)
    return u.protocol === 'https:' && FEISHU_HOOK_PATH.test(u.pathname)
  } catch {
    return false
  }
}

/**
 * A Web Push endpoint: https (RFC 8030 requires TLS; every browser's push service uses it). Plain
 * http only on this machine's loopback address (a local push service in tests and development),
 * never to another host. No credentials in the URL.
 */
export function isPushEndpoint(value: string): boolean {
  try {
    const u = new URL(value)
    if (u.username || u.password || u.hostname.length === 0) return false
    if (u.protocol === 'https:') return true
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost')
  } catch {
    return false
  }
}

/** Base64url (the browser's PushSubscription.toJSON()); standard base64 and padding are normalised away. */
function base64url(value: string): string {
  return value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
/** The subscription's P-256 public key: 65 bytes, uncompressed point (0x04…), so 87 base64url characters starting with B. */
const P256DH = /^B[A-Za-z0-9_-]{85}[AEIMQUYcgkosw048]$/
/** The subscription's 16-byte authentication secret: 22 base64url characters. */
const PUSH_AUTH = /^[A-Za-z0-9_-]{21}[AQgw]$/

const emailCheck = z.email()
function isEmail(value: string): boolean {
  return emailCheck.safeParse(value).success
}

/** `a@b.c` or `Name <a@b.c>`. */
export function mailboxAddress(value: string): string | null {
  const trimmed = value.trim()
  const m = /^[^<>]*<\s*([^<>\s]+)\s*>$/.exec(trimmed)
  const addr = m ? m[1] : trimmed
  return isEmail(addr) ? addr : null
}

function build(locale: Locale) {
  const t = (key: ValidationMessageKey) => VALIDATION_MESSAGES[locale][key]
  const str = () => z.string({ error: t('required') }).trim()
  const required = (max = 2048) => str().min(1, { error: t('required') }).max(max, { error: t('tooLong') })
  const httpUrl = () => required().refine(isHttpUrl, { error: t('url') })
  const keyword = () =>
    str()
      .max(50, { error: t('keyword') })
      .refine((v) => !/[\r\n]/.test(v), { error: t('keyword') })
      .optional()
  const noWhitespaceSecret = (key: ValidationMessageKey) =>
    required(512).refine((v) => !/\s/.test(v), { error: t(key) })

  const dingtalk = {
    config: z.object({
      /** DingTalk "自定义关键词" security: every message text must contain it. */
      keyword: keyword(),
    }),
    secrets: z.object({
      /** The webhook URL or just its access_token; normalised to the token. */
      accessToken: required()
        .transform(queryParamOrSelf('access_token'))
        .pipe(z.string().regex(/^[A-Za-z0-9_-]{8,256}$/, { error: t('dingtalkToken') })),
      /** "加签" secret (SEC…); when set, every request carries timestamp + sign. */
      signSecret: str()
        .regex(/^SEC[A-Za-z0-9]+$/, { error: t('dingtalkSecret') })
        .optional(),
    }),
  }

  const feishu = {
    config: z.object({
      /** Feishu "自定义关键词" security: the card text must contain it. */
      keyword: keyword(),
    }),
    secrets: z.object({
      webhookUrl: required().refine(isFeishuWebhook, { error: t('feishuWebhook') }),
      /** "签名校验" secret. */
      signSecret: noWhitespaceSecret('signSecret').optional(),
    }),
  }

  const wecom = {
    config: z.object({}),
    secrets: z.object({
      /** The webhook URL or just its key; normalised to the key. */
      key: required()
        .transform(queryParamOrSelf('key'))
        .pipe(z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, { error: t('wecomKey') })),
    }),
  }

  const serverchan = {
    config: z.object({}),
    secrets: z.object({
      sendKey: required(256).regex(/^(?:SCT[A-Za-z0-9]+|sctp\d+t[A-Za-z0-9]+)$/, { error: t('serverchanKey') }),
    }),
  }

  const barkLevel = z.enum(BARK_LEVELS, { error: t('barkLevel') })
  const bark = {
    config: z.object({
      /** Official server or a self-hosted bark-server. */
      serverUrl: httpUrl().default(DEFAULT_BARK_SERVER),
      /** Notification group; defaults to "DingPan". */
      group: str().max(64, { error: t('tooLong') }).optional(),
      /** Sound name from the Bark app (e.g. "alarm"); default: the app's. */
      sound: str().max(64, { error: t('tooLong') }).optional(),
      /**
       * Interruption level per severity. Defaults: INFO → active, WARNING → timeSensitive,
       * CRITICAL → timeSensitive. Set CRITICAL → critical to ring even in silent mode / Focus
       * (iOS "critical alert"; the Bark app must be allowed to send them).
       */
      levels: z
        .object({ INFO: barkLevel.optional(), WARNING: barkLevel.optional(), CRITICAL: barkLevel.optional() })
        .optional(),
      /** Volume of critical alerts, 0–10 (Bark default 5). */
      criticalVolume: z.number({ error: t('barkVolume') }).int({ error: t('barkVolume') }).min(0, { error: t('barkVolume') }).max(10, { error: t('barkVolume') }).optional(),
    }),
    secrets: z.object({
      deviceKey: required(128).regex(/^[A-Za-z0-9_-]+$/, { error: t('barkDeviceKey') }),
    }),
  }

  const email = {
    config: z.object({
      host: required(255).refine((v) => !/[\s/]/.test(v), { error: t('smtpHost') }),
      port: z.coerce.number({ error: t('port') }).int({ error: t('port') }).min(1, { error: t('port') }).max(65535, { error: t('port') }),
      /** SSL_TLS: TLS from the first byte (usually 465). STARTTLS: plain then upgrade, refused if the server cannot (587/25). NONE: no TLS (LAN relays only). */
      security: z.enum(SMTP_SECURITY, { error: t('smtpSecurity') }).default('STARTTLS'),
      /** Login name; omit for relays without AUTH. */
      user: str().max(320, { error: t('tooLong') }).optional(),
      from: required(320).refine((v) => mailboxAddress(v) !== null, { error: t('mailbox') }),
      to: z
        .array(required(320).refine(isEmail, { error: t('email') }), { error: t('recipients') })
        .min(1, { error: t('recipients') })
        .max(20, { error: t('recipients') }),
      /** Verify the server certificate (keep true unless the relay uses a private CA you trust). */
      tlsRejectUnauthorized: z.boolean().default(true),
    }),
    secrets: z.object({
      password: z.string().max(1024, { error: t('tooLong') }).optional(),
    }),
  }

  const webhook = {
    config: z.object({
      url: httpUrl(),
      signatureHeader: str()
        .regex(/^[A-Za-z0-9-]{1,64}$/, { error: t('headerName') })
        .default(DEFAULT_WEBHOOK_SIGNATURE_HEADER),
    }),
    secrets: z.object({
      hmacSecret: z.string({ error: t('required') }).min(16, { error: t('webhookSecret') }).max(1024, { error: t('tooLong') }),
    }),
  }

  /**
   * Web Push: the browser's PushSubscription ({endpoint, keys: {p256dh, auth}}), flattened. All of
   * it is secret: the endpoint is the capability to reach the device, the keys decrypt the pushes.
   * Created by the "receive push on this browser" button, not typed in by hand.
   */
  const webpush = {
    config: z.object({}),
    secrets: z.object({
      endpoint: required().refine(isPushEndpoint, { error: t('pushEndpoint') }),
      p256dh: required(200).transform(base64url).pipe(z.string().regex(P256DH, { error: t('pushKey') })),
      auth: required(100).transform(base64url).pipe(z.string().regex(PUSH_AUTH, { error: t('pushKey') })),
    }),
  }

  return {
    DINGTALK: dingtalk,
    FEISHU: feishu,
    WECOM: wecom,
    SERVERCHAN: serverchan,
    BARK: bark,
    EMAIL: email,
    WEBHOOK: webhook,
    WEBPUSH: webpush,
  } satisfies Record<ChannelType, { config: z.ZodType; secrets: z.ZodType }>
}

export type ChannelSchemas = ReturnType<typeof build>

const BUILT: Record<Locale, ChannelSchemas> = { zh: build('zh'), en: build('en') }

/** All channel schemas with messages in `locale` (default Chinese). */
export function channelSchemas(locale: Locale = 'zh'): ChannelSchemas {
  return BUILT[locale]
}

export const dingtalkConfigSchema = BUILT.zh.DINGTALK.config
export const dingtalkSecretsSchema = BUILT.zh.DINGTALK.secrets
export const feishuConfigSchema = BUILT.zh.FEISHU.config
export const feishuSecretsSchema = BUILT.zh.FEISHU.secrets
export const wecomConfigSchema = BUILT.zh.WECOM.config
export const wecomSecretsSchema = BUILT.zh.WECOM.secrets
export const serverchanConfigSchema = BUILT.zh.SERVERCHAN.config
export const serverchanSecretsSchema = BUILT.zh.SERVERCHAN.secrets
export const barkConfigSchema = BUILT.zh.BARK.config
export const barkSecretsSchema = BUILT.zh.BARK.secrets
export const emailConfigSchema = BUILT.zh.EMAIL.config
export const emailSecretsSchema = BUILT.zh.EMAIL.secrets
export const webhookConfigSchema = BUILT.zh.WEBHOOK.config
export const webhookSecretsSchema = BUILT.zh.WEBHOOK.secrets
export const webpushConfigSchema = BUILT.zh.WEBPUSH.config
export const webpushSecretsSchema = BUILT.zh.WEBPUSH.secrets

export type DingTalkConfig = z.output<typeof dingtalkConfigSchema>
export type DingTalkSecrets = z.output<typeof dingtalkSecretsSchema>
export type FeishuConfig = z.output<typeof feishuConfigSchema>
export type FeishuSecrets = z.output<typeof feishuSecretsSchema>
export type WeComConfig = z.output<typeof wecomConfigSchema>
export type WeComSecrets = z.output<typeof wecomSecretsSchema>
export type ServerChanConfig = z.output<typeof serverchanConfigSchema>
export type ServerChanSecrets = z.output<typeof serverchanSecretsSchema>
export type BarkConfig = z.output<typeof barkConfigSchema>
export type BarkSecrets = z.output<typeof barkSecretsSchema>
export type EmailConfig = z.output<typeof emailConfigSchema>
export type EmailSecrets = z.output<typeof emailSecretsSchema>
export type WebhookConfig = z.output<typeof webhookConfigSchema>
export type WebhookSecrets = z.output<typeof webhookSecretsSchema>
export type WebPushConfig = z.output<typeof webpushConfigSchema>
export type WebPushSecrets = z.output<typeof webpushSecretsSchema>

export interface ChannelConfigMap {
  DINGTALK: { config: DingTalkConfig; secrets: DingTalkSecrets }
  FEISHU: { config: FeishuConfig; secrets: FeishuSecrets }
  WECOM: { config: WeComConfig; secrets: WeComSecrets }
  SERVERCHAN: { config: ServerChanConfig; secrets: ServerChanSecrets }
  BARK: { config: BarkConfig; secrets: BarkSecrets }
  EMAIL: { config: EmailConfig; secrets: EmailSecrets }
  WEBHOOK: { config: WebhookConfig; secrets: WebhookSecrets }
  WEBPUSH: { config: WebPushConfig; secrets: WebPushSecrets }
}

/** Validates an OutboundMessage coming from storage (e.g. the outbox's JSON column, after reviving createdAt). */
export const outboundMessageSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  title: z.string().min(1).max(1000),
  body: z.string().max(100_000),
  severity: z.enum(SEVERITIES),
  type: z.string().min(1).max(100),
  createdAt: z.date(),
  url: z.string().refine(isHttpUrl).optional(),
  locale: z.enum(['zh', 'en']),
  data: z.record(z.string(), z.unknown()).optional(),
})

export const channelTypeSchema = z.enum(CHANNEL_TYPES)
