// Issue 13 in the browser: the stock form's account select (the accounts the user can use, each
// marked 模拟盘 / 实盘, the user's default preselected; a read-only share refusing auto-trade shows
// the field's error), the views' ?account= filter with each row's account badge, and another
// user's account answered with the not-found page on every view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'

let stack: Stack
const me = { email: 'accounts@example.com', password: 'two accounts password 1' }
const other = { email: 'other@example.com', password: 'other accounts password 1' }
const ids = { me: 0, other: 0, paper: 0, live: 0, shared: 0, foreign: 0 }

const db = async () => (await import('@/lib/db/client')).getDb()
const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`)

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  // An admin first (the first user), so the two traders are plain users.
  await createUser('admin@example.com', await hashPassword('admin accounts password 1'), 'ADMIN')
  ids.me = (await createUser(me.email, await hashPassword(me.password), 'USER')).id
  ids.other = (await createUser(other.email, await hashPassword(other.password), 'USER')).id
  const d = await db()
  // The install's default account is shared with everyone; keep it out of this story.
  await d.brokerAccount.updateMany({ where: { defaultKey: 'default' }, data: { sharedWithAll: false } })
  ids.paper = (await d.brokerAccount.create({ data: { name: '我的模拟', kind: 'paper', ownerId: ids.me } })).id
  ids.live = (await d.brokerAccount.create({ data: { name: '我的实盘', kind: 'qmt', ownerId: ids.me } })).id
  ids.shared = (await d.brokerAccount.create({ data: { name: '家人账户', kind: 'qmt', ownerId: ids.other } })).id
  ids.foreign = (await d.brokerAccount.create({ data: { name: '别人的账户', kind: 'qmt', ownerId: ids.other } })).id
  await d.brokerAccountShare.create({ data: { accountId: ids.shared, userId: ids.me, canTrade: false } })
})

afterAll(async () => {
  await (await db()).$disconnect()
  await stack?.stop()
})

describe('broker accounts in the UI', () => {
  it('the stock form lists my usable accounts, paper or live, my default preselected; a read-only share refuses auto-trade on the field', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, stack.webUrl, me.email, me.password)
    await page.goto(`${stack.webUrl}/stocks/new`)
    const select = testId(page, 'account-select')
    await expect.poll(() => select.inputValue()).toBe(String(ids.paper))
    const options = await select.locator('option').allTextContents()
    expect(options).toEqual([expect.stringContaining('我的模拟 · 模拟盘'), expect.stringContaining('我的实盘 · 实盘'), expect.stringContaining('家人账户 · 实盘')])
    expect(options.join()).not.toContain('别人的账户')
    await page.fill('#code', '600000')
    await page.fill('#name', '浦发银行')
    await page.fill('#entryLow', '9.20')
    await page.fill('#entryHigh', '9.50')
    await page.fill('#takeProfit', '10.50')
    await page.fill('#stopLoss', '8.80')
    await select.selectOption(String(ids.shared))
    await page.check('[id="quant.autoTrade"]')
    await page.click('button[type="submit"]')
    await expect.poll(() => testId(page, 'error-quant.autoTrade').textContent()).toContain('只读')
    expect(await (await db()).monitoredStock.count({ where: { userId: ids.me } })).toBe(0)
    // On my live account it saves there.
    await select.selectOption(String(ids.live))
    await page.click('button[type="submit"]')
    await page.waitForURL((u) => u.pathname === '/stocks')
    const row = await (await db()).monitoredStock.findFirstOrThrow({ where: { userId: ids.me } })
    expect(row.brokerAccountId).toBe(ids.live)
    await context.close()
  })

  it('the views filter by my accounts with a paper / live badge; another user account is 404', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, stack.webUrl, me.email, me.password)
    await page.goto(`${stack.webUrl}/?account=${ids.live}`)
    await expect.poll(() => testId(page, 'dash-account-600000.SH').textContent()).toContain('实盘')
    expect(await testId(page, 'dashboard-account-filter').textContent()).not.toContain('别人的账户')
    await page.goto(`${stack.webUrl}/?account=${ids.paper}`)
    await expect.poll(() => testId(page, 'dashboard-account').textContent()).toContain('模拟盘')
    expect(await testId(page, 'dash-account-600000.SH').count()).toBe(0)
    for (const path of ['/', '/orders', '/notifications', '/account']) {
      // Pages with a loading state stream (the status is sent before the page decides): those show
      // the not-found page under 200; the API routes answer 404 (tests/web/broker-account-monitors).
      const res = await page.goto(`${stack.webUrl}${path}?account=${ids.foreign}`)
      expect([404, 200], path).toContain(res?.status())
      await expect.poll(() => testId(page, 'not-found').count(), { timeout: 10_000 }).toBe(1)
      expect(await page.content()).not.toContain('别人的账户')
    }
    await context.close()
  })
})
