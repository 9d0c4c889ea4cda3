// The ex-rights decision in the browser, against the built app: a pending adjustment shows on the
// stock page (factor, old → proposed levels) and as a badge on the dashboard row; one click accepts
// (levels scaled, banner gone) or dismisses (levels kept); another user can neither see nor decide it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { screenshot, signIn, startWebStack, type Stack } from './harness'
import { HttpClient, signInCookie } from '../helpers/http'

let stack: Stack
let ctx: BrowserContext
let page: Page
let alice: HttpClient
let bob: HttpClient
const A = { email: 'alice-xr@example.com', password: 'alice horse battery' }
const B = { email: 'bob-xr@example.com', password: 'bob horse battery' }
const ids = { accept: 0, dismiss: 0, adjAccept: 0, adjDismiss: 0 }

async function seedPending(stockId: number, code: string) {
  const { getDb } = await import('@/lib/db/client')
  const s = await getDb().monitoredStock.findUniqueOrThrow({ where: { id: stockId } })
  // 10派5 on a 10.00 close: reference 9.50, factor 0.95
  const f = (m: number) => Math.round((m * 95) / 1000) * 10
  const a = await getDb().exRightsAdjustment.create({
    data: {
      stockId, code, day: '2026-11-24', source: 'prev_close', storedCloseMilli: 10_000, referenceMilli: 9_500, factorPpm: 950_000,
      oldEntryLowMilli: s.entryLowMilli, oldEntryHighMilli: s.entryHighMilli, oldTakeProfitMilli: s.takeProfitMilli, oldStopLossMilli: s.stopLossMilli,
      newEntryLowMilli: f(s.entryLowMilli), newEntryHighMilli: f(s.entryHighMilli), newTakeProfitMilli: f(s.takeProfitMilli), newStopLossMilli: f(s.stopLossMilli),
      positionQtyBefore: 0,
    },
  })
  return a.id
}

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(A.email, await hashPassword(A.password), 'ADMIN')
  await createUser(B.email, await hashPassword(B.password), 'USER')
  alice = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, A.email, A.password))
  bob = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, B.email, B.password))
  const stock = async (code: string, name: string) => {
    const r = await alice.post('/api/stocks', { code, name, entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80' })
    expect(r.status, r.text).toBe(201)
    return (r.json as { id: number }).id
  }
  ids.accept = await stock('600000.SH', '浦发银行')
  ids.dismiss = await stock('000001.SZ', '平安银行')
  ids.adjAccept = await seedPending(ids.accept, '600000.SH')
  ids.adjDismiss = await seedPending(ids.dismiss, '000001.SZ')
  ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await ctx.newPage()
  await signIn(page, stack.webUrl, A.email, A.password)
})

afterAll(async () => {
  await ctx?.close()
  await stack?.stop()
})

describe('ex-rights adjustment', () => {
  it('another user sees none and cannot decide', async () => {
    const list = await bob.get('/api/ex-rights')
    expect(list.status).toBe(200)
    expect((list.json as { pending: unknown[] }).pending).toEqual([])
    const r = await bob.post(`/api/stocks/${ids.accept}/ex-rights`, { adjustmentId: ids.adjAccept, decision: 'accept' })
    expect(r.status).toBe(404)
    const bad = await alice.post(`/api/stocks/${ids.accept}/ex-rights`, { adjustmentId: ids.adjAccept, decision: 'maybe' })
    expect(bad.status).toBe(400)
    expect((await alice.get('/api/ex-rights')).json).toMatchObject({ pending: [{ id: ids.adjAccept }, { id: ids.adjDismiss }] })
  })

  it('the dashboard row shows the badge with the factor', async () => {
    await page.goto(`${stack.webUrl}/`)
    const badge = page.getByTestId('ex-rights-600000.SH').first()
    await badge.waitFor({ timeout: 15_000 })
    expect(await badge.textContent()).toContain('0.9500')
    expect(await badge.textContent()).toContain('8.80 → 8.36')
  })

  it('the stock page shows the factor and old → proposed levels; accept scales them', async () => {
    await page.goto(`${stack.webUrl}/stocks/${ids.accept}`)
    const banner = page.getByTestId('ex-rights-600000.SH')
    await banner.waitFor({ timeout: 15_000 })
    const text = (await banner.textContent()) ?? ''
    expect(text).toContain('0.9500')
    expect(text).toContain('10.00')
    expect(text).toContain('9.50')
    expect(text).toContain('→ 8.36') // stop-loss 8.80 × 0.95
    expect(text).toContain('→ 9.98') // take-profit 10.50 × 0.95 = 9.975
    await screenshot(page, 'ex-rights-banner')
    await page.getByTestId('ex-rights-accept-600000.SH').click()
    await banner.waitFor({ state: 'detached', timeout: 15_000 })
    const s = (await alice.get(`/api/stocks/${ids.accept}`)).json as { stopLoss: number; takeProfit: number }
    expect(s).toMatchObject({ stopLoss: 8.36, takeProfit: 9.98 })
  })

  it('dismiss keeps the levels', async () => {
    await page.goto(`${stack.webUrl}/stocks/${ids.dismiss}`)
    const banner = page.getByTestId('ex-rights-000001.SZ')
    await banner.waitFor({ timeout: 15_000 })
    await page.getByTestId('ex-rights-dismiss-000001.SZ').click()
    await banner.waitFor({ state: 'detached', timeout: 15_000 })
    const s = (await alice.get(`/api/stocks/${ids.dismiss}`)).json as { stopLoss: number }
    expect(s.stopLoss).toBe(8.8)
    expect((await alice.get('/api/ex-rights')).json).toEqual({ pending: [] })
  })
})
