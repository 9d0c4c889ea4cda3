// Sign in, submit the form with invalid levels (field errors, nothing stored), fix them, see the
// stock in the list, toggle auto-trade (persisted and audit-logged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, signIn, startWebStack, type Stack } from './harness'

let stack: Stack
let page: Page
const email = 'trader@example.com'
const password = 'correct horse battery'

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(email, await hashPassword(password), 'ADMIN')
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } })
})

afterAll(async () => {
  await stack?.stop()
})

describe('foundation in a real browser', () => {
  it('refuses a wrong password and signs in with the right one', async () => {
    await page.goto(`${stack.webUrl}/signin`)
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', 'wrong password')
    await page.click('button[type="submit"]')
    await expect.poll(() => page.locator('[data-testid="form-error"]').textContent()).toMatch(/邮箱或密码错误/)
    await screenshot(page, 'signin')
    await signIn(page, stack.webUrl, email, password)
    expect(new URL(page.url()).pathname).not.toBe('/signin')
  })

  it('shows field-level errors for invalid levels and stores nothing', async () => {
    await page.goto(`${stack.webUrl}/stocks/new`)
    await page.fill('#code', 'sh600000')
    await page.fill('#name', '浦发银行')
    await page.fill('#entryLow', '10.00')
    await page.fill('#entryHigh', '9.50')
    await page.fill('#takeProfit', '9.00')
    await page.fill('#stopLoss', '10.50')
    await page.click('button[type="submit"]')
    await expect.poll(() => page.locator('[data-testid="error-stopLoss"]').textContent()).toContain('止损价必须低于进场区间下限')
    expect(await page.locator('[data-testid="error-entryHigh"]').textContent()).toContain('进场区间上限必须不低于下限')
    await screenshot(page, 'stock-form-errors')

    // The API refuses the same payload with the same messages, and nothing is stored.
    const res = await page.request.post(`${stack.webUrl}/api/stocks`, {
      data: { code: 'sh600000', name: '浦发银行', entryLow: '10.00', entryHigh: '9.50', takeProfit: '9.00', stopLoss: '10.50' },
    })
    expect(res.status()).toBe(400)
    const body = await res.json()
    expect(body.fields.stopLoss).toContain('止损价必须低于进场区间下限')
    const list = await (await page.request.get(`${stack.webUrl}/api/stocks`)).json()
    expect(list.items).toHaveLength(0)
  })

  it('accepts the corrected form and lists the normalised stock', async () => {
    await page.fill('#entryLow', '9.20')
    await page.fill('#entryHigh', '9.50')
    await page.fill('#takeProfit', '10.50')
    await page.fill('#stopLoss', '8.80')
    await Promise.all([page.waitForURL((u) => u.pathname === '/stocks'), page.click('button[type="submit"]')])
    // The list says what was saved.
    await expect.poll(() => page.locator('[data-testid="save-notice"]').textContent()).toContain('600000.SH')
    const row = page.locator('[data-testid="stock-row-600000.SH"]')
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.textContent()).toContain('9.20 – 9.50')
    await screenshot(page, 'stock-list')
  })

  it('turns auto-trade on after a confirmation, persisted and audit-logged', async () => {
    const toggle = page.locator('[data-testid="auto-trade-600000.SH"]')
    expect(await toggle.getAttribute('aria-checked')).toBe('false')
    await toggle.click()
    // Turning it on asks first; nothing is stored until confirmed.
    await expect.poll(() => page.locator('[data-testid="auto-trade-600000.SH-dialog"]').isVisible()).toBe(true)
    expect(await toggle.getAttribute('aria-checked')).toBe('false')
    await page.click('[data-testid="auto-trade-600000.SH-confirm"]')
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true')
    await expect
      .poll(async () => {
        const list = await (await page.request.get(`${stack.webUrl}/api/stocks`)).json()
        return list.items[0]?.quant?.autoTrade
      })
      .toBe(true)
    await page.reload()
    expect(await page.locator('[data-testid="auto-trade-600000.SH"]').getAttribute('aria-checked')).toBe('true')
    const { getDb } = await import('@/lib/db/client')
    const audit = await getDb().auditLog.findMany({ where: { action: 'stock.autoTrade' } })
    expect(audit).toHaveLength(1)
    expect(audit[0]!.after).toEqual({ autoTrade: true })
  })
})
