import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { webhookAdapter, webhookConfigSchema } from '@/lib/notify'
import { webhookReceiver } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const SECRET = 'whsec_9f8e7d6c5b4a39281706'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

describe('generic JSON webhook', () => {
  it('POSTs the documented JSON with a verifiable sha256 HMAC over timestamp.rawBody', async () => {
    rx = await startReceiver(webhookReceiver({ secret: SECRET }))
    const cfg = webhookConfigSchema.parse({ url: 'https://hooks.example.com/dingpan' })
    const res = await webhookAdapter.send(message(), cfg, { hmacSecret: SECRET }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toEqual({ ok: true, status: 204 })
    const req = rx.requests[0]
    expect(req.path).toBe('/dingpan')
    expect(req.json).toEqual({
      id: 'n-1',
      type: 'STOP_LOSS',
      severity: 'CRITICAL',
      title: '浦发银行 600000.SH 触发止损',
      body: '现价 **7.12** 跌破止损价 7.15\n已提交卖出委托 1000 股',
      createdAt: '2024-05-06T02:15:03.000Z',
      url: 'https://dingpan.example/monitors/1',
      locale: 'zh',
      data: { code: '600000.SH', last: 7.12 },
    })
    const ts = String(req.headers['x-dingpan-timestamp'])
    expect(req.headers['x-dingpan-signature']).toBe('sha256=' + createHmac('sha256', SECRET).update(`${ts}.${req.rawBody}`).digest('hex'))
    expect(req.headers['x-dingpan-event']).toBe('STOP_LOSS')
  })

  it('uses a custom signature header name', async () => {
    rx = await startReceiver(webhookReceiver({ secret: SECRET, header: 'X-Hub-Signature-256' }))
    const cfg = webhookConfigSchema.parse({ url: 'https://hooks.example.com/x', signatureHeader: 'X-Hub-Signature-256' })
    const res = await webhookAdapter.send(message(), cfg, { hmacSecret: SECRET }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res.ok).toBe(true)
  })

  it('receiver rejects a wrong secret with 401 → not retryable, not delivered', async () => {
    rx = await startReceiver(webhookReceiver({ secret: SECRET }))
    const cfg = webhookConfigSchema.parse({ url: 'https://hooks.example.com/x' })
    const res = await webhookAdapter.send(message(), cfg, { hmacSecret: 'another-secret-of-16+' }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 401 })
  })

  it('data that is not JSON-serialisable is a non-retryable failure, not a throw', async () => {
    rx = await startReceiver(webhookReceiver({ secret: SECRET }))
    const cfg = webhookConfigSchema.parse({ url: 'https://hooks.example.com/x' })
    const res = await webhookAdapter.send(message({ data: { big: 10n } }), cfg, { hmacSecret: SECRET }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect(rx.requests).toHaveLength(0)
  })
})
