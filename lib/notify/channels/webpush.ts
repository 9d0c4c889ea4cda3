/**
 * Web Push (RFC 8030 delivery, RFC 8291 message encryption, RFC 8292 VAPID) to a browser's
 * PushSubscription.
 *
 *   POST <subscription endpoint>
 *   TTL: <seconds the push service may keep it for an offline device>
 *   Urgency: high | normal
 *   Content-Encoding: aes128gcm
 *   Content-Type: application/octet-stream
 *   Authorization: vapid t=<ES256 JWT {aud: endpoint origin, exp, sub}>, k=<VAPID public key>
 *   body: one aes128gcm record of {"v":1,"id","type","severity","title","body","url","tag","createdAt"}
 *
 * The crypto is the `web-push` package's (generateRequestDetails: VAPID JWT + payload encryption
 * with the subscription's p256dh and auth); the request goes through our http.ts like every other
 * channel (whole-attempt deadline, no redirects, capped answer, caller abort, test override).
 *
 * Answers: 2xx (201 Created) delivered. 404/410: the subscription no longer exists (the browser
 * unsubscribed, the user cleared site data, it expired) → not retryable and `gone`: the outbox
 * disables the channel and tells the user in the app. 429, 5xx, 408, network errors → retried.
 * 403 / 401: the push service refuses our VAPID identity (the server's keys changed since the
 * browser subscribed) → not retryable: subscribe again. 413: payload too large (cannot happen with
 * our bounded payload) → not retryable.
 */
import webpush from 'web-push'
import type { WebPushConfig, WebPushSecrets } from '../config'
import { LIMITS, cleanText, oneLine, truncateUtf8, utf8Bytes } from '../format'
import { failureFromStatus, postOnce, shortDetail } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, OutboundMessage, SendOptions } from '../types'

/** How long a push service keeps a message for a device that is offline. */
export const WEBPUSH_TTL_SECONDS = { high: 24 * 3600, normal: 12 * 3600 } as const

/** Stops (stop-loss, trailing stop) and every CRITICAL event (order failed / rejected / unknown, bridge down…) wake the device. */
const HIGH_TYPES = new Set(['TRIGGER_STOP_LOSS', 'TRIGGER_TRAILING_STOP', 'ORDER_FAILED', 'ORDER_REJECTED', 'ORDER_UNKNOWN', 'EXITS_HALTED'])

export function webPushUrgency(message: Pick<OutboundMessage, 'severity' | 'type'>): 'high' | 'normal' {
  return message.severity === 'CRITICAL' || HIGH_TYPES.has(message.type) ? 'high' : 'normal'
}

/** The JSON the service worker receives (public/sw.js shows it); `tag` matches the open tab's alerts, so one event shows once. */
export function webPushPayload(message: OutboundMessage): Record<string, unknown> {
  const notificationId = message.data?.notificationId
  const tag = `dingpan-${typeof notificationId === 'number' ? notificationId : (message.id ?? message.type)}`
  const out = {
    v: 1,
    ...(message.id !== undefined ? { id: message.id } : {}),
    type: message.type,
    severity: message.severity,
    title: truncateUtf8(oneLine(message.title), LIMITS.WEBPUSH_TITLE_BYTES),
    body: truncateUtf8(cleanText(message.body), LIMITS.WEBPUSH_BODY_BYTES),
    url: message.url ?? '/notifications',
    tag,
    createdAt: message.createdAt.toISOString(),
  }
  // A url from the configuration could be long: drop it rather than exceed the push size.
  if (utf8Bytes(JSON.stringify(out)) > LIMITS.WEBPUSH_PAYLOAD_BYTES) out.url = '/notifications'
  return out
}

export const webpushAdapter: ChannelAdapter<WebPushConfig, WebPushSecrets> = {
  type: 'WEBPUSH',
  send(message: OutboundMessage, _config: WebPushConfig, secrets: WebPushSecrets, opts: SendOptions) {
    // The VAPID private key is scrubbed from every result like the channel's own secrets.
    const sensitive = { ...secrets, vapidPrivateKey: opts.vapid?.privateKey ?? '' }
    return guarded('Web Push', sensitive, async () => {
      if (!opts.vapid) return failure(false, 'Web Push: the server has no VAPID keys (cannot sign the request)')
      const urgency = webPushUrgency(message)
      const details = webpush.generateRequestDetails(
        { endpoint: secrets.endpoint, keys: { p256dh: secrets.p256dh, auth: secrets.auth } },
        JSON.stringify(webPushPayload(message)),
        { TTL: WEBPUSH_TTL_SECONDS[urgency], urgency, contentEncoding: 'aes128gcm', vapidDetails: opts.vapid },
      )
      const headers: Record<string, string> = { 'User-Agent': 'DingPan-Notify/1' }
      for (const [k, v] of Object.entries(details.headers)) {
        // fetch computes the length of the body it sends.
        if (k.toLowerCase() !== 'content-length') headers[k] = String(v)
      }
      const body = details.body ? new Uint8Array(details.body) : new Uint8Array(0)
      const outcome = await postOnce('Web Push', { url: details.endpoint, body, headers }, opts)
      if (!outcome.ok) return outcome.failure
      const { answer } = outcome
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status }
      const detail = shortDetail(scrubSecrets(answer.text, sensitive), 120) || undefined
      const suffix = detail ? `: ${detail}` : ''
      if (answer.status === 404 || answer.status === 410) {
        return failure(false, `Web Push: the push service says this browser subscription no longer exists (HTTP ${answer.status})${suffix}`, {
          status: answer.status,
          gone: true,
        })
      }
      if (answer.status === 401 || answer.status === 403) {
        return failure(
          false,
          `Web Push: the push service refused the server's VAPID key (HTTP ${answer.status}; the keys changed since this browser subscribed?): turn push on again in the browser${suffix}`,
          { status: answer.status },
        )
      }
      return failureFromStatus('Web Push', answer, detail)
    })
  },
}
