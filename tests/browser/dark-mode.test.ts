// Issue 16, Features, dark mode: follows the system setting (prefers-color-scheme) with no light
// flash (the class is set before <body> is parsed), a header switch (system / light / dark) kept in
// this browser, and every visible text in the dark theme at >= 4.5:1 (red up / green down included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'
import { contrastFailures } from './contrast'

let stack: Stack
const user = { email: 'night@example.com', password: 'night owl password 1' }

const db = async () => (await import('@/lib/db/client')).getDb()

/** Records, as soon as <body> exists, whether <html> already had the dark class (no flash). */
const RECORD_FIRST_PAINT = `
  new MutationObserver((_, obs) => {
    if (document.body && window.__darkAtBody === undefined) {
      window.__darkAtBody = document.documentElement.classList.contains('dark')
      obs.disconnect()
    }
  }).observe(document, { childList: true, subtree: true })
`

async function newPage(colorScheme: 'dark' | 'light'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme })
  await context.addInitScript(RECORD_FIRST_PAINT)
  const page = await context.newPage()
  await signIn(page, stack.webUrl, user.email, user.password)
  return { context, page }
}

const isDark = (p: Page) => p.evaluate(() => document.documentElement.classList.contains('dark'))
const darkAtBody = (p: Page) => p.evaluate(() => (window as unknown as { __darkAtBody?: boolean }).__darkAtBody)
const bodyBg = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor)

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  const id = (await createUser(user.email, await hashPassword(user.password), 'ADMIN')).id
  const d = await db()
  await d.notification.create({ data: { userId: id, type: 'TRIGGER_STOP_LOSS', title: '600000.SH 止损触发', body: '价格 9.05 低于止损 9.10' } })
})

afterAll(async () => {
  await (await db()).$disconnect()
  await stack?.stop()
})

describe('dark mode', () => {
  it('follows a dark system setting before the first paint, and a light one', async () => {
    const dark = await newPage('dark')
    await dark.page.goto(`${stack.webUrl}/`)
    expect(await darkAtBody(dark.page)).toBe(true)
    expect(await isDark(dark.page)).toBe(true)
    const [r, g, b] = (await bodyBg(dark.page)).match(/[\d.]+/g)!.map(Number)
    expect(r! + g! + b!).toBeLessThan(120)
    await dark.context.close()

    const light = await newPage('light')
    await light.page.goto(`${stack.webUrl}/`)
    expect(await darkAtBody(light.page)).toBe(false)
    expect(await isDark(light.page)).toBe(false)
    await light.context.close()
  })

  it('the header switch overrides the system and is remembered after a reload', async () => {
    const { context, page } = await newPage('light')
    await page.goto(`${stack.webUrl}/orders`)
    const sw = page.locator('[data-testid="theme-switch"]')
    await expect.poll(() => sw.inputValue()).toBe('system')
    await sw.selectOption('dark')
    expect(await isDark(page)).toBe(true)
    await page.reload()
    expect(await darkAtBody(page)).toBe(true)
    await expect.poll(() => sw.inputValue()).toBe('dark')
    await sw.selectOption('light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    expect(await isDark(page)).toBe(false)
    await sw.selectOption('system')
    expect(await isDark(page)).toBe(true)
    // On a 390 px phone the switch fits in the header: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 })
    for (const p of ['/', '/orders']) {
      await page.goto(`${stack.webUrl}${p}`)
      const b = (await sw.boundingBox())!
      expect(b.x + b.width).toBeLessThanOrEqual(390)
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1)
    }
    await context.close()
  })

  it('every visible text on every page reads at >= 4.5:1 in the dark theme; up stays red, down green', async () => {
    const { context, page } = await newPage('dark')
    const res = await page.request.post(`${stack.webUrl}/api/stocks`, {
      data: { code: '600000.SH', name: '浦发银行', entryLow: '9.02', entryHigh: '9.10', takeProfit: '9.60', stopLoss: '8.80' },
    })
    expect(res.status(), await res.text()).toBe(201)
    const failures: string[] = []
    for (const p of ['/', '/stocks', '/stocks/new', `/stocks/${(await res.json()).id}`, '/orders', '/notifications', '/settings', '/settings/notifications', '/account', '/status']) {
      await page.goto(`${stack.webUrl}${p}`)
      await page.waitForLoadState('networkidle').catch(() => undefined)
      expect(await isDark(page)).toBe(true)
      for (const f of await contrastFailures(page)) failures.push(`${p}: ${f}`)
    }
    expect(failures).toEqual([])
    // The theme's up and down colours: red and green, readable on the dark card colour.
    const colours = await page.evaluate(() => {
      const probe = (cls: string) => {
        const el = document.createElement('span')
        el.className = cls
        document.body.appendChild(el)
        const c = getComputedStyle(el).color
        el.remove()
        return c
      }
      return { up: probe('text-up'), down: probe('text-down') }
    })
    const rgb = (s: string) => s.match(/[\d.]+/g)!.map(Number)
    const [ur, ug] = rgb(colours.up)
    const [dr, dg] = rgb(colours.down)
    expect(ur!).toBeGreaterThan(ug! + 80)
    expect(dg!).toBeGreaterThan(dr! + 80)
    await context.close()
  })
})
