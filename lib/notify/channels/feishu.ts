/**
 * Feishu / Lark custom bot (自定义机器人), per the "自定义机器人使用指南" doc:
 *   POST <webhook URL: https://open.feishu.cn/open-apis/bot/v2/hook/<id>, or open.larksuite.com>
 *   {"timestamp":"<seconds>","sign":"<sign>","msg_type":"interactive","card":{…}}
 * We send an interactive card (coloured header by severity, markdown body, note, link button):
 * it renders markdown and shows severity at a glance, which "text" cannot and "post" only clumsily.
 * 签名校验: sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "" (empty))),
 * timestamp in SECONDS as a string, within one hour. Request body at most 20 KB.
 * Delivered only when the JSON answer has code === 0 (answers without `code` fall back to the
 * legacy StatusCode === 0). Errors: 19021 sign mismatch / stale timestamp, 19024 keyword missing,
 * 19022 IP not allowed → not retryable; 11232 frequency limited (100/min, 5/s per bot) → retryable;
 * 9499 "Bad Request" → not retryable unless its message says "too many request".
 */
import { createHmac } from 'node:crypto'
import type { FeishuConfig, FeishuSecrets } from '../config'
import { LIMITS, formatFeishuCard, utf8Bytes } from '../format'
import { failureFromStatus, numField, postOnce, shortDetail, strField, type HttpAnswer } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryResult, OutboundMessage, SendOptions } from '../types'

/** base64(HMAC-SHA256(key = `${timestampSec}\n${secret}`, message = "")). */
export function feishuSign(timestampSec: number | string, secret: string): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64')
}

export function buildFeishuBody(message: OutboundMessage, config: FeishuConfig, secrets: FeishuSecrets, nowMs: number): string {
  let signature: { timestamp?: string; sign?: string } = {}
  if (secrets.signSecret) {
    const ts = String(Math.floor(nowMs / 1000))
    signature = { timestamp: ts, sign: feishuSign(ts, secrets.signSecret) }
  }
  let contentBytes: number = LIMITS.FEISHU_CONTENT_BYTES
  let body = ''
  for (let i = 0; i < 6; i++) {
    const card = formatFeishuCard(message, { keyword: config.keyword, contentBytes })
    body = JSON.stringify({ ...signature, msg_type: 'interactive', card })
    const size = utf8Bytes(body)
    if (size <= LIMITS.FEISHU_REQUEST_BYTES) break
    // JSON escaping can inflate the text (\n, \", \u…); shrink by the excess and a margin.
    contentBytes = Math.max(0, contentBytes - (size - LIMITS.FEISHU_REQUEST_BYTES) - 512)
  }
  return body
}

export function interpretFeishu(answer: HttpAnswer, secrets: unknown): DeliveryResult {
  const { status } = answer
  const code = numField(answer.json, 'code') ?? numField(answer.json, 'StatusCode')
  const msg = shortDetail(scrubSecrets(strField(answer.json, 'msg') ?? strField(answer.json, 'StatusMessage') ?? '', secrets))
  if (status === 429 || status >= 500 || (status >= 300 && code === undefined)) {
    return failureFromStatus('Feishu', answer, msg || undefined)
  }
  if (code === undefined) return failure(true, `Feishu answered HTTP ${status} without a code; delivery not confirmed`, { status })
  if (code === 0 && status >= 200 && status < 300) return { ok: true, status }
  const what = `code ${code}${msg ? `: ${msg}` : ''}`
  if (code === 11232 || (code === 9499 && /too many|frequen|limit/i.test(msg))) {
    return failure(true, `Feishu rate-limited the bot (${what}); at most 100 messages/minute and 5/second`, { status })
  }
  if (code === 19021) {
    return failure(false, `Feishu rejected the signature (${what}): check the signing secret (签名校验) and this server’s clock`, { status })
  }
  if (code === 19024) return failure(false, `Feishu rejected the message (${what}): the card lacks the bot’s custom keyword`, { status })
  if (code === 19022) return failure(false, `Feishu rejected the request (${what}): this server’s IP is not in the bot’s whitelist`, { status })
  return failure(false, `Feishu rejected the message (${what})`, { status })
}

export const feishuAdapter: ChannelAdapter<FeishuConfig, FeishuSecrets> = {
  type: 'FEISHU',
  send(message: OutboundMessage, config: FeishuConfig, secrets: FeishuSecrets, opts: SendOptions) {
    return guarded('Feishu', secrets, async () => {
      const body = buildFeishuBody(message, config, secrets, (opts.now ?? Date.now)())
      const outcome = await postOnce(
        'Feishu',
        { url: secrets.webhookUrl, body, headers: { 'Content-Type': 'application/json; charset=utf-8' } },
        opts,
      )
      return outcome.ok ? interpretFeishu(outcome.answer, secrets) : outcome.failure
    })
  },
}
