import { afterEach, describe, expect, it } from 'vitest'
import { barkAdapter, barkConfigSchema } from '@/lib/notify'
import { barkPlatform } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const DEVICE = 'ynJ5Ft4atkMkWeo2PAvFhF'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

const config = (over: Record<string, unknown> = {}) => barkConfigSchema.parse({ serverUrl: 'https://bark.example.com', ...over })

describe('Bark', () => {
  it('POSTs JSON to <server>/push with device_key, group and the severity level', async () => {
    rx = await startReceiver(barkPlatform({ deviceKey: DEVICE }))
    const res = await barkAdapter.send(message(), config(), { deviceKey: DEVICE }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toEqual({ ok: true, status: 200 })
    const body = rx.requests[0].json as Record<string, unknown>
    expect(rx.requests[0].path).toBe('/push')
    expect(body).toMatchObject({ device_key: DEVICE, group: 'DingPan', level: 'timeSensitive', url: 'https://dingpan.example/monitors/1' })
    expect(body.title).toContain('【严重】')
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(4096)
  })

  it('maps severities through the configured levels (CRITICAL → critical with volume)', async () => {
    rx = await startReceiver(barkPlatform({ deviceKey: DEVICE }))
    const cfg = config({ levels: { CRITICAL: 'critical' }, criticalVolume: 8, sound: 'alarm', group: '交易' })
    for (const severity of ['INFO', 'WARNING', 'CRITICAL'] as const) {
      const res = await barkAdapter.send(message({ severity }), cfg, { deviceKey: DEVICE }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
      expect(res.ok).toBe(true)
    }
    const bodies = rx.requests.map((r) => r.json as Record<string, unknown>)
    expect(bodies.map((b) => b.level)).toEqual(['active', 'timeSensitive', 'critical'])
    expect(bodies[2]).toMatchObject({ volume: 8, sound: 'alarm', group: '交易' })
    expect('volume' in bodies[0]).toBe(false)
  })

  it('an unknown device key → HTTP 400, not retryable', async () => {
    rx = await startReceiver(barkPlatform({ deviceKey: DEVICE }))
    const res = await barkAdapter.send(message(), config(), { deviceKey: 'WrongKey123' }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 400 })
    expect((res as { error: string }).error).toMatch(/device key/)
  })

  it('HTTP 200 whose code is not 200 is a failure', async () => {
    rx = await startReceiver(() => ({ body: { code: 400, message: 'push failed', timestamp: 1 } }))
    const res = await barkAdapter.send(message(), config(), { deviceKey: DEVICE }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res.ok).toBe(false)
  })

  it('HTTP 500 (APNs push failed) → retryable', async () => {
    rx = await startReceiver(() => ({ status: 500, body: { code: 500, message: 'push failed: APNS push failed: BadDeviceToken', timestamp: 1 } }))
    const res = await barkAdapter.send(message(), config(), { deviceKey: DEVICE }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: true, status: 500 })
  })

  it('defaults the server to api.day.app', () => {
    expect(barkConfigSchema.parse({}).serverUrl).toBe('https://api.day.app')
  })
})
