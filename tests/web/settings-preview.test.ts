// Settings: form schemas agree with the stored schemas the worker reads, writes are audit-logged,
// the token is never returned, and "test connection" reports exactly what connect() said (real
// paper exchange, a wrong token, a closed port). Quote preview: live quote through lib/quotes with
// configured base URLs, limits, levels outside the band, the entry order from sizeOrder and the
// account snapshot, "account unknown", and the stored-snapshot fallback.
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { getDb } from '@/lib/db/client'
import { parseEnv } from '@/lib/env'
import { riskFormSchema, monitorFormSchema, brokerFormSchema } from '@/lib/schemas/settings'
import { quotePreviewSchema } from '@/lib/schemas/preview'
import { loadRuntimeSettings, monitorSettingsSchema, riskSettingsSchema } from '@/lib/services/runtime/runtime-settings'
import { saveBroker, saveMonitor, saveRisk, settingsView, switchKill, testBrokerConnection } from '@/lib/services/runtime/settings-admin'
import { quotePreview } from '@/lib/services/views/quote-preview'
import { closedPortUrl, startFakeSources, type FakeSources } from '../quotes/helpers/fake-sources'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, fixedClock, makeUser, seedSnapshot, useWebDb } from './helpers'

const defaults = { intervalSeconds: 3, quoteProviders: ['tencent', 'sina', 'eastmoney'], maxQuoteAgeSec: 15 }

describe('settings form schemas', () => {
  it('accept only what the stored schemas accept (risk)', () => {
    const field = (lo: number, hi: number) => fc.oneof(fc.integer({ min: lo - 5, max: hi + 5 }), fc.double({ min: lo - 1, max: hi + 1, noNaN: true }))
    fc.assert(
      fc.property(
        fc.record({
          maxExposurePct: fc.oneof(fc.double({ min: -50, max: 150, noNaN: true }), fc.integer({ min: -5, max: 105 }).map((n) => `${n}%`)),
          maxOrderValue: fc.oneof(fc.constant(''), field(0, 1_000_000_000)),
          maxOrdersPerMinute: field(1, 600),
          maxActiveOrdersPerStock: field(1, 20),
          duplicateWindowSec: field(0, 3600),
          maxDailyRealizedLoss: fc.oneof(fc.constant(''), field(0, 1_000_000_000)),
          maxQuoteAgeSec: field(1, 3600),
        }),
        (v) => {
          const form = riskFormSchema.safeParse(v)
          if (form.success) expect(riskSettingsSchema.safeParse(form.data).success).toBe(true)
        },
      ),
    )
    expect(riskFormSchema.safeParse({ maxExposurePct: 80, maxOrderValue: '', maxOrdersPerMinute: 10, maxActiveOrdersPerStock: 1, duplicateWindowSec: 60, maxDailyRealizedLoss: '', maxQuoteAgeSec: 15 }).success).toBe(true)
  })

  it('gives field-level i18n keys for bad values', () => {
    const r = riskFormSchema.safeParse({ maxExposurePct: '120', maxOrderValue: 'x', maxOrdersPerMinute: '0', maxActiveOrdersPerStock: '1.5', duplicateWindowSec: '60', maxDailyRealizedLoss: '', maxQuoteAgeSec: '15' })
    expect(r.success).toBe(false)
    const byPath = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.'), i.message]))
    expect(byPath).toMatchObject({ maxExposurePct: 'exposure.range', maxOrdersPerMinute: 'int.range', maxActiveOrdersPerStock: 'int.notInteger' })
    expect(byPath.maxOrderValue).toBeDefined()
    expect(monitorFormSchema.safeParse({ intervalSeconds: 3, quoteProviders: [] }).error!.issues[0]!.message).toBe('providers.empty')
    expect(monitorFormSchema.safeParse({ intervalSeconds: 3, quoteProviders: ['sina', 'sina'] }).error!.issues[0]!.message).toBe('providers.duplicate')
    expect(monitorSettingsSchema.safeParse(monitorFormSchema.parse({ intervalSeconds: '5', quoteProviders: ['sina', 'tencent'] })).success).toBe(true)
    expect(brokerFormSchema.safeParse({ mode: 'qmt', host: '' }).error!.issues.map((i) => i.message)).toEqual(['host.required'])
    expect(brokerFormSchema.safeParse({ mode: 'qmt', host: 'http://x' }).error!.issues.map((i) => i.message)).toEqual(['host.invalid'])
    expect(brokerFormSchema.safeParse({ mode: 'paper', host: '' }).success).toBe(true)
  })
})

describe('settings and connection test on sqlite', () => {
  useWebDb('sqlite')
  let ex: PaperExchangeHandle
  beforeAll(async () => {
    ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', start: at(10, 0), paused: true, tickMs: 60_000 })
  })
  afterAll(async () => {
    await ex?.close()
  })
  beforeEach(clearWorkerTables)

  it('stores risk, monitor, kill switch and broker settings with an audit trail, never returning the token', async () => {
    const admin = await makeUser('ADMIN')
    const actor = { id: admin, label: 'admin@example.com' }
    const e = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY })
    await saveRisk(riskFormSchema.parse({ maxExposurePct: '50', maxOrderValue: '', maxOrdersPerMinute: '5', maxActiveOrdersPerStock: '1', duplicateWindowSec: '30', maxDailyRealizedLoss: '20000', maxQuoteAgeSec: '20' }), actor)
    await saveMonitor(monitorFormSchema.parse({ intervalSeconds: '5', quoteProviders: ['sina', 'tencent'] }), actor)
    await switchKill(true, 'earnings', actor)
    const rt = await loadRuntimeSettings(defaults)
    expect(rt.risk).toMatchObject({ maxExposurePct: 0.5, maxOrderValue: null, maxOrdersPerMinute: 5, maxDailyRealizedLoss: 20000, maxQuoteAgeSec: 20 })
    expect(rt.intervalSeconds).toBe(5)
    expect(rt.quoteProviders).toEqual(['sina', 'tencent'])
    expect(rt.killSwitch).toMatchObject({ on: true, by: 'admin@example.com', reason: 'earnings' })

    await saveBroker(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port: '18000', token: 'secret-token-abcd', accountId: '', timeoutMs: '3000' }), actor)
    const view = await settingsView(e)
    expect(view.broker).toMatchObject({ source: 'settings', mode: 'qmt', host: '127.0.0.1', port: 18000, tokenHint: '••••abcd' })
    expect(JSON.stringify(view)).not.toContain('secret-token')
    expect(view.risk.meta).toMatchObject({ updatedBy: 'admin@example.com' })
    const audit = await getDb().auditLog.findMany({ where: { action: 'setting.put' } })
    expect(audit.map((a) => a.entityId).sort()).toEqual(['monitor.config', 'trading.killSwitch', 'trading.risk'])
    expect(JSON.stringify(audit)).not.toContain('secret-token')
    // The broker form edits the default broker account (issue 13): audit-logged, the token redacted.
    const brokerAudit = await getDb().auditLog.findMany({ where: { action: 'brokerAccount.update' } })
    expect(brokerAudit).toHaveLength(1)
    expect(brokerAudit[0]!.after).toMatchObject({ host: '127.0.0.1', port: 18000, tokenEnc: '[encrypted]', source: 'settings' })
    expect(JSON.stringify(brokerAudit)).not.toContain('secret-token')
    expect(view.broker.meta).toMatchObject({ updatedBy: 'admin@example.com' })
  })

  it('tests the connection and reports exactly what the bridge answered', async () => {
    const e = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY })
    const port = Number(new URL(ex.bridgeUrl).port)
    const ok = await testBrokerConnection(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port, token: ex.token }), e)
    expect(ok).toMatchObject({ success: true, mode: 'qmt', target: ex.bridgeUrl })
    expect(ok.message).toMatch(/已连接 QKA/)

    const wrong = await testBrokerConnection(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port, token: 'not-the-token' }), e)
    expect(wrong.success).toBe(false)
    expect(wrong.message).toMatch(/Token/)

    // No token typed: the stored one is used.
    const admin = await makeUser('ADMIN')
    await saveBroker(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port, token: ex.token }), { id: admin, label: 'a' })
    expect((await testBrokerConnection(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port }), e)).success).toBe(true)

    const closed = new URL(await closedPortUrl())
    const down = await testBrokerConnection(brokerFormSchema.parse({ mode: 'qmt', host: '127.0.0.1', port: closed.port, token: 'x', timeoutMs: 1000 }), e)
    expect(down.success).toBe(false)
    expect(down.message).toMatch(/QKA 未运行|ECONNREFUSED|refused/i)
  })
})

describe.each(providers())('quote preview on %s', (provider) => {
  useWebDb(provider)
  let fake: FakeSources
  beforeAll(async () => {
    fake = await startFakeSources()
  })
  afterAll(async () => {
    await fake?.close()
  })
  beforeEach(async () => {
    await clearWorkerTables()
    fake.universe.clear()
    fake.behaviour.tencent = { kind: 'serve' }
  })

  const env = () =>
    parseEnv({ DATABASE_URL: process.env.DATABASE_URL, QUOTE_PROVIDERS: 'tencent', QUOTE_TENCENT_URL: fake.baseUrl, QUOTE_TIMEOUT_MS: '1000' })
  const input = (over: Record<string, unknown> = {}) =>
    quotePreviewSchema.parse({ code: 'sh600000', entryLow: '9.20', entryHigh: '9.50', takeProfit: '11.00', stopLoss: '8.00', quant: { autoTrade: true, maxPositionPct: '20', minTradeAmount: '5000', entryPriceMode: 'BEST_OPPOSITE', entryOffsetTicks: '0' }, ...over })

  it('shows the live price, the limits, levels outside the band, and the order with the account snapshot', async () => {
    await getDb().setting.create({ data: { key: 'monitor.config', value: { quoteProviders: ['tencent'] } } })
    fake.add({ code: '600000.SH', name: '浦发银行', last: 9.35, prevClose: 9.5, open: 9.5, high: 9.6, low: 9.3, volume: 1_000_000, amount: 9_400_000, time: '2026-09-14 10:29:58' })
    let p = await quotePreview(input(), { env: env(), clock: fixedClock(at(10, 30)), locale: 'zh' })
    expect(p.source).toBe('live')
    expect(p.quote).toMatchObject({ last: 9.35, source: 'tencent' })
    expect(p.limits).toEqual({ up: 10.45, down: 8.55 })
    expect(p.inZone).toBe(true)
    const lv = Object.fromEntries(p.levels.map((l) => [l.key, l]))
    expect(lv.takeProfit).toMatchObject({ price: 11, outsideBand: 'above' })
    expect(lv.stopLoss).toMatchObject({ price: 8, outsideBand: 'below' })
    expect(lv.entryLow).toMatchObject({ outsideBand: null })
    expect(lv.entryLow!.pct).toBeCloseTo((9.2 - 9.35) / 9.35, 10)
    expect(p.order).toEqual({ status: 'account_unknown' })
    expect(p.account).toBeNull()

    await getDb().accountSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), totalAssetMilli: 1_000_000_000n, cashMilli: 600_000_000n, frozenCashMilli: 0n, marketValueMilli: 400_000_000n, takenAt: new Date() } })
    p = await quotePreview(input(), { env: env(), clock: fixedClock(at(10, 30)), locale: 'zh' })
    // 20 % of 1,000,000 at the ask (9.36 from the fake book): the largest lot multiple ≤ 200,000 yuan.
    expect(p.order.status).toBe('ok')
    if (p.order.status !== 'ok') throw new Error('unreachable')
    expect(p.order.quantity % 100).toBe(0)
    expect(p.order.quantity * p.order.price).toBeLessThanOrEqual(200_000)
    expect((p.order.quantity + 100) * p.order.price).toBeGreaterThan(200_000)

    // A position ratio too small for one lot → the sizing refusal, in English when asked.
    const small = await quotePreview(input({ quant: { maxPositionPct: '0.01', minTradeAmount: '0', entryOffsetTicks: '0' } }), { env: env(), clock: fixedClock(at(10, 30)), locale: 'en' })
    expect(small.order.status).toBe('refused')
    // Half-typed quant values: no guess.
    const bad = await quotePreview(input({ quant: { maxPositionPct: 'abc' } }), { env: env(), clock: fixedClock(at(10, 30)), locale: 'zh' })
    expect(bad.order).toEqual({ status: 'quant_invalid' })
  })

  it('shows a level typed as a percentage of cost at the price it resolves to against the entry zone', async () => {
    fake.add({ code: '600000.SH', name: '浦发银行', last: 9.35, prevClose: 9.5, open: 9.5, high: 9.6, low: 9.3, volume: 1_000_000, amount: 9_400_000, time: '2026-09-14 10:29:58' })
    const p = await quotePreview(input({ takeProfit: '', stopLoss: '', takeProfitPct: '5', stopLossPct: '3' }), { env: env(), clock: fixedClock(at(10, 30)), locale: 'zh' })
    const lv = Object.fromEntries(p.levels.map((l) => [l.key, l]))
    // 9.50 × 1.05 = 9.975 → 9.98; 9.20 × 0.97 = 8.924 → 8.93.
    expect(lv.takeProfit).toMatchObject({ price: 9.98, ofCost: 0.05 })
    expect(lv.stopLoss).toMatchObject({ price: 8.93, ofCost: -0.03 })
    expect(lv.entryLow!.ofCost).toBeUndefined()
  })

  it('falls back to the stored snapshot when the providers fail, and says both', async () => {
    fake.behaviour.tencent = { kind: 'status', status: 500 }
    const e = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, QUOTE_PROVIDERS: 'tencent', QUOTE_TENCENT_URL: fake.baseUrl })
    let p = await quotePreview(input(), { env: e, clock: fixedClock(at(10, 30)), locale: 'zh', fetchQuote: async () => { throw new Error('tencent: HTTP 500') } })
    expect(p).toMatchObject({ source: 'none', quote: null, liveError: 'tencent: HTTP 500', order: { status: 'no_quote' } })
    await seedSnapshot('600000.SH', { lastMilli: 9_400, prevCloseMilli: 9_500, quoteTime: at(10, 29), limitUpMilli: 10_450, limitDownMilli: 8_550 })
    p = await quotePreview(input(), { env: e, clock: fixedClock(at(10, 30)), locale: 'zh', fetchQuote: async () => { throw new Error('tencent: HTTP 500') } })
    expect(p).toMatchObject({ source: 'snapshot', liveError: 'tencent: HTTP 500', quote: { last: 9.4 }, limits: { up: 10.45, down: 8.55 } })
    // The real service path reports the provider failure too.
    const real = await quotePreview(input(), { env: e, clock: fixedClock(at(10, 30)), locale: 'zh' })
    expect(real.source).toBe('snapshot')
    expect(real.liveError).toMatch(/tencent/)
  })

  it('validates only the code', () => {
    expect(quotePreviewSchema.safeParse({ code: 'abc' }).success).toBe(false)
    expect(quotePreviewSchema.parse({ code: '600000', entryLow: '9.', takeProfit: 'x' })).toMatchObject({ code: '600000.SH', entryLow: null, takeProfit: null })
  })
})
