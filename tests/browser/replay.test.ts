// Replay (回放/试算) from the add form in a real browser: the built web app reads K-lines from the
// real paper exchange over HTTP (its Tencent/Eastmoney K-line endpoints), runs the replay and draws
// the candles with triggers and fills, the variants side by side, the trades and the 复权 note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { screenshot, signIn, startWebStack, type Stack } from './harness'
import { shanghaiTime, toMilli } from '@/lib/market'
import { at, makeStock } from '../web/helpers'

let ex: PaperExchangeHandle
let stack: Stack
let page: Page
let ctx: BrowserContext
const admin = { email: 'admin@example.com', password: 'correct horse battery' }
let adminId = 0
let stockId = 0
const testId = (id: string) => page.locator(`[data-testid="${id}"]`)

beforeAll(async () => {
  // After the close: every bar of the day is final.
  ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', start: at(15, 30), paused: true, tickMs: 60_000 })
  stack = await startWebStack({
    MARKET_CLOCK: 'sim',
    SIM_URL: ex.url,
    QUOTE_PROVIDERS: 'tencent',
    QUOTE_TENCENT_URL: ex.url,
    HISTORY_PROVIDERS: 'tencent,eastmoney',
    HISTORY_TENCENT_URL: ex.url,
    HISTORY_TENCENT_MINUTE_URL: ex.url,
    HISTORY_EASTMONEY_URL: ex.url,
  })
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  adminId = (await createUser(admin.email, await hashPassword(admin.password), 'ADMIN')).id
  ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 1400 } })
  page = await ctx.newPage()
  await signIn(page, stack.webUrl, admin.email, admin.password)
}, 180_000)

afterAll(async () => {
  await stack?.stop()
  await ex?.close()
})

describe('replay panel in the add form', () => {
  it('runs a 60-day daily replay with a variant: chart with markers, variants compared, trades, qfq note', async () => {
    const last = ex.exchange.quote('600000.SH').last
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.fill('#code', '600000')
    await page.fill('#takeProfit', (last * 1.04).toFixed(2))
    await page.fill('#stopLoss', (last * 0.96).toFixed(2))
    const panel = testId('replay-form')
    await expect.poll(() => panel.count()).toBe(1)
    await testId('replay-add-variant').click()
    await testId('replay-variant-0-stopLoss').fill((last * 0.98).toFixed(2))
    await testId('replay-run').click()
    await expect.poll(() => testId('replay-result').count(), { timeout: 30_000 }).toBe(1)
    expect(await testId('replay-adjust').getAttribute('data-adjust')).toBe('qfq')
    expect(await testId('replay-adjust').textContent()).toContain('前复权')
    expect(await page.locator('[data-testid^="replay-summary-"]').count()).toBe(2)
    // No entry zone: the position is held from the first bar, so a level fired or the position is open.
    const chart = testId('replay-chart')
    expect(Number(await chart.getAttribute('data-bars'))).toBe(60)
    await expect.poll(async () => Number(await chart.getAttribute('data-markers'))).toBeGreaterThan(0)
    expect(await testId('replay-drawdown-0').textContent()).toMatch(/^\d+\.\d{2}%/)
    // The form's quant settings (defaults here) were sent and applied.
    expect(await testId('replay-settings').getAttribute('data-applied')).toBe('yes')
    expect((await testId('replay-trades').count()) + (await testId('replay-no-trades').count())).toBe(1)
    await screenshot(page, 'replay-form-daily')
  }, 90_000)

  it('minute bars: says the prices are not adjusted; an unknown range shows the error', async () => {
    await testId('replay-bar').selectOption('m5')
    await testId('replay-range').selectOption('20')
    await testId('replay-run').click()
    await expect.poll(async () => await testId('replay-adjust').getAttribute('data-adjust'), { timeout: 30_000 }).toBe('none')
    expect(await testId('replay-adjust').textContent()).toContain('未复权')
    expect(Number(await testId('replay-chart').getAttribute('data-bars'))).toBe(20 * 48)

    await testId('replay-range').selectOption('dates')
    await testId('replay-start').fill('2026-09-10')
    await testId('replay-end').fill('2026-09-01')
    await testId('replay-run').click()
    await expect.poll(() => testId('replay-error').count(), { timeout: 15_000 }).toBe(1)
    expect(await testId('replay-error').textContent()).toContain('结束日期不能早于开始日期')
  }, 90_000)
})

describe('replay panel on the stock page', () => {
  it('replays the stock levels (an entry zone around the recent prices) and shows the entry fired first', async () => {
    const last = ex.exchange.quote('600000.SH').last
    const f = (x: number) => x.toFixed(2)
    const stock = await makeStock(adminId, { code: '600000.SH', entryLow: f(last * 0.99), entryHigh: f(last * 1.01), takeProfit: f(last * 1.08), stopLoss: f(last * 0.92) })
    stockId = stock.id
    await page.goto(`${stack.webUrl}/stocks/${stock.id}`)
    await expect.poll(() => testId('replay-panel').count()).toBe(1)
    await testId('replay-range').selectOption('20')
    await testId('replay-run').click()
    await expect.poll(() => testId('replay-result').count(), { timeout: 30_000 }).toBe(1)
    expect(await testId('replay-adjust').getAttribute('data-adjust')).toBe('qfq')
    expect(Number(await testId('replay-chart').getAttribute('data-bars'))).toBe(20)
    // The zone straddles today's price, so the entry fires on some day of the range.
    expect(await testId('replay-first-0').textContent()).toContain('买入区间')
    await screenshot(page, 'replay-stock-page')
  }, 90_000)
})

describe("replay from DingPan's stored bars, in the dark theme", () => {
  it('picks the stored source (1-minute bars, the retention said), replays them, and the chart follows the dark theme', async () => {
    const { saveQuotes } = await import('@/lib/db/quotes')
    const last = ex.exchange.quote('600000.SH').last
    const t0 = shanghaiTime('2026-09-14', '09:30').getTime()
    const bars = Array.from({ length: 30 }, (_, i) => {
      const p = toMilli(last) + Math.round(Math.sin(i / 3) * 5) * 10
      return { code: '600000.SH', minute: new Date(t0 + i * 60_000), openMilli: p, highMilli: p + 20, lowMilli: p - 20, closeMilli: p + 10 }
    })
    await saveQuotes([], bars, new Date())
    await page.goto(`${stack.webUrl}/stocks/${stockId}`)
    await expect.poll(() => testId('replay-panel').count()).toBe(1)
    await testId('replay-source').selectOption('stored')
    expect(await testId('replay-bar').inputValue()).toBe('m1')
    expect(await testId('replay-stored-note').textContent()).toContain('10 天')
    await testId('replay-run').click()
    await expect.poll(() => testId('replay-result').count(), { timeout: 30_000 }).toBe(1)
    expect(Number(await testId('replay-chart').getAttribute('data-bars'))).toBe(30)
    expect(await testId('replay-result').textContent()).toContain('数据源 盯盘自存1分钟K线')
    expect(await testId('replay-settings').getAttribute('data-applied')).toBe('yes')

    // The chart's background: white in the light theme, the dark card colour in the dark one.
    const corner = () =>
      page.evaluate(() => {
        const c = document.querySelector('[data-testid="replay-chart"] canvas') as HTMLCanvasElement | null
        const d = c?.getContext('2d')?.getImageData(3, 3, 1, 1).data
        return d ? d[0]! + d[1]! + d[2]! : -1
      })
    expect(await testId('replay-chart').getAttribute('data-theme')).toBe('light')
    await expect.poll(corner).toBeGreaterThan(700)
    await page.locator('[data-testid="theme-switch"]').selectOption('dark')
    await expect.poll(() => testId('replay-chart').getAttribute('data-theme')).toBe('dark')
    await expect.poll(corner).toBeLessThan(150)
    await screenshot(page, 'replay-stored-dark')
    await page.locator('[data-testid="theme-switch"]').selectOption('light')
    await expect.poll(() => testId('replay-chart').getAttribute('data-theme')).toBe('light')
  }, 90_000)

  it("the edit form sends its quant settings with the replay (stored source)", async () => {
    await page.goto(`${stack.webUrl}/stocks/${stockId}/edit`)
    const panel = testId('replay-form')
    await expect.poll(() => panel.count()).toBe(1)
    await panel.locator('[data-testid="replay-source"]').selectOption('stored')
    await panel.locator('[data-testid="replay-run"]').click()
    await expect.poll(() => panel.locator('[data-testid="replay-result"]').count(), { timeout: 30_000 }).toBe(1)
    expect(await panel.locator('[data-testid="replay-settings"]').getAttribute('data-applied')).toBe('yes')
    expect(Number(await panel.locator('[data-testid="replay-chart"]').getAttribute('data-bars'))).toBe(30)
  }, 90_000)
})
