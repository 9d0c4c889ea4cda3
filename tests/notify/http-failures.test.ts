/**
 * The failure classification shared by every HTTP channel, against real local servers:
 * network error / timeout / 429 / 5xx → retryable (Retry-After honoured); other 4xx → not;
 * a 200 that does not carry the platform's success code → not delivered.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { sendToChannel, type ChannelType, type DeliveryResult } from '@/lib/notify'
import { message } from './helpers/message'
import { closedPortUrl, startReceiver, type Reply, type Receiver } from './helpers/receiver'

const CHANNELS: { type: ChannelType; config: unknown; secrets: unknown }[] = [
  { type: 'DINGTALK', config: {}, secrets: { accessToken: 'a'.repeat(64), signSecret: 'SEC' + 'b'.repeat(60) } },
  { type: 'FEISHU', config: {}, secrets: { webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/0d9b2c5e-1f7a', signSecret: 'feishu-secret' } },
  { type: 'WECOM', config: {}, secrets: { key: '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa' } },
  { type: 'SERVERCHAN', config: {}, secrets: { sendKey: 'SCT123456TAbCdEfGh' } },
  { type: 'BARK', config: {}, secrets: { deviceKey: 'ynJ5Ft4atkMkWeo2PAvFhF' } },
  { type: 'WEBHOOK', config: { url: 'https://hooks.example.com/x' }, secrets: { hmacSecret: 'whsec_0123456789abcdef' } },
]

/** Each platform's success answer. */
const SUCCESS: Record<string, unknown> = {
  DINGTALK: { errcode: 0, errmsg: 'ok' },
  FEISHU: { code: 0, msg: 'success', data: {} },
  WECOM: { errcode: 0, errmsg: 'ok' },
  SERVERCHAN: { code: 0, message: '', data: { pushid: '1' } },
  BARK: { code: 200, message: 'success', timestamp: 1 },
  WEBHOOK: { received: true },
}

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

async function sendWith(type: ChannelType, reply: Reply, timeoutMs = 3000): Promise<DeliveryResult> {
  const ch = CHANNELS.find((c) => c.type === type)!
  rx = await startReceiver(() => reply)
  return sendToChannel(type, message(), ch.config, ch.secrets, { timeoutMs, baseUrlOverride: rx.baseUrl })
}

describe.each(CHANNELS.map((c) => c.type))('%s: HTTP failure classification', (type) => {
  it('429 with Retry-After seconds → retryable, retryAfterMs honoured', async () => {
    const res = await sendWith(type, { status: 429, headers: { 'Retry-After': '7' }, body: { error: 'slow down' } })
    expect(res).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 7000 })
  })

  it('503 with an HTTP-date Retry-After → retryable with a positive wait', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString()
    const res = await sendWith(type, { status: 503, headers: { 'Retry-After': at }, body: 'Service Unavailable' })
    expect(res).toMatchObject({ ok: false, retryable: true, status: 503 })
    const wait = (res as { retryAfterMs: number }).retryAfterMs
    expect(wait).toBeGreaterThan(100_000)
    expect(wait).toBeLessThanOrEqual(120_000)
  })

  it('500 → retryable', async () => {
    const res = await sendWith(type, { status: 500, body: 'Internal Server Error' })
    expect(res).toMatchObject({ ok: false, retryable: true, status: 500 })
  })

  it('403 → not retryable', async () => {
    const res = await sendWith(type, { status: 403, body: 'Forbidden' })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 403 })
  })

  it('no answer before the deadline → retryable timeout', async () => {
    const t0 = Date.now()
    const res = await sendWith(type, { hang: true }, 300)
    expect(res).toMatchObject({ ok: false, retryable: true })
    expect((res as { error: string }).error).toMatch(/timeout/)
    expect(Date.now() - t0).toBeLessThan(2500)
  })

  it('the platform’s success answer is delivered (control for the cases around it)', async () => {
    const res = await sendWith(type, { status: 200, body: SUCCESS[type] })
    expect(res).toMatchObject({ ok: true, status: 200 })
  })

  it('headers sent but the success body stalls past the deadline → retryable timeout, not delivered', async () => {
    const res = await sendWith(type, { status: 200, body: SUCCESS[type], stallBodyMs: 2000 }, 300)
    expect(res).toMatchObject({ ok: false, retryable: true })
    expect((res as { error: string }).error).toMatch(/timeout/)
  })

  it('connection refused → retryable', async () => {
    const ch = CHANNELS.find((c) => c.type === type)!
    const res = await sendToChannel(type, message(), ch.config, ch.secrets, { timeoutMs: 3000, baseUrlOverride: await closedPortUrl() })
    expect(res).toMatchObject({ ok: false, retryable: true })
    expect((res as { error: string }).error).toMatch(/ECONNREFUSED/)
  })
})

describe.each(CHANNELS.filter((c) => c.type !== 'WEBHOOK').map((c) => c.type))('%s: HTTP 200 is not delivery on its own', (type) => {
  it('a 200 HTML page (captive portal / proxy) is not delivered', async () => {
    const res = await sendWith(type, { status: 200, body: '<html>hello</html>' })
    expect(res.ok).toBe(false)
  })

  it('an empty JSON object is not delivered', async () => {
    const res = await sendWith(type, { status: 200, body: {} })
    expect(res.ok).toBe(false)
  })
})

describe('caller cancellation', () => {
  it('an aborted signal ends the attempt as retryable', async () => {
    rx = await startReceiver(() => ({ hang: true }))
    const ctrl = new AbortController()
    const p = sendToChannel('WECOM', message(), {}, { key: '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa' }, { timeoutMs: 10_000, baseUrlOverride: rx.baseUrl, signal: ctrl.signal })
    setTimeout(() => ctrl.abort(), 100)
    const res = await p
    expect(res).toMatchObject({ ok: false, retryable: true })
    expect((res as { error: string }).error).toMatch(/aborted/)
  })
})
