import { afterEach, describe, expect, it } from 'vitest'
import { feishuAdapter, feishuSecretsSchema, type DeliveryResult } from '@/lib/notify'
import { feishuPlatform, type FeishuSim } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const HOOK = '0d9b2c5e-1f7a-4c3b-9e8d-7a6b5c4d3e2f'
const WEBHOOK = `https://open.feishu.cn/open-apis/bot/v2/hook/${HOOK}`
const SECRET = 'qYt3kP9wZx2LmN8vB4cR7d'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

async function send(sim: FeishuSim, config: { keyword?: string }, secrets: { webhookUrl: string; signSecret?: string }, msg = message(), now?: () => number) {
  rx = await startReceiver(feishuPlatform(sim))
  return feishuAdapter.send(msg, config, secrets, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl, now })
}

type Card = { header: { template: string; title: { content: string } }; elements: { tag: string; content?: string }[] }

describe('Feishu/Lark custom bot', () => {
  it('delivers a signed interactive card (timestamp in seconds, sign over an empty message)', async () => {
    const res = await send({ hookId: HOOK, secret: SECRET }, {}, { webhookUrl: WEBHOOK, signSecret: SECRET })
    expect(res).toEqual({ ok: true, status: 200 })
    const req = rx!.requests[0]
    expect(req.path).toBe(`/open-apis/bot/v2/hook/${HOOK}`)
    const body = req.json as { timestamp: string; sign: string; msg_type: string; card: Card }
    expect(body.timestamp).toMatch(/^\d{10}$/)
    expect(body.msg_type).toBe('interactive')
    expect(body.card.header.template).toBe('red')
    expect(body.card.header.title.content).toContain('浦发银行')
    expect(body.card.elements[0]).toMatchObject({ tag: 'markdown' })
    expect(body.card.elements[0].content).toContain('跌破止损价')
  })

  it('unsigned bots get no timestamp/sign fields', async () => {
    const res = await send({ hookId: HOOK }, {}, { webhookUrl: WEBHOOK })
    expect(res.ok).toBe(true)
    const body = rx!.requests[0].json as Record<string, unknown>
    expect('sign' in body).toBe(false)
    expect('timestamp' in body).toBe(false)
  })

  it('accepts the legacy {StatusCode: 0} answer', async () => {
    const res = await send({ hookId: HOOK, legacy: true }, {}, { webhookUrl: WEBHOOK })
    expect(res.ok).toBe(true)
  })

  it('wrong secret → 19021, not retryable, not delivered', async () => {
    const res = await send({ hookId: HOOK, secret: SECRET }, {}, { webhookUrl: WEBHOOK, signSecret: 'not-the-secret' })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 200 })
    expect((res as { error: string }).error).toMatch(/19021/)
  })

  it('a timestamp more than an hour old → 19021', async () => {
    const res = await send({ hookId: HOOK, secret: SECRET }, {}, { webhookUrl: WEBHOOK, signSecret: SECRET }, message(), () => Date.now() - 3 * 3_600_000)
    expect(res).toMatchObject({ ok: false, retryable: false })
  })

  it('keyword security: the keyword is added to the card text when missing', async () => {
    const res = await send({ hookId: HOOK, keywords: ['盯盘'] }, { keyword: '盯盘' }, { webhookUrl: WEBHOOK })
    expect(res.ok).toBe(true)
    const card = (rx!.requests[0].json as { card: Card }).card
    expect(card.elements[0].content).toContain('盯盘')
  })

  it('keyword missing → 19024, not retryable', async () => {
    const res = await send({ hookId: HOOK, keywords: ['盯盘'] }, {}, { webhookUrl: WEBHOOK }, message({ title: 'x', body: 'y' }))
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect((res as { error: string }).error).toMatch(/19024/)
  })

  it('11232 frequency limited → retryable', async () => {
    rx = await startReceiver(() => ({ body: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]', data: {} } }))
    const res = await feishuAdapter.send(message(), {}, { webhookUrl: WEBHOOK }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: true })
  })

  it('a failure code next to StatusCode 0 is still a failure', async () => {
    rx = await startReceiver(() => ({ body: { StatusCode: 0, StatusMessage: '', code: 19007, msg: 'Bot Not Enabled' } }))
    const res = await feishuAdapter.send(message(), {}, { webhookUrl: WEBHOOK }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false })
  })

  it('keeps the request under 20 KB for a huge body', async () => {
    const res = await send({ hookId: HOOK, secret: SECRET, keywords: ['盯盘'] }, { keyword: '盯盘' }, { webhookUrl: WEBHOOK, signSecret: SECRET }, message({ body: '"引号"\n'.repeat(8000) }))
    expect(res.ok).toBe(true)
    expect(Buffer.byteLength(rx!.requests[0].rawBody)).toBeLessThanOrEqual(20_000)
  })

  it('the schema accepts Lark URLs and rejects other paths', () => {
    expect(feishuSecretsSchema.safeParse({ webhookUrl: `https://open.larksuite.com/open-apis/bot/v2/hook/${HOOK}` }).success).toBe(true)
    expect(feishuSecretsSchema.safeParse({ webhookUrl: 'https://open.feishu.cn/some/other/path' }).success).toBe(false)
    expect(feishuSecretsSchema.safeParse({ webhookUrl: `http://open.feishu.cn/open-apis/bot/v2/hook/${HOOK}` }).success).toBe(false)
  })

  it('severity picks the header colour', async () => {
    const results: DeliveryResult[] = []
    rx = await startReceiver(feishuPlatform({ hookId: HOOK }))
    for (const severity of ['INFO', 'WARNING', 'CRITICAL'] as const) {
      results.push(await feishuAdapter.send(message({ severity }), {}, { webhookUrl: WEBHOOK }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl }))
    }
    expect(results.every((r) => r.ok)).toBe(true)
    expect(rx.requests.map((r) => (r.json as { card: Card }).card.header.template)).toEqual(['blue', 'orange', 'red'])
  })
})
