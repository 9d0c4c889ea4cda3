/**
 * Generic JSON webhook (our own format, for home automation, n8n, a custom relay...).
 *
 *   POST <url>
 *   Content-Type: application/json
 *   X-DingPan-Timestamp: <unix seconds>
 *   X-DingPan-Signature: sha256=<hex HMAC-SHA256(key = secret, message = timestamp + "." + rawBody)>
 *   X-DingPan-Event: <type>
 *   body: {"id"?,"type","severity","title","body","createdAt":"<ISO 8601>","url"?,"locale","data":{…}}
 *
 * (The signature header name is configurable; the timestamp header is not.)
 * To verify, a receiver: reads the raw body bytes before parsing; rejects a timestamp more than
 * 5 minutes from its clock (replay); computes HMAC-SHA256 over `${timestamp}.${rawBody}` with the
 * shared secret, hex-encodes it, and compares "sha256=<hex>" to the header in constant time.
 * Delivered on any 2xx. 408/425/429/5xx and network errors are retryable; other answers are not.
 */
import { createHmac } from 'node:crypto'
import type { WebhookConfig, WebhookSecrets } from '../config'
import { failureFromStatus, postOnce, shortDetail } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, OutboundMessage, SendOptions } from '../types'

export const WEBHOOK_TIMESTAMP_HEADER = 'X-DingPan-Timestamp'

/** "sha256=" + hex(HMAC-SHA256(secret, `${timestamp}.${rawBody}`)). */
export function webhookSignature(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`
}

export function webhookPayload(message: OutboundMessage): Record<string, unknown> {
  return {
    ...(message.id !== undefined ? { id: message.id } : {}),
    type: message.type,
    severity: message.severity,
    title: message.title,
    body: message.body,
    createdAt: message.createdAt.toISOString(),
    ...(message.url !== undefined ? { url: message.url } : {}),
    locale: message.locale,
    data: message.data ?? {},
  }
}

export const webhookAdapter: ChannelAdapter<WebhookConfig, WebhookSecrets> = {
  type: 'WEBHOOK',
  send(message: OutboundMessage, config: WebhookConfig, secrets: WebhookSecrets, opts: SendOptions) {
    return guarded('Webhook', secrets, async () => {
      let rawBody: string
      try {
        rawBody = JSON.stringify(webhookPayload(message))
      } catch {
        return failure(false, 'Webhook: message data is not JSON-serialisable')
      }
      const timestamp = String(Math.floor((opts.now ?? Date.now)() / 1000))
      const headers: Record<string, string> = {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'DingPan-Notify/1',
        [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [config.signatureHeader]: webhookSignature(secrets.hmacSecret, timestamp, rawBody),
        'X-DingPan-Event': message.type.replace(/[^\x21-\x7e]/g, '_'),
      }
      const outcome = await postOnce('Webhook', { url: config.url, body: rawBody, headers }, opts)
      if (!outcome.ok) return outcome.failure
      const { answer } = outcome
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status }
      return failureFromStatus('Webhook', answer, shortDetail(scrubSecrets(answer.text, secrets), 120) || undefined)
    })
  },
}
