// Every live page in a real browser, against the built web app and the real paper exchange
// (QKA bridge, Tencent-format quotes and the simulated market clock, paused at 2026-09-14 10:30,
// continuous trading). The worker is not running here: what it writes (quotes, heartbeats, health,
// triggers, orders) is seeded into the database, so each page's states are shown deterministically.
// Screenshots of every page are saved under test-results/ in every run.
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { MiniQMTInterface } from '@/lib/broker'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { screenshot, signIn, startWebStack, type Stack } from './harness'
import { at, makeStock, seedHeartbeat, seedOrder, seedSnapshot, seedTrigger } from '../web/helpers'

let ex: PaperExchangeHandle
let stack: Stack
let page: Page
let ctx: BrowserContext
let bridgeOrderId = 0
let exClosed = false
const admin = { email: 'admin@example.com', password: 'correct horse battery' }
const plain = { email: 'user2@example.com', password: 'another good password' }
const ids: Record<string, number> = {}

const db = async () => (await import('@/lib/db/client')).getDb()
const testId = (id: string) => page.locator(`[data-testid="${id}"]`)
const control = (path: string, body: unknown) =>
  fetch(`${ex.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Token': ex.controlToken }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`)
    return r.json()
  })

beforeAll(async () => {
  ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', start: at(10, 30), paused: true, tickMs: 60_000 })
  await control('/control/price', { code: '600000.SH', name: '浦发银行', last: 9.35, prevClose: 9.3, asks: [{ price: 9.36, volume: 20000 }], bids: [{ price: 9.35, volume: 20000 }] })
  await control('/control/price', { code: '000001.SZ', name: '平安银行', last: 11.1, prevClose: 11.3 })
  await control('/control/holding', { code: '000001.SZ', volume: 1000, avgPrice: 11.0 })
  // A resting buy on the bridge (below the market): the one the orders page cancels.
  const b = new MiniQMTInterface({ baseUrl: ex.bridgeUrl, token: ex.token, clock: () => at(10, 30) })
  expect((await b.connect()).success).toBe(true)
  const placed = await b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.2, clientOrderId: 'dppages0001' })
  expect(placed.outcome).toBe('sent')
  bridgeOrderId = placed.orderId!

  const bridge = new URL(ex.bridgeUrl)
  stack = await startWebStack({
    MARKET_CLOCK: 'sim',
    SIM_URL: ex.url,
    BROKER: 'qmt',
    MINIQMT_HOST: bridge.hostname,
    MINIQMT_PORT: bridge.port,
    MINIQMT_TOKEN: ex.token,
    MINIQMT_TIMEOUT_MS: '3000',
    QUOTE_PROVIDERS: 'tencent',
    QUOTE_TENCENT_URL: ex.url,
    QUOTE_TIMEOUT_MS: '2000',
    WORKER_STALE_SECONDS: '30',
  })
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  ids.admin = (await createUser(admin.email, await hashPassword(admin.password), 'ADMIN')).id
  ids.plain = (await createUser(plain.email, await hashPassword(plain.password), 'USER')).id
  ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await ctx.newPage()
  await signIn(page, stack.webUrl, admin.email, admin.password)
})

afterAll(async () => {
  await stack?.stop()
  if (!exClosed) await ex?.close()
})

describe('live pages', () => {
  it('dashboard: empty state, and a header strip that says what it knows and does not know', async () => {
    await page.goto(`${stack.webUrl}/`)
    await expect.poll(() => testId('dashboard-empty').count()).toBe(1)
    expect(await testId('market-clock').getAttribute('data-mode')).toBe('sim')
    expect(await testId('market-clock').textContent()).toContain('模拟时钟')
    expect(await testId('market-clock').textContent()).toContain('09-14 10:30:00')
    expect(await testId('market-phase').getAttribute('data-phase')).toBe('continuous')
    expect(await testId('market-phase').textContent()).toContain('午间休市')
    expect(await testId('worker-status').getAttribute('data-status')).toBe('never')
    expect(await testId('bridge-status').getAttribute('data-status')).toBe('unknown')
    expect(await testId('kill-switch-state').getAttribute('data-state')).toBe('off')
    expect(await testId('orders-today').textContent()).toBe('0')
    expect(await testId('banner-worker').textContent()).toContain('npm run worker')
    await screenshot(page, 'dashboard-empty')
  })

  it('dashboard: rows with price, change colours, zone distance, levels, state, signal and freshness; live refresh', async () => {
    const a = await makeStock(ids.admin!, { code: '600000.SH', name: '浦发银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '10.20', stopLoss: '8.60' })
    const b = await makeStock(ids.admin!, { code: '000001.SZ', name: '平安银行', entryLow: '11.00', entryHigh: '11.20', takeProfit: '12.50', stopLoss: '10.50' })
    await makeStock(ids.admin!, { code: '510300.SH', name: '沪深300ETF', entryLow: '3.900', entryHigh: '3.950', takeProfit: '4.200', stopLoss: '3.800' })
    const theirs = await makeStock(ids.plain!, { code: '600519.SH', name: '贵州茅台', entryLow: '1500', entryHigh: '1550', takeProfit: '1700', stopLoss: '1450' })
    ids.a = a.id
    ids.b = b.id
    ids.theirs = theirs.id
    await seedSnapshot('600000.SH', { lastMilli: 9_350, prevCloseMilli: 9_300, quoteTime: at(10, 29, 58), name: '浦发银行' })
    await seedSnapshot('000001.SZ', { lastMilli: 11_100, prevCloseMilli: 11_300, quoteTime: at(10, 28), name: '平安银行' })
    const trig = await seedTrigger(a.id, { quoteTime: at(10, 5), outcome: 'ORDERED', priceMilli: 9_180 })
    ids.trig = trig.id
    ids.order = (await seedOrder(ids.admin!, a.id, trig.id, { status: 'SUBMITTED', bridgeOrderId: String(bridgeOrderId), xtStatus: 50 })).id
    await seedHeartbeat({ endedAt: new Date(), clockMode: 'sim', marketTime: at(10, 30) })
    const { setServiceHealth } = await import('@/lib/db/worker-status')
    await setServiceHealth('bridge', true)
    // Conditions (issue 14): 600000.SH valid until 09-30 with a daily entry window, a fixed amount and a
    // rebound entry, re-armed the next day; the ETF's validity ended on Friday 09-11 (the market day is 09-14).
    const d = await db()
    await d.monitoredStock.update({ where: { id: a.id }, data: { validUntilDay: '2026-09-30', entryWindowStartMin: 9 * 60 + 35, entryWindowEndMin: 14 * 60 + 50, entryTrigger: 'REBOUND', reboundBp: 100, rearmPolicy: 'NEXT_DAY' } })
    await d.quantConfig.update({ where: { stockId: a.id }, data: { entryQtyMode: 'AMOUNT', entryQty: 20_000 } })
    await d.monitoredStock.updateMany({ where: { code: '510300.SH', userId: ids.admin! }, data: { validUntilDay: '2026-09-11' } })

    await page.goto(`${stack.webUrl}/`)
    const rows = page.locator('[data-testid^="dash-row-"]')
    await expect.poll(() => rows.count()).toBe(3)
    expect(await testId('dash-row-600519.SH').count()).toBe(0)
    expect(await testId('dash-price-600000.SH').textContent()).toBe('9.35')
    expect(await testId('dash-price-600000.SH').getAttribute('class')).toContain('text-up')
    expect(await testId('dash-change-600000.SH').textContent()).toBe('+0.54%')
    expect(await testId('dash-change-000001.SZ').textContent()).toBe('−1.77%')
    expect(await testId('dash-price-000001.SZ').getAttribute('class')).toContain('text-down')
    expect(await testId('dash-zone-600000.SH').getAttribute('data-where')).toBe('above')
    expect(await testId('dash-zone-600000.SH').textContent()).toContain('需跌 1.60%')
    expect(await testId('dash-zone-000001.SZ').getAttribute('data-where')).toBe('inside')
    expect(await testId('dash-fresh-600000.SH').getAttribute('data-state')).toBe('fresh')
    expect(await testId('dash-fresh-000001.SZ').getAttribute('data-state')).toBe('stale')
    expect(await testId('dash-fresh-510300.SH').getAttribute('data-state')).toBe('none')
    expect(await testId('dash-price-510300.SH').textContent()).toBe('—')
    expect(await testId('dash-state-600000.SH').textContent()).toBe('监测中')
    expect(await testId('dash-signal-600000.SH').textContent()).toContain('进场')
    expect(await testId('dash-signal-600000.SH').textContent()).toContain('已下单')
    expect(await testId('dash-row-510300.SH').textContent()).toContain('3.900 – 3.950')
    expect(await testId('dash-cond-600000.SH').textContent()).toBe('有效至 09-30 · 09:35–14:50 · ¥20,000 · 反弹 1% · 次日重启')
    expect(await testId('dash-cond-000001.SZ').textContent()).toBe('仓位 20%')
    expect(await testId('dash-cond-510300.SH-expired').textContent()).toBe('已过期 09-11')
    expect(await testId('dash-cond-510300.SH-expired').getAttribute('title')).toContain('有效期已过')
    expect(await testId('worker-status').getAttribute('data-status')).toBe('ok')
    expect(await testId('bridge-status').getAttribute('data-status')).toBe('up')
    expect(await testId('orders-today').textContent()).toBe('1')
    await screenshot(page, 'dashboard')

    // Search and sort.
    await testId('dashboard-search').fill('平安')
    await expect.poll(() => rows.count()).toBe(1)
    await testId('dashboard-search').fill('')
    await testId('dashboard-sort').selectOption('change:-1')
    await expect.poll(() => rows.first().getAttribute('data-testid')).toBe('dash-row-600000.SH')
    await testId('dashboard-sort').selectOption('change:1')
    await expect.poll(() => rows.first().getAttribute('data-testid')).toBe('dash-row-510300.SH')

    // The row follows the stored quote without a reload: the worker stores quotes and ends its
    // cycle with a heartbeat, which the live stream announces.
    await seedSnapshot('600000.SH', { lastMilli: 9_150, prevCloseMilli: 9_300, quoteTime: at(10, 29, 59), name: '浦发银行' })
    await seedHeartbeat({ endedAt: new Date(), clockMode: 'sim', marketTime: at(10, 30) })
    await expect.poll(() => testId('dash-price-600000.SH').textContent(), { timeout: 15_000 }).toBe('9.15')
    expect(await testId('dash-price-600000.SH').getAttribute('class')).toContain('text-down')
    expect(await testId('dash-zone-600000.SH').getAttribute('data-where')).toBe('inside')
  })

  it('dashboard: auto-trade switch turns on from the keyboard after a confirmation, persisted and audit-logged', async () => {
    const sw = testId('auto-trade-600000.SH')
    expect(await sw.getAttribute('aria-checked')).toBe('false')
    await sw.focus()
    await page.keyboard.press('Space')
    await expect.poll(() => testId('auto-trade-600000.SH-dialog').isVisible()).toBe(true)
    expect(await sw.getAttribute('aria-checked')).toBe('false')
    await testId('auto-trade-600000.SH-confirm').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('true')
    await expect.poll(async () => (await (await db()).quantConfig.findUniqueOrThrow({ where: { stockId: ids.a! } })).autoTrade).toBe(true)
    // Survives the next refreshes (the row is re-keyed on the server value, not reset).
    await page.waitForTimeout(3_500)
    expect(await sw.getAttribute('aria-checked')).toBe('true')
    expect(await (await db()).auditLog.count({ where: { action: 'stock.autoTrade', entityId: String(ids.a) } })).toBe(1)
  })

  it('dashboard: bridge down and kill switch show as banners', async () => {
    const { setServiceHealth } = await import('@/lib/db/worker-status')
    await setServiceHealth('bridge', false, { error: 'connect ECONNREFUSED 127.0.0.1:18000' })
    await expect.poll(() => testId('bridge-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('down')
    expect(await testId('banner-bridge').textContent()).toContain('ECONNREFUSED')
    await setServiceHealth('bridge', true)
    await expect.poll(() => testId('banner-bridge').count(), { timeout: 15_000 }).toBe(0)
  })

  it('stock detail: chart with the levels drawn, timeline, re-arm after CLOSED, mark position managed', async () => {
    const d = await db()
    await d.quoteBar.createMany({
      data: [
        { code: '600000.SH', minute: at(9, 30), openMilli: 9_300, highMilli: 9_320, lowMilli: 9_280, closeMilli: 9_310 },
        { code: '600000.SH', minute: at(9, 31), openMilli: 9_310, highMilli: 9_330, lowMilli: 9_250, closeMilli: 9_260 },
        { code: '600000.SH', minute: at(10, 29), openMilli: 9_260, highMilli: 9_360, lowMilli: 9_150, closeMilli: 9_150 },
      ],
    })
    await d.notification.create({ data: { userId: ids.admin!, type: 'TRIGGER_ENTRY', title: '进场信号：600000.SH 浦发银行', body: '价格 9.18 进入进场区间 [9.00 - 9.20]。', stockId: ids.a!, triggerEventId: ids.trig! } })
    await page.goto(`${stack.webUrl}/stocks/${ids.a}`)
    const chart = testId('price-chart')
    await expect.poll(() => chart.getAttribute('data-bars')).toBe('3')
    const lines = JSON.parse((await chart.getAttribute('data-price-lines')) ?? '[]') as Array<{ title: string; price: number }>
    expect(lines).toEqual([
      { title: '止盈', price: 10.2 },
      { title: '进场上限', price: 9.2 },
      { title: '进场下限', price: 9 },
      { title: '止损', price: 8.6 },
    ])
    expect(await testId('level-takeProfit').textContent()).toContain('10.20')
    expect(await testId('timeline-trigger-ENTRY').count()).toBe(1)
    expect(await testId('timeline-order-BUY').getAttribute('data-status')).toBe('SUBMITTED')
    expect(await testId('timeline-order-BUY').textContent()).toContain('已报')
    expect(await testId('timeline-notification-TRIGGER_ENTRY').count()).toBe(1)
    expect(await testId('detail-rearm').count()).toBe(0)
    // The monitor's conditions, complete (set in the dashboard test).
    expect(await testId('detail-conditions-validity').textContent()).toBe('有效至 2026-09-30')
    expect(await testId('detail-conditions-window').textContent()).toBe('09:35–14:50（北京时间）')
    expect(await testId('detail-conditions-entryQty').textContent()).toBe('固定金额 ¥20,000（不超过总资产的 20%）')
    expect(await testId('detail-conditions-entryTrigger').textContent()).toBe('进入区间后自低点反弹 1% 触发')
    expect(await testId('detail-conditions-rearm').textContent()).toBe('下一交易日重新监控')
    await screenshot(page, 'stock-detail')

    // CLOSED → re-arm (confirmed) → WATCHING, episode + 1, version bumped.
    await d.monitoredStock.update({ where: { id: ids.a! }, data: { state: 'CLOSED' } })
    const before = await d.monitoredStock.findUniqueOrThrow({ where: { id: ids.a! } })
    await page.reload()
    await testId('detail-rearm').click()
    await expect.poll(() => testId('detail-rearm-dialog').isVisible()).toBe(true)
    await testId('detail-rearm-confirm').click()
    await expect.poll(() => testId('detail-notice').textContent()).toContain('已重新启用')
    await expect.poll(() => testId('detail-state').getAttribute('data-state')).toBe('WATCHING')
    const after = await d.monitoredStock.findUniqueOrThrow({ where: { id: ids.a! } })
    expect(after).toMatchObject({ state: 'WATCHING', episode: before.episode + 1, version: before.version + 1 })

    // 000001.SZ is held at the broker (snapshot): mark it managed.
    await d.positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: '000001.SZ', volume: 1000, canUseVolume: 1000, avgPriceMilli: 11_000, openPriceMilli: 11_000, marketValueMilli: 11_100_000n, takenAt: new Date() } })
    await page.goto(`${stack.webUrl}/stocks/${ids.b}`)
    await expect.poll(() => testId('chart-empty').count()).toBe(1)
    await testId('detail-manage').click()
    await testId('detail-manage-confirm').click()
    await expect.poll(() => testId('detail-notice').textContent()).toContain('1000')
    expect(await d.monitoredStock.findUniqueOrThrow({ where: { id: ids.b! } })).toMatchObject({ state: 'HOLDING', positionQty: 1000, positionSellableQty: 1000 })
    await expect.poll(() => testId('detail-position').textContent()).toContain('1000')
  })

  it('orders: counter status names, reject reason, filters, and a cancel that shows what the bridge answered', async () => {
    const trig2 = await seedTrigger(ids.b!, { kind: 'STOP_LOSS', quoteTime: at(10, 10), outcome: 'FAILED' })
    const rejected = await seedOrder(ids.admin!, ids.b!, trig2.id, { status: 'REJECTED', xtStatus: 57, statusMsg: '[COUNTER] [251005][证券可用数量不足]', side: 'SELL', bridgeOrderId: '99', code: '000001.SZ' })
    await page.goto(`${stack.webUrl}/orders`)
    await expect.poll(() => page.locator('[data-testid^="order-row-"]').count()).toBe(2)
    expect(await testId(`order-xt-${ids.order}`).textContent()).toContain('已报')
    expect(await testId(`order-xt-${rejected.id}`).textContent()).toContain('废单')
    expect(await testId(`order-msg-${rejected.id}`).textContent()).toContain('证券可用数量不足')
    expect(await testId(`order-bridge-${ids.order}`).textContent()).toBe(String(bridgeOrderId))
    expect(await testId(`order-cancel-${rejected.id}`).count()).toBe(0)
    await screenshot(page, 'orders')

    await testId(`order-cancel-${ids.order}`).click()
    await testId(`order-cancel-${ids.order}-confirm`).click()
    await expect.poll(() => testId(`cancel-result-${ids.order}`).textContent(), { timeout: 15_000 }).toContain('券商已受理撤单请求')
    expect(await testId(`cancel-result-${ids.order}`).textContent()).toContain(String(bridgeOrderId))
    const row = await (await db()).order.findUniqueOrThrow({ where: { id: ids.order! } })
    expect(row).toMatchObject({ status: 'SUBMITTED', cancelledBy: 'user' })
    expect(row.cancelRequestedAt).not.toBeNull()

    // Filter by status through the form.
    await page.selectOption('select[name="status"]', 'REJECTED')
    await Promise.all([page.waitForURL(/status=REJECTED/), page.click('[data-testid="orders-filter"] button[type="submit"]')])
    await expect.poll(() => page.locator('[data-testid^="order-row-"]').count()).toBe(1)
    await page.goto(`${stack.webUrl}/orders?from=2026-99-01`)
    expect(await testId('orders-filter-error').textContent()).toContain('日期格式')
  })

  it('account: live from the bridge with T+1 sellable quantity', async () => {
    await page.goto(`${stack.webUrl}/account`)
    await expect.poll(() => testId('account-live').count(), { timeout: 20_000 }).toBe(1)
    expect(await testId('account-numbers-total').textContent()).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/)
    expect(await testId('position-canuse-000001.SZ').textContent()).toBe('1000')
    expect(await testId('position-000001.SZ').textContent()).toContain('平安银行')
    await screenshot(page, 'account')
  })

  it('settings: field errors, saved risk limits, kill switch with confirmation, test connection', async () => {
    await page.goto(`${stack.webUrl}/settings`)
    await screenshot(page, 'settings')
    await page.fill('#maxExposurePct', '120')
    await page.fill('#maxOrdersPerMinute', '0')
    await testId('risk-save').click()
    await expect.poll(() => testId('error-maxExposurePct').textContent()).toContain('总仓位上限必须大于 0% 且不超过 100%')
    expect(await testId('error-maxOrdersPerMinute').textContent()).toContain('1 到 600')
    const d = await db()
    expect(await d.setting.findUnique({ where: { key: 'trading.risk' } })).toBeNull()
    // The API refuses the same values with the same field errors.
    const res = await page.request.put(`${stack.webUrl}/api/settings/risk`, { data: { maxExposurePct: 120, maxOrderValue: '', maxOrdersPerMinute: 0, maxActiveOrdersPerStock: 1, duplicateWindowSec: 60, maxDailyRealizedLoss: '', maxQuoteAgeSec: 15 } })
    expect(res.status()).toBe(400)
    expect((await res.json()).fields.maxExposurePct[0]).toContain('总仓位上限必须大于 0% 且不超过 100%')
    // Typed as a percentage, the unit beside the field; stored as the fraction.
    expect(await testId('unit-maxExposurePct').textContent()).toBe('%')
    await page.fill('#maxExposurePct', '60%')
    await page.fill('#maxOrdersPerMinute', '8')
    await testId('risk-save').click()
    await expect.poll(() => testId('risk-status').textContent()).toBe('已保存')
    expect((await d.setting.findUniqueOrThrow({ where: { key: 'trading.risk' } })).value).toMatchObject({ maxExposurePct: 0.6, maxOrdersPerMinute: 8 })
    // The stored fraction is shown as the percentage typed.
    await page.reload()
    await expect.poll(() => page.inputValue('#maxExposurePct')).toBe('60')

    // Kill switch: the dialog can be dismissed (Esc) without effect, then confirmed.
    await testId('kill-switch-toggle').click()
    await expect.poll(() => testId('kill-switch-toggle-dialog').isVisible()).toBe(true)
    await screenshot(page, 'settings-kill-confirm')
    await page.keyboard.press('Escape')
    await expect.poll(() => testId('kill-switch-toggle-dialog').isVisible()).toBe(false)
    expect(await testId('settings-kill-state').getAttribute('data-state')).toBe('off')
    await testId('kill-switch-toggle').click()
    await testId('kill-reason').fill('财报前暂停')
    await testId('kill-switch-toggle-confirm').click()
    await expect.poll(() => testId('settings-kill-state').getAttribute('data-state')).toBe('on')
    expect(await page.locator('section[aria-labelledby="kill-title"]').textContent()).toContain(admin.email)
    expect((await d.setting.findUniqueOrThrow({ where: { key: 'trading.killSwitch' } })).value).toMatchObject({ on: true, by: admin.email, reason: '财报前暂停' })

    // Test connection: what the bridge said, success only when it said so.
    await testId('broker-mode-qmt').check()
    await page.fill('#host', '127.0.0.1')
    await page.fill('#port', new URL(ex.bridgeUrl).port)
    await page.fill('#token', 'wrong-token')
    await testId('broker-test').click()
    await expect.poll(() => testId('broker-test-result').getAttribute('data-success'), { timeout: 15_000 }).toBe('false')
    expect(await testId('broker-test-result').textContent()).toContain('Token')
    await page.fill('#token', ex.token)
    await testId('broker-test').click()
    await expect.poll(() => testId('broker-test-result').getAttribute('data-success'), { timeout: 15_000 }).toBe('true')
    expect(await testId('broker-test-result').textContent()).toContain('已连接 QKA')
    await page.fill('#host', '')
    await testId('broker-test').click()
    await expect.poll(() => testId('error-host').textContent()).toContain('请填写桥接地址')
    // The page never carries the token back.
    const view = await (await page.request.get(`${stack.webUrl}/api/settings`)).text()
    expect(view).not.toContain(ex.token)

    // The dashboard shows the kill switch.
    await page.goto(`${stack.webUrl}/`)
    await expect.poll(() => testId('kill-switch-state').getAttribute('data-state')).toBe('on')
    expect(await testId('banner-kill').textContent()).toContain(admin.email)
  })

  it('status: heartbeat history, last errors, service health, clock', async () => {
    await seedHeartbeat({ endedAt: new Date(Date.now() - 10_000), errors: 1, errorText: 'bridge: connect ECONNREFUSED 127.0.0.1:18000', clockMode: 'sim', marketTime: at(10, 29) })
    const { setServiceHealth } = await import('@/lib/db/worker-status')
    await setServiceHealth('quotes:tencent', true)
    await page.goto(`${stack.webUrl}/status`)
    await expect.poll(() => page.locator('[data-testid="heartbeats-table"] tbody tr').count()).toBe(await (await db()).workerHeartbeat.count())
    expect(await testId('errors-list').textContent()).toContain('ECONNREFUSED')
    expect(await testId('service-bridge').getAttribute('data-status')).toBe('up')
    expect(await testId('service-quotes:tencent').textContent()).toContain('行情源 tencent')
    expect(await testId('status-clock').getAttribute('data-mode')).toBe('sim')
    expect(await testId('status-clock').textContent()).toContain('连续竞价')
    await screenshot(page, 'status')
  })

  it('notifications: type names, stock links, mark read with the nav badge', async () => {
    const d = await db()
    await d.notification.create({ data: { userId: ids.admin!, type: 'ORDER_FILLED', title: '已成交：买入 600000.SH 浦发银行', body: '买入 100 股，均价 9.20。', stockId: ids.a! } })
    // The web app's own stall watch may add a WORKER_STALLED notice meanwhile: compare with the database.
    const mine = { userId: ids.admin! }
    await page.goto(`${stack.webUrl}/notifications`)
    expect(await page.locator('[data-testid="notification"]').count()).toBe(await d.notification.count({ where: mine }))
    const unread = async () => ((await testId('unread-badge').count()) ? Number(await testId('unread-badge').textContent()) : 0)
    await expect.poll(async () => (await unread()) === (await d.notification.count({ where: { ...mine, readAt: null } })), { timeout: 15_000 }).toBe(true)
    const filled = page.locator('[data-testid="notification"]', { has: page.locator('[data-type="ORDER_FILLED"]') })
    expect(await filled.textContent()).toContain('已成交')
    expect(await filled.locator('a').first().getAttribute('href')).toBe(`/stocks/${ids.a}`)
    await screenshot(page, 'notifications')
    const before = await d.notification.count({ where: { ...mine, readAt: null } })
    await filled.locator('[data-testid^="mark-read-"]').click()
    await expect.poll(() => d.notification.count({ where: { ...mine, readAt: null, type: 'ORDER_FILLED' } }), { timeout: 15_000 }).toBe(0)
    expect(await d.notification.count({ where: { ...mine, readAt: null } })).toBeLessThanOrEqual(before)
    await expect.poll(async () => (await unread()) === (await d.notification.count({ where: { ...mine, readAt: null } })), { timeout: 15_000 }).toBe(true)
  })

  it('add form: live quote preview with limits, a level outside the band, and the order auto-trade would send', async () => {
    const d = await db()
    await d.accountSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), totalAssetMilli: 1_000_000_000n, cashMilli: 800_000_000n, frozenCashMilli: 0n, marketValueMilli: 200_000_000n, takenAt: new Date() } })
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.fill('#code', '600000')
    await expect.poll(() => testId('preview-last').textContent(), { timeout: 15_000 }).toBe('9.35')
    expect(await testId('preview-quote').getAttribute('data-source')).toBe('live')
    expect(await testId('preview-limits').textContent()).toContain('10.23')
    expect(await testId('preview-limits').textContent()).toContain('8.37')
    await page.fill('#entryLow', '9.20')
    await page.fill('#entryHigh', '9.40')
    await page.fill('#takeProfit', '10.50')
    await page.fill('#stopLoss', '8.80')
    await expect.poll(() => testId('preview-level-takeProfit').getAttribute('data-outside'), { timeout: 10_000 }).toBe('above')
    expect(await testId('preview-level-takeProfit').textContent()).toContain('高于今日涨停价 10.23')
    expect(await testId('preview-level-stopLoss').getAttribute('data-outside')).toBe('')
    await expect.poll(() => testId('preview-order').getAttribute('data-status')).toBe('ok')
    // 20 % of 1,000,000 at the ask 9.36: 21300 shares (199,368 yuan).
    expect(await testId('preview-order').textContent()).toContain('买入 21300 股')
    expect(await testId('preview-order').textContent()).toContain('自动交易未开启')
    await screenshot(page, 'stock-form-preview')
  })

  it('English switch and a phone-sized screen', async () => {
    await page.goto(`${stack.webUrl}/`)
    await page.getByRole('button', { name: 'English' }).click()
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Live monitor')
    expect(await testId('market-phase').textContent()).toContain('Continuous trading')
    expect(await testId('dash-cond-600000.SH').textContent()).toBe('until 09-30 · 09:35–14:50 · ¥20,000 · rebound 1% · re-arm next day')
    expect(await testId('dash-cond-510300.SH-expired').textContent()).toBe('Expired 09-11')
    await screenshot(page, 'dashboard-en')
    await page.getByRole('button', { name: '中文' }).click()
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('实时监测')

    const phone = await ctx.newPage()
    await phone.setViewportSize({ width: 390, height: 844 })
    await phone.goto(`${stack.webUrl}/`)
    await expect.poll(() => phone.locator('[data-testid^="dash-row-"]').count()).toBe(3)
    // Nothing but the table scrolls sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391)
    await screenshot(phone, 'dashboard-phone')
    await phone.close()
  })

  it('owner scope over HTTP: another user sees and changes none of these stocks or orders', async () => {
    const other = await stack.browser.newContext()
    const p = await other.newPage()
    await signIn(p, stack.webUrl, plain.email, plain.password)
    const get = (u: string) => p.request.get(`${stack.webUrl}${u}`)
    const post = (u: string) => p.request.post(`${stack.webUrl}${u}`, { data: {} })
    expect((await get(`/api/stocks/${ids.a}/detail`)).status()).toBe(404)
    expect((await post(`/api/stocks/${ids.a}/rearm`)).status()).toBe(404)
    expect((await post(`/api/stocks/${ids.b}/manage-position`)).status()).toBe(404)
    expect((await post(`/api/orders/${ids.order}/cancel`)).status()).toBe(404)
    expect((await (await get('/api/orders')).json()).total).toBe(0)
    const dash = await (await get('/api/dashboard')).json()
    expect(dash.rows.map((r: { code: string }) => r.code)).toEqual(['600519.SH'])
    // Not an admin: settings are read-only and writes are refused.
    expect((await p.request.put(`${stack.webUrl}/api/settings/kill-switch`, { data: { on: false } })).status()).toBe(403)
    expect((await p.request.post(`${stack.webUrl}/api/settings/broker/test`, { data: { mode: 'paper' } })).status()).toBe(403)
    await p.goto(`${stack.webUrl}/settings`)
    expect(await p.locator('[data-testid="settings-readonly"]').count()).toBe(1)
    expect(await p.locator('[data-testid="kill-switch-toggle"]').isDisabled()).toBe(true)
    await other.close()
  })

  it('bridge gone: the account page says so and shows the last snapshot, labelled', async () => {
    await ex.close()
    exClosed = true
    await page.goto(`${stack.webUrl}/account`)
    await expect.poll(() => testId('account-bridge-down').count(), { timeout: 20_000 }).toBe(1)
    expect(await testId('account-bridge-down').textContent()).toContain('连接失败')
    expect(await testId('account-snapshot').textContent()).toContain('不是实时数据')
    expect(await testId('snapshot-numbers-total').textContent()).toBe('1,000,000.00')
    await screenshot(page, 'account-bridge-down')
    // The dashboard says the simulated clock is unreachable.
    await page.goto(`${stack.webUrl}/`)
    expect(await testId('market-clock').textContent()).toContain('市场时钟不可用')
  })
})
