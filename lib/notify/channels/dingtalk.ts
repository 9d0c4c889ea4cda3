/**
 * DingTalk custom robot (自定义机器人), per DingTalk's "自定义机器人接入" doc:
 *   POST https://oapi.dingtalk.com/robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]
 *   Content-Type: application/json
 *   {"msgtype":"markdown","markdown":{"title":"…","text":"…"}}
 * 加签: sign = urlEncode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret))),
 * timestamp in milliseconds, within one hour of DingTalk's clock.
 * Keyword security: the text must contain one of the robot's keywords (format.ts guarantees it).
 * Delivered only when the JSON answer has errcode === 0. Known errcodes:
 *   130101 "send too fast" (over 20 messages/minute) → retryable after the minute passes;
 *   310000 keywords not in content / sign not match / invalid timestamp / ip not in whitelist → not retryable;
 *   -1 system busy → retryable. While throttling, DingTalk may answer HTTP 302 (robot blocked
 *   for about 10 minutes) → retryable after 10 minutes.
 */
import { createHmac } from 'node:crypto'
import type { DingTalkConfig, DingTalkSecrets } from '../config'
import { formatDingTalk } from '../format'
import { failureFromStatus, numField, postOnce, shortDetail, strField, type HttpAnswer } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryResult, OutboundMessage, SendOptions } from '../types'

export const DINGTALK_SEND_URL = 'https://oapi.dingtalk.com/robot/send'
/** After "send too fast" wait for the one-minute window to pass. */
export const DINGTALK_TOO_FAST_RETRY_MS = 60_000
/** DingTalk blocks a robot that keeps sending while throttled for 10 minutes. */
export const DINGTALK_BLOCKED_RETRY_MS = 10 * 60_000

/** base64(HMAC-SHA256(secret, `${timestampMs}\n${secret}`)) — not yet URL-encoded. */
export function dingtalkSign(timestampMs: number | string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
}

export function buildDingTalkRequest(
  message: OutboundMessage,
  config: DingTalkConfig,
  secrets: DingTalkSecrets,
  nowMs: number,
): { url: string; body: string } {
  let url = `${DINGTALK_SEND_URL}?access_token=${encodeURIComponent(secrets.accessToken)}`
  if (secrets.signSecret) {
    const ts = String(Math.trunc(nowMs))
    url += `&timestamp=${ts}&sign=${encodeURIComponent(dingtalkSign(ts, secrets.signSecret))}`
  }
  const md = formatDingTalk(message, { keyword: config.keyword })
  return { url, body: JSON.stringify({ msgtype: 'markdown', markdown: { title: md.title, text: md.text } }) }
}

function explain310000(errmsg: string): string {
  if (/keyword/i.test(errmsg)) return 'the text lacks the robot’s custom keyword (自定义关键词) — check the keyword setting'
  if (/sign/i.test(errmsg) || /签名/.test(errmsg)) return 'signature mismatch (加签) — check the SEC… signing secret'
  if (/timestamp/i.test(errmsg) || /时间戳/.test(errmsg)) return 'timestamp rejected — check this server’s clock'
  if (/ip/i.test(errmsg)) return 'this server’s IP is not in the robot’s IP whitelist'
  return 'the robot’s security settings (keyword / 加签 / IP) rejected the message'
}

export function interpretDingTalk(answer: HttpAnswer, secrets: unknown): DeliveryResult {
  const errcode = numField(answer.json, 'errcode')
  const errmsg = shortDetail(scrubSecrets(strField(answer.json, 'errmsg') ?? '', secrets))
  const { status } = answer
  if (status === 302) {
    return failure(true, 'DingTalk is blocking this robot for sending too fast (HTTP 302); retry in about 10 minutes', {
      status,
      retryAfterMs: DINGTALK_BLOCKED_RETRY_MS,
    })
  }
  if (status === 429 || status >= 500 || (status >= 300 && errcode === undefined)) {
    return failureFromStatus('DingTalk', answer, errmsg || undefined)
  }
  if (errcode === undefined) {
    return failure(true, `DingTalk answered HTTP ${status} without an errcode; delivery not confirmed`, { status })
  }
  if (errcode === 0 && status >= 200 && status < 300) return { ok: true, status }
  const what = `errcode ${errcode}${errmsg ? `: ${errmsg}` : ''}`
  if (errcode === 130101 || /too fast|限流/i.test(errmsg)) {
    return failure(true, `DingTalk throttled the robot (${what}); at most 20 messages per minute per robot`, {
      status,
      retryAfterMs: DINGTALK_TOO_FAST_RETRY_MS,
    })
  }
  if (errcode === 310000) return failure(false, `DingTalk rejected the message (${what}): ${explain310000(errmsg)}`, { status })
  if (errcode === -1) return failure(true, `DingTalk is busy (${what})`, { status })
  return failure(false, `DingTalk rejected the message (${what})`, { status })
}

export const dingtalkAdapter: ChannelAdapter<DingTalkConfig, DingTalkSecrets> = {
  type: 'DINGTALK',
  send(message: OutboundMessage, config: DingTalkConfig, secrets: DingTalkSecrets, opts: SendOptions) {
    return guarded('DingTalk', secrets, async () => {
      const req = buildDingTalkRequest(message, config, secrets, (opts.now ?? Date.now)())
      const outcome = await postOnce(
        'DingTalk',
        { url: req.url, body: req.body, headers: { 'Content-Type': 'application/json; charset=utf-8' } },
        opts,
      )
      return outcome.ok ? interpretDingTalk(outcome.answer, secrets) : outcome.failure
    })
  },
}
