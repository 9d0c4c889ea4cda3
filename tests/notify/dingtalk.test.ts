import { afterEach, describe, expect, it } from 'vitest'
import { dingtalkAdapter, dingtalkSecretsSchema, type DeliveryResult } from '@/lib/notify'
import { dingtalkPlatform } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

async function send(sim: Parameters<typeof dingtalkPlatform>[0], cfg: { keyword?: string }, secrets: { accessToken: string; signSecret?: string }, msg = message()) {
  rx = await startReceiver(dingtalkPlatform(sim))
  return dingtalkAdapter.send(msg, cfg, secrets, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
}

describe('DingTalk robot', () => {
  it('delivers a markdown message with 加签 (timestamp in ms + url-encoded sign) and errcode 0', async () => {
    const res = await send({ token: TOKEN, secret: SECRET }, {}, { accessToken: TOKEN, signSecret: SECRET })
    expect(res).toEqual({ ok: true, status: 200 })
    const req = rx!.requests[0]
    expect(req.method).toBe('POST')
    expect(req.path).toBe('/robot/send')
    expect(req.query.get('access_token')).toBe(TOKEN)
    expect(Math.abs(Number(req.query.get('timestamp')) - Date.now())).toBeLessThan(10_000)
    // The sign is URL-encoded in the raw query (base64 has + / =).
    expect(req.target).toMatch(/&sign=[A-Za-z0-9%]+$/)
    const body = req.json as { msgtype: string; markdown: { title: string; text: string } }
    expect(body.msgtype).toBe('markdown')
    expect(body.markdown.title).toContain('浦发银行')
    expect(body.markdown.text).toContain('跌破止损价 7.15')
    expect(body.markdown.text).toContain('【严重】')
  })

  it('without 加签 sends no timestamp/sign', async () => {
    const res = await send({ token: TOKEN }, {}, { accessToken: TOKEN })
    expect(res.ok).toBe(true)
    expect(rx!.requests[0].query.has('sign')).toBe(false)
    expect(rx!.requests[0].query.has('timestamp')).toBe(false)
  })

  it('accepts the whole webhook URL in place of the token', async () => {
    const secrets = dingtalkSecretsSchema.parse({ accessToken: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}` })
    expect(secrets.accessToken).toBe(TOKEN)
    const res = await send({ token: TOKEN }, {}, secrets)
    expect(res.ok).toBe(true)
  })

  it('puts the configured keyword in the text when the message lacks it', async () => {
    const res = await send({ token: TOKEN, keywords: ['盯盘告警'] }, { keyword: '盯盘告警' }, { accessToken: TOKEN })
    expect(res.ok).toBe(true)
    expect((rx!.requests[0].json as { markdown: { text: string } }).markdown.text).toContain('盯盘告警')
  })

  it('a keyword the robot does not know → 310000, not retryable, not delivered', async () => {
    const res = await send({ token: TOKEN, keywords: ['告警'] }, { keyword: '通知' }, { accessToken: TOKEN, signSecret: undefined }, message({ title: 'x', body: 'y' }))
    expect(res.ok).toBe(false)
    const f = res as Extract<DeliveryResult, { ok: false }>
    expect(f.retryable).toBe(false)
    expect(f.error).toMatch(/310000/)
    expect(f.error).toMatch(/keyword/i)
  })

  it('wrong signing secret → 310000 sign not match, not retryable', async () => {
    const res = await send({ token: TOKEN, secret: SECRET }, {}, { accessToken: TOKEN, signSecret: 'SECdeadbeef' })
    expect(res.ok).toBe(false)
    const f = res as Extract<DeliveryResult, { ok: false }>
    expect(f.retryable).toBe(false)
    expect(f.error).toMatch(/sign not match/)
    expect(f.error).toMatch(/signing secret/)
  })

  it('a clock more than an hour off → 310000 invalid timestamp, not retryable', async () => {
    rx = await startReceiver(dingtalkPlatform({ token: TOKEN, secret: SECRET }))
    const res = await dingtalkAdapter.send(message(), {}, { accessToken: TOKEN, signSecret: SECRET }, {
      timeoutMs: 3000,
      baseUrlOverride: rx.baseUrl,
      now: () => Date.now() - 2 * 3_600_000,
    })
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect((res as { error: string }).error).toMatch(/clock/)
  })

  it('HTTP 200 with a non-zero errcode is a failure (e.g. unknown token)', async () => {
    const res = await send({ token: TOKEN }, {}, { accessToken: 'ffffffffffffffffffff' })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 200 })
    expect((res as { error: string }).error).toMatch(/300001/)
  })

  it('errcode 130101 (send too fast) on the 21st message in a minute → retryable with a wait', async () => {
    rx = await startReceiver(dingtalkPlatform({ token: TOKEN }))
    const results: DeliveryResult[] = []
    for (let i = 0; i < 21; i++) {
      results.push(await dingtalkAdapter.send(message({ title: `m${i}` }), {}, { accessToken: TOKEN }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl }))
    }
    expect(results.slice(0, 20).every((r) => r.ok)).toBe(true)
    expect(results[20]).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 })
    expect((results[20] as { error: string }).error).toMatch(/130101/)
  })

  it('HTTP 302 while throttled → retryable after ~10 minutes, redirect not followed', async () => {
    rx = await startReceiver(() => ({ status: 302, headers: { Location: 'http://127.0.0.1:9/elsewhere' }, body: '' }))
    const res = await dingtalkAdapter.send(message(), {}, { accessToken: TOKEN }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: true, status: 302, retryAfterMs: 600_000 })
    expect(rx.requests).toHaveLength(1)
  })

  it('errcode -1 (system busy) → retryable', async () => {
    rx = await startReceiver(() => ({ body: { errcode: -1, errmsg: '系统繁忙' } }))
    const res = await dingtalkAdapter.send(message(), {}, { accessToken: TOKEN }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: true })
  })

  it('a huge message is cut under DingTalk’s 20000-byte limit and still delivered', async () => {
    const res = await send({ token: TOKEN, keywords: ['盯盘'] }, { keyword: '盯盘' }, { accessToken: TOKEN }, message({ body: '涨'.repeat(30_000) }))
    expect(res.ok).toBe(true)
    const text = (rx!.requests[0].json as { markdown: { text: string } }).markdown.text
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(20_000)
    expect(text).toContain('盯盘')
  })
})
