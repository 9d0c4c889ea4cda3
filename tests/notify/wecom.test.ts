import { afterEach, describe, expect, it } from 'vitest'
import { wecomAdapter, wecomSecretsSchema, type DeliveryResult } from '@/lib/notify'
import { wecomPlatform } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

describe('WeCom group robot', () => {
  it('delivers markdown with the key in the query; errcode 0', async () => {
    rx = await startReceiver(wecomPlatform({ key: KEY }))
    const res = await wecomAdapter.send(message(), {}, { key: KEY }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toEqual({ ok: true, status: 200 })
    const req = rx.requests[0]
    expect(req.path).toBe('/cgi-bin/webhook/send')
    expect(req.query.get('key')).toBe(KEY)
    const body = req.json as { msgtype: string; markdown: { content: string } }
    expect(body.msgtype).toBe('markdown')
    expect(body.markdown.content).toContain('<font color="warning">')
    expect(body.markdown.content).toContain('跌破止损价')
  })

  it('accepts the whole webhook URL in place of the key', () => {
    expect(wecomSecretsSchema.parse({ key: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}` }).key).toBe(KEY)
  })

  it('cuts markdown to 4096 bytes on a character boundary', async () => {
    rx = await startReceiver(wecomPlatform({ key: KEY }))
    const res = await wecomAdapter.send(message({ body: '😀止损'.repeat(3000) }), {}, { key: KEY }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res.ok).toBe(true)
    const content = (rx.requests[0].json as { markdown: { content: string } }).markdown.content
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096)
    expect(content).not.toContain('\uFFFD')
  })

  it('45009 on the 21st message in a minute → retryable with a wait', async () => {
    rx = await startReceiver(wecomPlatform({ key: KEY }))
    const results: DeliveryResult[] = []
    for (let i = 0; i < 21; i++) results.push(await wecomAdapter.send(message(), {}, { key: KEY }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl }))
    expect(results.slice(0, 20).every((r) => r.ok)).toBe(true)
    expect(results[20]).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 })
  })

  it('a wrong key → 93000 in an HTTP 200, not retryable', async () => {
    rx = await startReceiver(wecomPlatform({ key: KEY }))
    const res = await wecomAdapter.send(message(), {}, { key: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 200 })
    expect((res as { error: string }).error).toMatch(/93000/)
  })
})
