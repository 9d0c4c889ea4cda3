/**
 * ServerChan (Server酱), per the official serverchan-sdk:
 *   Turbo SendKey "SCT…":          POST https://sctapi.ftqq.com/<SendKey>.send
 *   Server酱³ SendKey "sctp{n}t…":  POST https://{n}.push.ft07.com/send/<SendKey>.send
 *   JSON {"title":"…","desp":"<markdown>"}  (title ≤ 32 characters)
 * The SendKey (in the URL path) is the credential; there is no signature.
 * Delivered only when the JSON answer has code === 0; data.pushid is kept as providerMessageId.
 */
import type { ServerChanConfig, ServerChanSecrets } from '../config'
import { formatServerChan } from '../format'
import { failureFromStatus, numField, postOnce, shortDetail, strField, type HttpAnswer } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryResult, OutboundMessage, SendOptions } from '../types'

/** Endpoint for a SendKey, chosen from the key's shape as the official SDK does. */
export function serverChanUrl(sendKey: string): string {
  const sc3 = /^sctp(\d+)t/.exec(sendKey)
  if (sc3) return `https://${sc3[1]}.push.ft07.com/send/${encodeURIComponent(sendKey)}.send`
  return `https://sctapi.ftqq.com/${encodeURIComponent(sendKey)}.send`
}

export function interpretServerChan(answer: HttpAnswer, secrets: unknown): DeliveryResult {
  const { status } = answer
  const code = numField(answer.json, 'code')
  const detail = shortDetail(scrubSecrets(strField(answer.json, 'message') ?? strField(answer.json, 'info') ?? '', secrets))
  if (status === 429 || status >= 500 || (status >= 300 && code === undefined)) {
    return failureFromStatus('ServerChan', answer, detail || undefined)
  }
  if (code === undefined) return failure(true, `ServerChan answered HTTP ${status} without a code; delivery not confirmed`, { status })
  if (code === 0 && status >= 200 && status < 300) {
    const data = (answer.json as { data?: unknown }).data
    const pushid = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).pushid : undefined
    return {
      ok: true,
      status,
      ...(typeof pushid === 'string' || typeof pushid === 'number' ? { providerMessageId: String(pushid) } : {}),
    }
  }
  const what = `code ${code}${detail ? `: ${detail}` : ''}`
  if (/频率|too many|rate limit/i.test(detail)) return failure(true, `ServerChan rate-limited the request (${what})`, { status })
  return failure(false, `ServerChan rejected the message (${what})`, { status })
}

export const serverchanAdapter: ChannelAdapter<ServerChanConfig, ServerChanSecrets> = {
  type: 'SERVERCHAN',
  send(message: OutboundMessage, _config: ServerChanConfig, secrets: ServerChanSecrets, opts: SendOptions) {
    return guarded('ServerChan', secrets, async () => {
      const { title, desp } = formatServerChan(message)
      const outcome = await postOnce(
        'ServerChan',
        { url: serverChanUrl(secrets.sendKey), body: JSON.stringify({ title, desp }), headers: { 'Content-Type': 'application/json; charset=utf-8' } },
        opts,
      )
      return outcome.ok ? interpretServerChan(outcome.answer, secrets) : outcome.failure
    })
  },
}
