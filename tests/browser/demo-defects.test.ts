// Issue 16, "Defects seen on today's demo", checked in a real browser on the full demo stack (web +
// worker + paper exchange on throwaway ports): each test names the defect it covers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { screenshot, signIn, startFullStack, type FullStack } from './harness'
import { contrastFailures } from './contrast'

let stack: FullStack
let page: Page
const admin = { email: 'trader@example.com', password: 'correct horse battery' }
const ids: Record<string, number> = {}
const MONDAY = '2026-11-23'
const shanghai = (hhmmss: string) => new Date(`${MONDAY}T${hhmmss}+08:00`).toISOString()
const CJK = /[\u3400-\u9fff]/
const EMOJI = /\p{Extended_Pictographic}/u

const db = async () => (await import('@/lib/db/client')).getDb()
const testId = (id: string, p: Page = page) => p.locator(`[data-testid="${id}"]`)

async function addStock(body: Record<string, unknown>): Promise<number> {
  const res = await page.request.post(`${stack.webUrl}/api/stocks`, { data: body })
  expect(res.status(), await res.text()).toBe(201)
  return (await res.json()).id
}

beforeAll(async () => {
  stack = await startFullStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  ids.admin = (await createUser(admin.email, await hashPassword(admin.password), 'ADMIN')).id
  page = await (await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  await signIn(page, stack.webUrl, admin.email, admin.password)
  await stack.control('/control/clock', { now: shanghai('10:00:00'), paused: true })
  await stack.control('/control/price', { code: '600000.SH', name: '浦发银行', last: 9.3, prevClose: 9.2 })
  await stack.control('/control/price', { code: '000001.SZ', name: '平安银行', last: 11.5, prevClose: 11.4 })
  await stack.control('/control/price', { code: '601398.SH', name: '工商银行', last: 8.3, prevClose: 8.2 })
  ids.a = await addStock({ code: '600000.SH', name: '浦发银行', entryLow: '9.02', entryHigh: '9.10', takeProfit: '9.60', stopLoss: '8.80' })
  ids.b = await addStock({ code: '000001.SZ', name: '平安银行', entryLow: '11.00', entryHigh: '11.10', takeProfit: '12.00', stopLoss: '10.50' })
})

afterAll(async () => {
  await stack?.stop()
})

describe('the demo defects of issue 16', () => {
  it('1/2. freshness is judged at the quote clock\'s pace (a fast simulated clock does not cry "stale"); the market clock and the computer clock are labelled', async () => {
    await page.goto(`${stack.webUrl}/`)
    // 30 market seconds per real second: one 1 s worker cycle is 30 s of market time.
    await stack.control('/control/clock', { now: shanghai('10:00:00'), paused: false, speed: 30 })
    await expect.poll(() => testId('dash-fresh-600000.SH').getAttribute('data-state'), { timeout: 30_000 }).toBe('fresh')
    const states: string[] = []
    for (let i = 0; i < 16; i++) {
      await page.waitForTimeout(500)
      states.push((await testId('dash-fresh-600000.SH').getAttribute('data-state')) ?? '')
      states.push((await testId('dash-fresh-000001.SZ').getAttribute('data-state')) ?? '')
    }
    expect(states.filter((s) => s !== 'fresh')).toEqual([])
    const updated = testId('dashboard-updated')
    expect(await updated.getAttribute('data-clock')).toBe('sim')
    expect(await updated.textContent()).toMatch(/更新于 \d\d:\d\d:\d\d（市场时间） · 本机时间 \d\d:\d\d:\d\d/)
    await stack.control('/control/clock', { now: shanghai('10:00:00'), paused: true })
    await page.goto(`${stack.webUrl}/orders`)
    expect(await testId('clock-note').count()).toBe(1)
  })

  it('7. the paper exchange is called 模拟盘 in the header, the settings and the account', async () => {
    await page.goto(`${stack.webUrl}/`)
    expect(await testId('paper-badge').textContent()).toBe('模拟盘')
    await page.goto(`${stack.webUrl}/settings`)
    expect(await testId('paper-notice').textContent()).toContain('模拟盘')
    await page.goto(`${stack.webUrl}/account`)
    expect(await testId('paper-notice').textContent()).toContain('模拟盘')
  })

  it('13. a favicon; /stocks/999 and unknown pages answer 404 with our own page; a half-typed code asks nothing (no 400)', async () => {
    const icon = await page.request.get(`${stack.webUrl}/favicon.ico`)
    expect(icon.status()).toBe(200)
    expect(icon.headers()['content-type']).toMatch(/image/)
    for (const p of ['/stocks/999', '/stocks/999/edit', '/no-such-page']) {
      const res = await page.goto(`${stack.webUrl}${p}`)
      expect(res?.status(), p).toBe(404)
      expect(await testId('not-found').textContent(), p).toContain('找不到这个页面')
      expect(await page.textContent('body'), p).not.toContain('This page could not be found')
    }
    const previews: number[] = []
    page.on('response', (r) => {
      if (r.url().includes('/api/quotes/preview')) previews.push(r.status())
    })
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.locator('#code').pressSequentially('60000', { delay: 250 })
    await page.waitForTimeout(1_200)
    expect(previews).toEqual([])
    await page.locator('#code').pressSequentially('0')
    await expect.poll(() => previews.length, { timeout: 15_000 }).toBeGreaterThan(0)
    expect(previews.filter((s) => s !== 200), `preview answers ${previews.join(',')}`).toEqual([])
  })

  it('8. the name is filled from the code; the demo prices 600519 near its real level and labels the price simulated', async () => {
    // (continues on the form above: 600000 typed, the name field empty)
    await expect.poll(() => page.inputValue('#name'), { timeout: 15_000 }).toBe('浦发银行')
    expect(await testId('preview-simulated').textContent()).toContain('模拟行情')
    // A typed name is kept when the code changes.
    await page.fill('#name', '我的名字')
    await page.fill('#code', '600519')
    await expect.poll(async () => Number(await testId('preview-last').textContent()), { timeout: 15_000 }).toBeGreaterThan(1000)
    expect(await page.inputValue('#name')).toBe('我的名字')
  })

  it('12. a closed stock shows no distances', async () => {
    const d = await db()
    await d.monitoredStock.update({ where: { id: ids.b }, data: { state: 'CLOSED', version: { increment: 1 } } })
    await page.goto(`${stack.webUrl}/`)
    await expect.poll(() => testId('dash-state-000001.SZ').getAttribute('data-state'), { timeout: 15_000 }).toBe('CLOSED')
    expect(await testId('dash-zone-000001.SZ').getAttribute('data-where')).toBe('none')
    expect(await testId('dash-zone-000001.SZ').textContent()).not.toMatch(/需|%/)
    expect(await testId('dash-zone-600000.SH').getAttribute('data-where')).toBe('above')
  })

  it('9. turning auto-trade on asks first and shows what would be sent now; turning it off does not ask', async () => {
    await page.goto(`${stack.webUrl}/`)
    const sw = testId('auto-trade-600000.SH')
    expect(await sw.getAttribute('aria-checked')).toBe('false')
    await sw.click()
    await expect.poll(() => testId('auto-trade-600000.SH-dialog').isVisible()).toBe(true)
    await expect.poll(() => testId('auto-trade-600000.SH-plan').getAttribute('data-state'), { timeout: 15_000 }).toBe('ready')
    // 9.30 is above the 9.02–9.10 zone: nothing now, and the order it would send when it gets there.
    expect(await testId('auto-confirm-when').getAttribute('data-when')).toBe('later')
    expect(await testId('auto-confirm-order').textContent()).toBeTruthy()
    await screenshot(page, 'defects-auto-trade-confirm')
    await page.getByRole('button', { name: '取消' }).click()
    expect(await sw.getAttribute('aria-checked')).toBe('false')
    const d = await db()
    expect((await d.quantConfig.findUniqueOrThrow({ where: { stockId: ids.a } })).autoTrade).toBe(false)
    await sw.click()
    await expect.poll(() => testId('auto-trade-600000.SH-plan').getAttribute('data-state'), { timeout: 15_000 }).toBe('ready')
    await testId('auto-trade-600000.SH-confirm').click()
    await expect.poll(async () => (await d.quantConfig.findUniqueOrThrow({ where: { stockId: ids.a } })).autoTrade).toBe(true)
    await page.reload()
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('true')
    await sw.click()
    expect(await testId('auto-trade-600000.SH-dialog').isVisible()).toBe(false)
    await expect.poll(async () => (await d.quantConfig.findUniqueOrThrow({ where: { stockId: ids.a } })).autoTrade).toBe(false)
  })

  it('10. an archived stock reads as not monitoring and can be restored (disabled, auto-trade off)', async () => {
    ids.c = await addStock({ code: '601398.SH', name: '工商银行', entryLow: '8.00', entryHigh: '8.10', takeProfit: '8.60', stopLoss: '7.80', quant: { autoTrade: true, maxPositionPct: 1, minTradeAmount: 5000 } })
    expect((await page.request.delete(`${stack.webUrl}/api/stocks/${ids.c}`)).status()).toBe(200)
    await page.goto(`${stack.webUrl}/stocks?archived=1`)
    const row = testId('stock-row-601398.SH')
    expect(await testId('stock-state-601398.SH').getAttribute('data-state')).toBe('ARCHIVED')
    expect(await row.textContent()).toContain('不在监测')
    expect(await row.textContent()).not.toContain('自动交易已开启')
    expect(await testId('auto-trade-601398.SH').count()).toBe(0)
    await testId('restore-601398.SH').click()
    await expect.poll(() => testId('restore-notice').textContent()).toContain('601398.SH')
    // The refreshed archived list no longer holds it (here: it is empty), and the notice stays on screen.
    await expect.poll(() => testId('stock-row-601398.SH').count()).toBe(0)
    expect(await testId('restore-notice').textContent()).toContain('601398.SH')
    const d = await db()
    const back = await d.monitoredStock.findUniqueOrThrow({ where: { id: ids.c }, include: { quantConfig: true } })
    expect(back).toMatchObject({ archivedAt: null, enabled: false, activeKey: `${ids.admin}:${back.brokerAccountId}:601398.SH` })
    expect(back.quantConfig?.autoTrade).toBe(false)
    await page.goto(`${stack.webUrl}/stocks`)
    expect(await testId('stock-row-601398.SH').count()).toBe(1)
  })

  it('14. saving says so; the list and the dashboard list the stocks in the same order', async () => {
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.fill('#code', '300750')
    await page.fill('#name', '宁德时代')
    await page.fill('#entryLow', '270')
    await page.fill('#entryHigh', '275')
    await page.fill('#takeProfit', '300')
    await page.fill('#stopLoss', '260')
    await Promise.all([page.waitForURL((u) => u.pathname === '/stocks' && u.searchParams.has('created')), page.click('button[type="submit"]')])
    expect(await testId('save-notice').textContent()).toContain('300750.SZ')
    const listed = await page.locator('[data-testid^="stock-row-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('stock-row-', '')))
    await page.goto(`${stack.webUrl}/`)
    await expect.poll(() => page.locator('[data-testid^="dash-row-"]').count()).toBe(listed.length)
    const dashed = await page.locator('[data-testid^="dash-row-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('dash-row-', '')))
    expect(dashed).toEqual(listed)
  })

  it('3/6. on a phone: a refused save scrolls to and focuses the first invalid field, with an announced summary; nav, badge and cards fit 390 px', async () => {
    const d = await db()
    await d.notification.create({ data: { userId: ids.admin!, type: 'TRIGGER_ENTRY', title: 't', body: 'b' } })
    const phone = await (await stack.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage()
    await signIn(phone, stack.webUrl, admin.email, admin.password)
    await phone.goto(`${stack.webUrl}/stocks/new`)
    await phone.fill('#code', '601872')
    await phone.fill('#name', '招商轮船')
    await phone.locator('button[type="submit"]').scrollIntoViewIfNeeded()
    await phone.click('button[type="submit"]')
    await expect.poll(() => phone.evaluate(() => document.activeElement?.id)).toBe('entryLow')
    const box = await phone.locator('#entryLow').boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(844)
    const summary = testId('form-error-summary', phone)
    expect(await summary.getAttribute('role')).toBe('alert')
    expect(await summary.locator('li').count()).toBeGreaterThanOrEqual(4)
    await screenshot(phone, 'defects-phone-form-errors')

    for (const path of ['/', '/stocks', '/orders', '/notifications']) {
      await phone.goto(`${stack.webUrl}${path}`)
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(1)
      const links = phone.locator('[data-testid="main-nav"] a')
      const n = await links.count()
      expect(n).toBe(8)
      for (let i = 0; i < n; i++) {
        const b = (await links.nth(i).boundingBox())!
        expect(b.x, `nav item ${i} on ${path}`).toBeGreaterThanOrEqual(0)
        expect(b.x + b.width, `nav item ${i} on ${path}`).toBeLessThanOrEqual(390)
      }
      await expect.poll(() => testId('unread-badge', phone).isVisible()).toBe(true)
    }
    await phone.goto(`${stack.webUrl}/`)
    // Every field of a row, take-profit to auto-trade, is on screen.
    for (const id of ['auto-trade-600000.SH', 'dash-state-600000.SH', 'dash-fresh-600000.SH']) {
      const b = (await testId(id, phone).boundingBox())!
      expect(b.x + b.width, id).toBeLessThanOrEqual(390)
    }
    await screenshot(phone, 'defects-phone-dashboard')
    await phone.context().close()
  })

  it('17. a skip link to the content; announcements for triggers; every text colour pair at least 4.5:1', async () => {
    await page.goto(`${stack.webUrl}/`)
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('skip-link')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main')

    // A trigger while the dashboard is open is said in the live region.
    await stack.control('/control/clock', { now: shanghai('10:05:00'), paused: false, speed: 1 })
    await stack.control('/control/price', { code: '600000.SH', last: 9.05, prevClose: 9.2 })
    await expect.poll(() => testId('live-announcer').textContent(), { timeout: 45_000 }).toContain('600000.SH')
    expect(await testId('live-announcer').getAttribute('aria-live')).toBe('polite')
    await stack.control('/control/clock', { now: shanghai('10:06:00'), paused: true })

    const failures: string[] = []
    for (const p of ['/', '/stocks', '/stocks?archived=1', '/stocks/new', `/stocks/${ids.a}`, '/orders', '/notifications', '/settings', '/settings/notifications', '/account', '/status']) {
      await page.goto(`${stack.webUrl}${p}`)
      await page.waitForLoadState('networkidle').catch(() => undefined)
      for (const f of await contrastFailures(page)) failures.push(`${p}: ${f}`)
    }
    expect(failures).toEqual([])
  })

  it('11. the history groups each trigger with what it caused', async () => {
    await page.goto(`${stack.webUrl}/stocks/${ids.a}`)
    const group = page.locator('[data-testid^="timeline-group-"]').first()
    await expect.poll(() => group.count(), { timeout: 15_000 }).toBe(1)
    expect(await group.locator('[data-testid="timeline-trigger-ENTRY"]').count()).toBe(1)
    expect(await group.locator('[data-testid="timeline-notification-TRIGGER_ENTRY"]').count()).toBe(1)
    // The notification is not listed a second time outside its group.
    expect(await page.locator('[data-testid="timeline-notification-TRIGGER_ENTRY"]').count()).toBe(1)
    await screenshot(page, 'defects-timeline')
  })

  it('15. no emoji in any page text', async () => {
    for (const p of ['/', '/stocks', '/stocks/new', '/orders', '/notifications', '/settings', '/settings/notifications', '/account', '/status']) {
      await page.goto(`${stack.webUrl}${p}`)
      expect(await page.evaluate(() => document.body.innerText), p).not.toMatch(EMOJI)
    }
  })

  it('5. test connection after changing the port says on the token field to enter the token again', async () => {
    await page.goto(`${stack.webUrl}/settings`)
    await page.fill('#port', '1')
    await testId('broker-test').click()
    await expect.poll(() => page.getAttribute('#token', 'aria-invalid')).toBe('true')
    expect(await testId('error-token').textContent()).toContain('令牌')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('token')
  })

  it('4/2/16. English: no Chinese in code errors or page chrome, one date format; the account\'s language applies at a fresh sign-in', async () => {
    await page.goto(`${stack.webUrl}/`)
    await page.getByRole('button', { name: 'English' }).click()
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en')
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.fill('#code', '900901')
    await page.click('button[type="submit"]')
    await expect.poll(() => testId('error-code').textContent()).toMatch(/B share|B-share|not/i)
    expect(await testId('error-code').textContent()).not.toMatch(CJK)
    const names = ['浦发银行', '平安银行', '工商银行', '宁德时代']
    for (const p of ['/', '/stocks', '/orders', `/stocks/${ids.a}`]) {
      await page.goto(`${stack.webUrl}${p}`)
      let text = await page.evaluate(() => document.body.innerText)
      // Stock names are data, and the switch back to Chinese names its language in Chinese.
      for (const n of [...names, '中文']) text = text.split(n).join('')
      expect(text, p).not.toMatch(/\d{2}\/\d{2}\/\d{4}/)
      if (p !== `/stocks/${ids.a}`) expect(text.match(new RegExp(CJK.source + '.{0,20}', 'g')) ?? [], p).toEqual([])
    }
    // A new browser (no language cookie) signs in to the account's English.
    const fresh: Browser = stack.browser
    const other = await (await fresh.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    await signIn(other, stack.webUrl, admin.email, admin.password)
    await expect.poll(() => other.getAttribute('html', 'lang')).toBe('en')
    expect(await testId('skip-link', other).textContent()).toBe('Skip to main content')
    await other.context().close()
  })
})
