// The four end-to-end scenarios on the full stack — web + worker + paper exchange, like
// `npm run demo`, on throwaway ports and database, the simulated clock driven by the test:
//  1. a stock, added through the form, whose zone the paper exchange's scripted price walks into:
//     the row updates live, the entry notification and the filled order appear in tabs opened
//     before the move (no reload), the chart shows the levels;
//  2. auto-trade switched off (in the UI) on another stock: its signal notifies without an order;
//  3. the kill switch on (in the UI): a signal produces no order;
//  4. the paper exchange stopped: the dashboard shows the bridge down.
// Screenshots are saved under test-results/live-*.png in every run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { normalizeCode } from '@/lib/market'
import { screenshot, signIn, startFullStack, type FullStack } from './harness'

let stack: FullStack
let page: Page
const admin = { email: 'trader@example.com', password: 'correct horse battery' }
const ids: Record<string, number> = {}
const MONDAY = '2026-11-23'
const shanghai = (hhmmss: string) => new Date(`${MONDAY}T${hhmmss}+08:00`).toISOString()

const db = async () => (await import('@/lib/db/client')).getDb()
const testId = (id: string) => page.locator(`[data-testid="${id}"]`)

/** Creates a monitor through the API, as the form does. */
async function addStock(body: Record<string, unknown>): Promise<number> {
  const res = await page.request.post(`${stack.webUrl}/api/stocks`, { data: body })
  expect(res.status(), await res.text()).toBe(201)
  return (await res.json()).id
}

/** Creates a monitor through the add-stock form, as a trader does (the quant section included). */
async function addStockViaForm(v: { code: string; name: string; entryLow: string; entryHigh: string; takeProfit: string; stopLoss: string; maxPositionPct: string }): Promise<number> {
  await page.goto(`${stack.webUrl}/stocks/new`)
  for (const k of ['code', 'name', 'entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const) await page.fill(`#${k}`, v[k])
  await page.check('[id="quant.autoTrade"]')
  await page.fill('[id="quant.maxPositionPct"]', v.maxPositionPct)
  await page.fill('[id="quant.minTradeAmount"]', '5000')
  await Promise.all([page.waitForURL((u) => u.pathname === '/stocks'), page.click('button[type="submit"]')])
  const row = await (await db()).monitoredStock.findFirstOrThrow({ where: { code: normalizeCode(v.code), archivedAt: null }, include: { quantConfig: true } })
  expect(row.quantConfig).toMatchObject({ autoTrade: true, entryPriceMode: 'BEST_OPPOSITE' })
  return row.id
}

const quant = (autoTrade: boolean) => ({ autoTrade, maxPositionPct: 1, minTradeAmount: 5000, entryPriceMode: 'BEST_OPPOSITE', entryOffsetTicks: 0 })

beforeAll(async () => {
  stack = await startFullStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(admin.email, await hashPassword(admin.password), 'ADMIN')
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
  await signIn(page, stack.webUrl, admin.email, admin.password)

  // 600000.SH: a scripted day (previous close 9.20) that walks down into the 9.02–9.10 zone at
  // about 09:42 and stays there. The other two hold still, outside their zones, until moved.
  await stack.control('/control/clock', { now: shanghai('09:38:00'), paused: true })
  await stack.control('/control/scenario', { code: '600000.SH', prevClose: 9.2, script: { name: 'walkIntoZone', description: 'test walk', days: [{ points: [[0, 2], [10, 1.6], [12.5, -1.5], [240, -1.6]] }] } })
  await stack.control('/control/price', { code: '000001.SZ', name: '平安银行', last: 11.5, prevClose: 11.4 })
  await stack.control('/control/price', { code: '601398.SH', name: '工商银行', last: 8.3, prevClose: 8.2 })

  ids.walk = await addStockViaForm({ code: 'sh600000', name: '浦发银行', entryLow: '9.02', entryHigh: '9.10', takeProfit: '9.40', stopLoss: '8.80', maxPositionPct: '1' })
  ids.notify = await addStock({ code: '000001.SZ', name: '平安银行', entryLow: '11.00', entryHigh: '11.10', takeProfit: '12.00', stopLoss: '10.50', quant: quant(true) })
  ids.kill = await addStock({ code: '601398.SH', name: '工商银行', entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.60', stopLoss: '7.80', quant: quant(true) })
})

afterAll(async () => {
  await stack?.stop()
})

describe('live: web + worker + paper exchange', () => {
  it('1. the scripted price walks into the zone: the row updates live, the entry notification and the filled order appear, the chart shows the levels', async () => {
    // Two more tabs, opened before the market moves, must show the order and the notifications
    // arrive without a reload.
    const ordersTab = await page.context().newPage()
    await ordersTab.goto(`${stack.webUrl}/orders`)
    const notesTab = await page.context().newPage()
    await notesTab.goto(`${stack.webUrl}/notifications`)
    await page.goto(`${stack.webUrl}/`)
    await expect.poll(() => page.locator('[data-testid^="dash-row-"]').count()).toBe(3)
    expect(await testId('market-clock').getAttribute('data-mode')).toBe('sim')
    // The market opens for the worker: the clock runs at 6× from 09:38.
    await stack.control('/control/clock', { now: shanghai('09:38:00'), paused: false, speed: 6 })
    await expect.poll(() => testId('worker-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('ok')
    await expect.poll(() => testId('dash-fresh-600000.SH').getAttribute('data-state'), { timeout: 30_000 }).toBe('fresh')
    const first = await testId('dash-price-600000.SH').textContent()
    expect(Number(first)).toBeGreaterThan(9.1)
    // The price moves on screen without a reload …
    await expect.poll(() => testId('dash-price-600000.SH').textContent(), { timeout: 60_000 }).not.toBe(first)
    expect(await testId('market-phase').getAttribute('data-phase')).toBe('continuous')
    // … into the zone, and the monitor ends up holding what it bought.
    await expect.poll(() => testId('dash-state-600000.SH').getAttribute('data-state'), { timeout: 90_000 }).toBe('HOLDING')
    expect(Number(await testId('dash-price-600000.SH').textContent())).toBeLessThanOrEqual(9.12)
    expect(await testId('dash-signal-600000.SH').textContent()).toContain('进场')
    expect(Number(await testId('orders-today').textContent())).toBeGreaterThanOrEqual(1)
    expect(await testId('bridge-status').getAttribute('data-status')).toBe('up')
    await screenshot(page, 'live-dashboard')

    const d = await db()
    const [order] = await d.order.findMany({ where: { stockId: ids.walk } })
    expect(order).toMatchObject({ side: 'BUY', status: 'FILLED', xtStatus: 56 })
    await expect.poll(() => ordersTab.locator(`[data-testid="order-row-${order!.id}"]`).getAttribute('data-status'), { timeout: 20_000 }).toBe('FILLED')
    const liveTypes = () => notesTab.locator('[data-testid="notification"] [data-type]').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))
    await expect.poll(liveTypes, { timeout: 20_000 }).toEqual(expect.arrayContaining(['TRIGGER_ENTRY', 'ORDER_FILLED']))
    await ordersTab.close()
    await notesTab.close()

    await page.goto(`${stack.webUrl}/orders`)
    const row = testId(`order-row-${order!.id}`)
    await expect.poll(() => row.getAttribute('data-status')).toBe('FILLED')
    expect(await testId(`order-xt-${order!.id}`).textContent()).toContain('已成')
    expect(await row.textContent()).toContain(`${order!.filledQuantity} / ${order!.quantity} 股`)
    await screenshot(page, 'live-orders')

    await page.goto(`${stack.webUrl}/notifications`)
    const types = await page.locator('[data-testid="notification"] [data-type]').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))
    expect(types).toContain('TRIGGER_ENTRY')
    expect(types).toContain('ORDER_FILLED')
    await screenshot(page, 'live-notifications')

    await page.goto(`${stack.webUrl}/stocks/${ids.walk}`)
    const chart = testId('price-chart')
    await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 15_000 }).toBeGreaterThan(1)
    const lines = JSON.parse((await chart.getAttribute('data-price-lines')) ?? '[]') as Array<{ title: string; price: number }>
    expect(lines).toEqual(
      expect.arrayContaining([
        { title: '止盈', price: 9.4 },
        { title: '进场上限', price: 9.1 },
        { title: '进场下限', price: 9.02 },
        { title: '止损', price: 8.8 },
      ]),
    )
    expect(await testId('timeline-order-BUY').getAttribute('data-status')).toBe('FILLED')
    expect(await testId('timeline-trigger-ENTRY').getAttribute('data-outcome')).toBe('FILLED')
    await screenshot(page, 'live-stock-detail')
  })

  it('2. auto-trade switched off in the UI: the signal only notifies, no order is created', async () => {
    await page.goto(`${stack.webUrl}/`)
    const sw = testId('auto-trade-000001.SZ')
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('true')
    await sw.click()
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('false')
    const d = await db()
    await expect.poll(async () => (await d.quantConfig.findUniqueOrThrow({ where: { stockId: ids.notify! } })).autoTrade).toBe(false)

    await stack.control('/control/price', { code: '000001.SZ', last: 11.05, prevClose: 11.4 })
    await expect.poll(() => d.triggerEvent.count({ where: { stockId: ids.notify } }), { timeout: 30_000 }).toBe(1)
    const [trig] = await d.triggerEvent.findMany({ where: { stockId: ids.notify } })
    expect(trig).toMatchObject({ kind: 'ENTRY', autoTrade: false, outcome: 'NOTIFIED' })
    expect(await d.notification.count({ where: { stockId: ids.notify, type: 'TRIGGER_ENTRY' } })).toBe(1)
    // A few more cycles in the zone: still no order.
    await page.waitForTimeout(3_000)
    expect(await d.order.count({ where: { stockId: ids.notify } })).toBe(0)
    await expect.poll(() => testId('dash-signal-000001.SZ').textContent(), { timeout: 15_000 }).toContain('仅通知')
  })

  it('3. the kill switch on (confirmed in the UI): the signal is recorded and notified, no order', async () => {
    await page.goto(`${stack.webUrl}/settings`)
    await testId('kill-switch-toggle').click()
    await testId('kill-switch-toggle-confirm').click()
    await expect.poll(() => testId('settings-kill-state').getAttribute('data-state')).toBe('on')

    const d = await db()
    await stack.control('/control/price', { code: '601398.SH', last: 8.05, prevClose: 8.2 })
    await expect.poll(() => d.triggerEvent.count({ where: { stockId: ids.kill } }), { timeout: 30_000 }).toBe(1)
    const [trig] = await d.triggerEvent.findMany({ where: { stockId: ids.kill } })
    expect(trig).toMatchObject({ kind: 'ENTRY', autoTrade: true, outcome: 'KILL_SWITCH' })
    await expect.poll(() => d.notification.count({ where: { stockId: ids.kill, type: 'KILL_SWITCH_BLOCKED' } }), { timeout: 15_000 }).toBe(1)
    await page.waitForTimeout(3_000)
    expect(await d.order.count({ where: { stockId: ids.kill } })).toBe(0)

    await page.goto(`${stack.webUrl}/`)
    expect(await testId('kill-switch-state').getAttribute('data-state')).toBe('on')
    await expect.poll(() => testId('dash-signal-601398.SH').textContent(), { timeout: 15_000 }).toContain('总开关拦截')
    await screenshot(page, 'live-kill-switch')
  })

  it('4. the paper exchange stops: the dashboard shows the bridge down', async () => {
    await page.goto(`${stack.webUrl}/`)
    expect(await testId('bridge-status').getAttribute('data-status')).toBe('up')
    await stack.stopSim()
    // The worker marks the bridge down (ServiceHealth 'bridge'); the dashboard shows what it stored.
    // In demo mode the stopped exchange takes the simulated clock with it: the worker must still
    // probe the bridge when its clock sync fails (lib/services/trading/worker.ts tick()).
    await expect
      .poll(() => testId('bridge-status').getAttribute('data-status'), { timeout: 60_000, message: 'the worker never marked the bridge down after the paper exchange stopped' })
      .toBe('down')
    expect(await testId('banner-bridge').count()).toBe(1)
    expect(await testId('market-clock').textContent()).toContain('市场时钟不可用')
    await screenshot(page, 'live-bridge-down')
  })
})
