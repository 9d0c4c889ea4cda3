/**
 * WeCom (企业微信) group robot, per "群机器人配置说明":
 *   POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>
 *   {"msgtype":"markdown","markdown":{"content":"…"}}   (content ≤ 4096 bytes UTF-8)
 * No signature scheme: the key in the URL is the credential. At most 20 messages per minute per robot.
 * Delivered only when the JSON answer has errcode === 0. 45009 (api freq out of limit) and -1
 * (system busy) → retryable; 93000 (invalid webhook URL / key) and others → not retryable.
 */
import type { WeComConfig, WeComSecrets } from '../config'
import { formatWeCom } from '../format'
import { failureFromStatus, numField, postOnce, shortDetail, strField, type HttpAnswer } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryResult, OutboundMessage, SendOptions } from '../types'

export const WECOM_SEND_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'
export const WECOM_RATE_RETRY_MS = 60_000

export function buildWeComRequest(message: OutboundMessage, secrets: WeComSecrets): { url: string; body: string } {
  return {
    url: `${WECOM_SEND_URL}?key=${encodeURIComponent(secrets.key)}`,
    body: JSON.stringify({ msgtype: 'markdown', markdown: { content: formatWeCom(message) } }),
  }
}

export function interpretWeCom(answer: HttpAnswer, secrets: unknown): DeliveryResult {
  const { status } = answer
  const errcode = numField(answer.json, 'errcode')
  const errmsg = shortDetail(scrubSecrets(strField(answer.json, 'errmsg') ?? '', secrets))
  if (status === 429 || status >= 500 || (status >= 300 && errcode === undefined)) {
    return failureFromStatus('WeCom', answer, errmsg || undefined)
  }
  if (errcode === undefined) return failure(true, `WeCom answered HTTP ${status} without an errcode; delivery not confirmed`, { status })
  if (errcode === 0 && status >= 200 && status < 300) return { ok: true, status }
  const what = `errcode ${errcode}${errmsg ? `: ${errmsg}` : ''}`
  if (errcode === 45009) {
    return failure(true, `WeCom rate-limited the robot (${what}); at most 20 messages per minute`, {
      status,
      retryAfterMs: WECOM_RATE_RETRY_MS,
    })
  }
  if (errcode === -1) return failure(true, `WeCom is busy (${what})`, { status })
  if (errcode === 93000) return failure(false, `WeCom rejected the webhook key (${what}): check the robot’s webhook URL`, { status })
  return failure(false, `WeCom rejected the message (${what})`, { status })
}

export const wecomAdapter: ChannelAdapter<WeComConfig, WeComSecrets> = {
  type: 'WECOM',
  send(message: OutboundMessage, _config: WeComConfig, secrets: WeComSecrets, opts: SendOptions) {
    return guarded('WeCom', secrets, async () => {
      const req = buildWeComRequest(message, secrets)
      const outcome = await postOnce('WeCom', { ...req, headers: { 'Content-Type': 'application/json; charset=utf-8' } }, opts)
      return outcome.ok ? interpretWeCom(outcome.answer, secrets) : outcome.failure
    })
  },
}
