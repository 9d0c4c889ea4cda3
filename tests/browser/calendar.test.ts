// Settings → trading calendar in a real browser: the coming year shows as provisional; an admin
// pastes the exchange notice, the preview marks the bad line and saving stays off; the fixed
// notice saves, the year is covered and the closures list names the admin entries as the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, signIn, startWebStack, type Stack } from './harness'

let stack: Stack
let page: Page
const email = 'calendar-admin@example.com'
const password = 'correct horse battery'
const NOTICE = ['一、元旦：1月1日（星期五）休市，1月4日（星期一）起照常开市。', '二、春节：2月5日（星期五）至2月12日（星期五）休市，2月15日（星期一）起照常开市。']

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(email, await hashPassword(password), 'ADMIN')
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } })
  await signIn(page, stack.webUrl, email, password)
})

afterAll(async () => {
  await stack?.stop()
})

describe('trading calendar settings in a real browser', () => {
  it('previews a pasted notice line by line, refuses the bad line, saves the fixed notice', async () => {
    await page.goto(`${stack.webUrl}/settings/calendar`)
    const year = Number(await page.locator('[data-testid="calendar-year"]').textContent())
    // the page opens on the year that needs entering: next year in December
    if (year !== 2027) await page.click('[data-testid="calendar-next-year"]')
    await expect.poll(() => page.locator('[data-testid="calendar-year"]').textContent()).toBe('2027')
    await expect.poll(() => page.locator('[data-testid="calendar-status"]').getAttribute('data-covered')).toBe('no')

    await page.fill('#calendar-text', [...NOTICE, '2027-02-30'].join('\n'))
    await page.click('[data-testid="calendar-preview"]')
    const result = page.locator('[data-testid="calendar-preview-result"]')
    await expect.poll(() => result.getAttribute('data-errors')).toBe('1')
    expect(await page.locator('tr[data-line="3"]').getAttribute('data-error')).toBe('IMPORT_BAD_DATE')
    expect(await page.locator('[data-testid="calendar-save"]').isDisabled()).toBe(true)
    await screenshot(page, 'calendar-preview-errors')

    await page.fill('#calendar-text', NOTICE.join('\n'))
    await page.click('[data-testid="calendar-preview"]')
    await expect.poll(() => result.getAttribute('data-errors')).toBe('0')
    // no source yet: a field-level error, nothing stored
    await page.click('[data-testid="calendar-save"]')
    await expect.poll(() => page.locator('[data-testid="error-calendar-source"]').count()).toBe(1)

    await page.fill('#calendar-source', '上交所 2026-12 关于2027年休市安排的通知')
    await page.check('[data-testid="calendar-complete"]')
    await page.click('[data-testid="calendar-save"]')
    await expect.poll(() => page.locator('[data-testid="calendar-message"]').textContent()).toMatch(/7/)
    await expect.poll(() => page.locator('[data-testid="calendar-status"]').getAttribute('data-covered')).toBe('yes')
    expect(await page.locator('[data-testid="calendar-closures"] tr[data-date="2027-02-08"]').getAttribute('data-origin')).toBe('admin')
    await screenshot(page, 'calendar-saved')

    const { getDb } = await import('@/lib/db/client')
    expect(await getDb().calendarDay.count({ where: { origin: 'admin' } })).toBe(7)
    expect(await getDb().auditLog.count({ where: { action: 'calendar.import' } })).toBe(1)
  })
})
