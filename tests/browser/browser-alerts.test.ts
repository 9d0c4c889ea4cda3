// Issue 16, Features, alerts in the browser and installability: with two tabs open, a trigger or an
// order outcome written to the database (as the worker writes it) shows one system notification and
// plays the chosen sound, once across both tabs; other notification types alert nothing; the
// permission is asked only from the settings control, never on load. The manifest, icon and service
// worker are served (without a session), the worker registers and leaves API responses to the network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'

let stack: Stack
let context: BrowserContext
let userId = 0
const user = { email: 'alerts@example.com', password: 'alerts password 123' }

const db = async () => (await import('@/lib/db/client')).getDb()

/** Records what the page asks of the browser's Notification and Web Audio APIs (they still run). */
const RECORD = `
  window.__shown = []; window.__asked = 0; window.__tones = 0
  const Real = window.Notification
  if (Real) {
    const Rec = function (title, options) { window.__shown.push({ title, body: options && options.body, tag: options && options.tag }); return new Real(title, options) }
    Object.defineProperty(Rec, 'permission', { get: () => Real.permission })
    Rec.requestPermission = (...a) => { window.__asked++; return Real.requestPermission(...a) }
    window.Notification = Rec
  }
  const osc = AudioContext.prototype.createOscillator
  AudioContext.prototype.createOscillator = function () { window.__tones++; return osc.call(this) }
`
type Rec = { __shown: Array<{ title: string; body: string; tag: string }>; __asked: number; __tones: number }
const rec = (p: Page) => p.evaluate(() => {
  const w = window as unknown as Rec
  return { shown: w.__shown, asked: w.__asked, tones: w.__tones }
})

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  userId = (await createUser(user.email, await hashPassword(user.password), 'ADMIN')).id
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  await context.grantPermissions(['notifications'], { origin: stack.webUrl })
  await context.addInitScript(RECORD)
})

afterAll(async () => {
  await (await db()).$disconnect()
  await stack?.stop()
})

describe('browser alerts', () => {
  it('alert once across two tabs for triggers and order outcomes, after opting in from settings', async () => {
    const a = await context.newPage()
    await signIn(a, stack.webUrl, user.email, user.password)
    // An older notification is not news to a tab opened after it.
    await (await db()).notification.create({ data: { userId, type: 'TRIGGER_ENTRY', title: 'old 600000.SH', body: 'old' } })

    await a.goto(`${stack.webUrl}/settings/notifications`)
    expect((await rec(a)).asked).toBe(0) // never asked on load
    await a.locator('[data-testid="alerts-enable"]').click()
    await expect.poll(async () => a.locator('[data-testid="alerts-granted"]').count()).toBe(1)
    expect((await rec(a)).asked).toBe(1)
    await a.locator('[data-testid="alerts-sound"]').selectOption('chime')

    const b = await context.newPage()
    await b.goto(`${stack.webUrl}/orders`)
    await a.goto(`${stack.webUrl}/`)
    expect((await rec(b)).asked).toBe(0)
    // Both tabs connected to the live stream.
    await new Promise((r) => setTimeout(r, 3_000))

    const tonesBefore = (await rec(a)).tones + (await rec(b)).tones
    const d = await db()
    await d.notification.create({ data: { userId, type: 'DAILY_SUMMARY', title: 'summary', body: 'not an alert' } })
    const stop = await d.notification.create({ data: { userId, type: 'TRIGGER_STOP_LOSS', title: '600000.SH 止损触发', body: '价格 9.05' } })
    const shownAll = async () => [...(await rec(a)).shown, ...(await rec(b)).shown]
    await expect.poll(async () => (await shownAll()).length, { timeout: 10_000 }).toBe(1)
    const [n] = await shownAll()
    expect(n!.title).toContain('600000.SH 止损触发')
    expect(n!.body).toBe('价格 9.05')
    expect(n!.tag).toBe(`dingpan-${stop.id}`)
    expect((await rec(a)).tones + (await rec(b)).tones).toBeGreaterThan(tonesBefore)

    await d.notification.create({ data: { userId, type: 'ORDER_FILLED', title: 'Filled 600000.SH', body: '100 @ 9.05' } })
    await expect.poll(async () => (await shownAll()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2)
    await new Promise((r) => setTimeout(r, 2_000))
    const all = await shownAll()
    expect(all, JSON.stringify(all)).toHaveLength(2)
    expect(all.map((s) => s.title).filter((t) => t.includes('Filled'))).toHaveLength(1)
    expect(all.some((s) => s.title.includes('summary') || s.title.includes('old'))).toBe(false)
    await b.close()
    await a.close()
  })

  it('is installable: manifest, icon and service worker served without a session; the worker does not serve API responses', async () => {
    const anon = await stack.browser.newContext()
    const manifest = await anon.request.get(`${stack.webUrl}/manifest.webmanifest`)
    expect(manifest.status()).toBe(200)
    const m = await manifest.json()
    expect(m.display).toBe('standalone')
    expect(m.start_url).toBe('/')
    expect(m.icons[0].src).toBe('/icon.svg')
    const icon = await anon.request.get(`${stack.webUrl}/icon.svg`)
    expect(icon.status()).toBe(200)
    expect(icon.headers()['content-type']).toContain('image/svg+xml')
    const sw = await anon.request.get(`${stack.webUrl}/sw.js`)
    expect(sw.status()).toBe(200)
    expect(await sw.text()).not.toMatch(/respondWith|caches\./)
    // Still private: a page without a session goes to sign-in.
    expect((await anon.request.get(`${stack.webUrl}/api/orders`)).status()).toBe(401)
    await anon.close()

    const p = await context.newPage() // signed in by the first test
    await p.goto(`${stack.webUrl}/`)
    expect(await p.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest')
    await expect.poll(() => p.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL ?? ''), { timeout: 15_000 }).toContain('/sw.js')
    await p.reload()
    await expect.poll(() => p.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true)
    // Controlled by the worker, an API answer is the network's own (no cache in between).
    const res = await p.evaluate(async () => {
      const r = await fetch('/api/notifications/unread-count')
      return { status: r.status, body: await r.json() }
    })
    expect(res.status).toBe(200)
    expect(typeof res.body.unread).toBe('number')
    expect(await p.evaluate(async () => (await caches.keys()).length)).toBe(0)
    await p.close()
  })
})
