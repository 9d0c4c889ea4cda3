// Realised P&L, export, watchlist import and bulk actions over HTTP and in the browser, against the
// built app: the account page shows today's realised P&L in red (profit) with the stock and round
// trip; the export answers CSV with a UTF-8 BOM and only the signed-in user's rows, and field-level
// errors for a bad range; the settings page links the real-money setup guide; an import previews
// per-row errors, saves nothing until they are fixed, then saves all; bulk actions change the
// selected stocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'
import { HttpClient, signInCookie } from '../helpers/http'

let stack: Stack
let ctx: BrowserContext
let page: Page
let alice: HttpClient
let bob: HttpClient
const A = { email: 'alice-pnl@example.com', password: 'alice horse battery' }
const B = { email: 'bob-pnl@example.com', password: 'bob horse battery' }
const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10)

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  const aliceId = (await createUser(A.email, await hashPassword(A.password), 'ADMIN')).id
  const bobId = (await createUser(B.email, await hashPassword(B.password), 'USER')).id
  alice = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, A.email, A.password))
  bob = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, B.email, B.password))
  const stock = async (c: HttpClient, code: string, name: string) => {
    const r = await c.post('/api/stocks', { code, name, entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80' })
    expect(r.status, r.text).toBe(201)
    return (r.json as { id: number }).id
  }
  const sa = await stock(alice, '600000.SH', '浦发银行')
  const sb = await stock(bob, '000001.SZ', '平安银行')
  const { seedOrderWithFills } = await import('../services/views/seed-fills')
  const now = Date.now()
  await seedOrderWithFills(aliceId, sa, '600000.SH', 'BUY', [{ priceMilli: 9_300, quantity: 1000, at: new Date(now - 86_400_000) }])
  await seedOrderWithFills(aliceId, sa, '600000.SH', 'SELL', [{ priceMilli: 10_500, quantity: 1000, at: new Date(now - 60_000) }])
  await seedOrderWithFills(bobId, sb, '000001.SZ', 'BUY', [{ priceMilli: 9_300, quantity: 100, at: new Date(now - 60_000) }])
  ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await ctx.newPage()
  await signIn(page, stack.webUrl, A.email, A.password)
})

afterAll(async () => {
  await ctx?.close()
  await stack?.stop()
})

describe('P&L and export', () => {
  it('the API: today’s realised P&L of the user, fees included', async () => {
    const r = await alice.get('/api/pnl')
    expect(r.status, r.text).toBe(200)
    const j = r.json as { headline: { today: { pnl: number; fees: number } | null }; byStock: Array<{ code: string }> }
    // 1,200 yuan gross less the buy (5 + 0.10) and sell (5 minimum commission + 5.25 stamp duty + 0.11 transfer) fees
    expect(j.headline.today?.pnl).toBeCloseTo(1200 - 5.1 - 10.36, 2)
    expect(j.byStock.map((s) => s.code)).toEqual(['600000.SH'])
    const bad = await alice.get(`/api/pnl?from=${day(0)}&to=${day(-1)}`)
    expect(bad.status).toBe(400)
    expect(Object.keys((bad.json as { fields: object }).fields)).toEqual(['to'])
  })

  it('CSV with a UTF-8 BOM, own rows only; JSON; field-level errors', async () => {
    const get = async (c: HttpClient, q: string) => fetch(`${stack.webUrl}/api/export?${q}`, { headers: { cookie: c.cookie! } })
    const res = await get(alice, `kind=fills&format=csv&from=${day(-7)}&to=${day(0)}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dingpan-fills-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"$/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(text).toContain('浦发银行')
    expect(text).not.toContain('平安银行')
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3)

    const theirs = await (await get(bob, `kind=fills&format=json&from=${day(-7)}&to=${day(0)}`)).json() as { rows: Array<{ code: string }> }
    expect(theirs.rows.map((r) => r.code)).toEqual(['000001.SZ'])

    const bad = await get(alice, `kind=orders&format=xlsx&from=${day(0)}&to=${day(-2)}`)
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { fields: Record<string, string[]> }
    expect(Object.keys(body.fields)).toEqual(['format'])
    const range = (await (await get(alice, `kind=orders&from=${day(0)}&to=${day(-2)}`)).json()) as { fields: Record<string, string[]> }
    expect(range.fields.to).toEqual(['结束日期不能早于开始日期'])
  })

  it('the account page shows the realised P&L in red and offers the export; settings link the guide', async () => {
    await page.goto(`${stack.webUrl}/account`)
    const today = page.getByTestId('pnl-today')
    await today.waitFor({ timeout: 30_000 })
    expect(await today.textContent()).toBe('+1,184.54')
    expect(await today.getAttribute('class')).toContain('text-up')
    expect(await page.getByTestId('pnl-trip-600000.SH-1').textContent()).toContain('已平仓')
    expect(await page.getByTestId('export-form').count()).toBe(1)

    await page.goto(`${stack.webUrl}/settings`)
    await page.getByTestId('miniqmt-guide-link').getByRole('link').click()
    await page.waitForURL(/\/settings\/miniqmt-guide$/)
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).toContain('实盘接入指南')
    expect(await page.getByTestId('miniqmt-guide').textContent()).toContain('userdata_mini')
  })

  it('import: per-row errors in the preview, fixed in place, then all rows saved; bulk disable', async () => {
    await page.goto(`${stack.webUrl}/stocks`)
    await page.getByTestId('import-link').click()
    await page.waitForURL(/\/stocks\/import$/)
    await page.getByTestId('import-text').fill('SH601398 工商银行\n1600036\n600000\nabc\n')
    await page.getByTestId('import-preview').click()
    await page.getByTestId('import-rows').waitFor()
    const errs = async (i: number) => (await page.getByTestId(`import-row-${i}`).locator('td').last().textContent()) ?? ''
    expect(await errs(0)).toContain('买入下限')
    expect(await errs(2)).toContain('已在该账户的监测列表中') // 600000 is already watched
    expect(await errs(3)).toContain('abc')
    expect(await page.getByTestId('import-save').isDisabled()).toBe(true)
    // Fix: drop the bad rows by giving them other codes, fill in the levels, check again, save.
    const cell = (i: number, label: string) => page.getByLabel(`行 ${i} ${label}`, { exact: true })
    await cell(3, '代码').fill('600519')
    await cell(4, '代码').fill('601988')
    for (const [line, name, lo, hi, tp, sl] of [[1, '工商银行', '5.50', '5.80', '6.50', '5.00'], [2, '招商银行', '30', '31', '35', '28'], [3, '贵州茅台', '1400', '1450', '1600', '1300'], [4, '中国银行', '4', '4.2', '5', '3.5']] as const) {
      await cell(line, '名称').fill(name)
      await cell(line, '买入下限').fill(lo)
      await cell(line, '买入上限').fill(hi)
      await cell(line, '止盈').fill(tp)
      await cell(line, '止损').fill(sl)
    }
    await page.getByTestId('import-recheck').click()
    await page.waitForFunction(() => !(document.querySelector('[data-testid=import-save]') as HTMLButtonElement).disabled, null, { timeout: 15_000 })
    await page.getByTestId('import-save').click()
    await page.waitForURL(/\/stocks$/)
    const list = (await alice.get('/api/stocks')).json as { items: Array<{ code: string; id: number; enabled: boolean }> }
    expect(list.items.map((s) => s.code).sort()).toEqual(['600000.SH', '600036.SH', '600519.SH', '601398.SH', '601988.SH'])

    await page.getByTestId('bulk-actions').locator('summary').click()
    await page.getByTestId('bulk-select-600519.SH').check()
    await page.getByTestId('bulk-select-601988.SH').check()
    await page.getByTestId('bulk-disable').click()
    expect(await page.getByTestId('bulk-result').textContent()).toContain('已更改 2 只')
    const after = (await alice.get('/api/stocks')).json as { items: Array<{ code: string; enabled: boolean }> }
    expect(after.items.filter((s) => !s.enabled).map((s) => s.code).sort()).toEqual(['600519.SH', '601988.SH'])
    // Bob cannot act on Alice's stocks: not found per id, nothing changes.
    const foreign = await bob.post('/api/stocks/bulk', { ids: [list.items[0].id], action: 'archive' })
    expect(foreign.status).toBe(200)
    expect((foreign.json as { results: Array<{ ok: boolean; status: number }> }).results[0]).toMatchObject({ ok: false, status: 404 })
  })
})
