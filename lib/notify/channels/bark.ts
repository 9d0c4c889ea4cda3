/**
 * Bark (iOS push via APNs), per the Bark docs and bark-server's route_push.go (API v2):
 *   POST <server>/push   Content-Type: application/json
 *   {"device_key":"…","title":"…","body":"…","group":"DingPan","level":"timeSensitive",
 *    "sound"?, "volume"?, "url"?, "isArchive":"1"}
 * level per severity (configurable): INFO → active, WARNING → timeSensitive, CRITICAL →
 * timeSensitive by default; "critical" rings even in silent mode (volume 0–10).
 * The device key is the credential; there is no signature.
 * Delivered only on HTTP 200 with JSON code === 200; bark-server answers 400 for an unknown device
 * key (not retryable) and 500 when APNs fails (retryable).
 */
import type { BarkConfig, BarkLevel, BarkSecrets } from '../config'
import { formatBark } from '../format'
import { failureFromStatus, numField, postOnce, shortDetail, strField, type HttpAnswer } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryResult, OutboundMessage, SendOptions, Severity } from '../types'

export const DEFAULT_BARK_LEVELS: Readonly<Record<Severity, BarkLevel>> = {
  INFO: 'active',
  WARNING: 'timeSensitive',
  CRITICAL: 'timeSensitive',
}

export function barkLevel(severity: Severity, config: BarkConfig): BarkLevel {
  return config.levels?.[severity] ?? DEFAULT_BARK_LEVELS[severity]
}

export function buildBarkRequest(message: OutboundMessage, config: BarkConfig, secrets: BarkSecrets): { url: string; body: string } {
  const { title, body } = formatBark(message)
  const level = barkLevel(message.severity, config)
  const payload: Record<string, string | number> = {
    device_key: secrets.deviceKey,
    title,
    body,
    group: config.group ?? 'DingPan',
    level,
    isArchive: '1',
  }
  if (config.sound) payload.sound = config.sound
  if (level === 'critical' && config.criticalVolume !== undefined) payload.volume = config.criticalVolume
  if (message.url) payload.url = message.url
  return { url: `${config.serverUrl.replace(/\/+$/, '')}/push`, body: JSON.stringify(payload) }
}

export function interpretBark(answer: HttpAnswer, secrets: unknown): DeliveryResult {
  const { status } = answer
  const code = numField(answer.json, 'code')
  const detail = shortDetail(scrubSecrets(strField(answer.json, 'message') ?? '', secrets))
  if (status !== 200) {
    const f = failureFromStatus('Bark', answer, detail || undefined)
    if (status === 400 && /device/i.test(detail)) return { ...f, error: `${f.error} — check the device key` }
    return f
  }
  if (code === 200) return { ok: true, status }
  if (code === undefined) return failure(true, 'Bark answered HTTP 200 without a code; delivery not confirmed', { status })
  return failure(code >= 500, `Bark rejected the push (code ${code}${detail ? `: ${detail}` : ''})`, { status })
}

export const barkAdapter: ChannelAdapter<BarkConfig, BarkSecrets> = {
  type: 'BARK',
  send(message: OutboundMessage, config: BarkConfig, secrets: BarkSecrets, opts: SendOptions) {
    return guarded('Bark', secrets, async () => {
      const req = buildBarkRequest(message, config, secrets)
      const outcome = await postOnce('Bark', { ...req, headers: { 'Content-Type': 'application/json; charset=utf-8' } }, opts)
      return outcome.ok ? interpretBark(outcome.answer, secrets) : outcome.failure
    })
  },
}
