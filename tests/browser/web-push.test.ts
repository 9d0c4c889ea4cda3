// Issue 16, Features, Web Push: 设置 → 通知渠道 "在此浏览器接收推送" in Chromium against the built app.
// The permission is asked only on the click; the page subscribes with the server's VAPID public key and
// creates the WEBPUSH channel; a stop-loss written like the worker writes it goes out through the real
// outbox (run here, as the worker runs it), signed and encrypted, to a local push service that verifies
// and decrypts it; the decrypted message is delivered to DingPan's real service worker (DevTools'
// ServiceWorker.deliverPushMessage, the browser's own push path), which shows it; the push service then
// answers 410, the channel is disabled and the settings page says so; "stop" deletes the channel and
// unsubscribes.
//
// Headless Chromium has no push service of its own (it cannot reach FCM here), so PushManager's
// subscribe/getSubscription are replaced in the page by ones that hand out a subscription of the local
// push service, made the way a browser makes it (P-256 key pair + 16-byte auth secret, node side).
// Everything of DingPan's runs as shipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'
import { startPushService, type BrowserSubscription, type PushService } from '../notify/helpers/push-service'

let stack: Stack
let context: BrowserContext
let ps: PushService
let userId = 0
const user = { email: 'push@example.com', password: 'push password 1234' }
const db = async () => (await import('@/lib/db/client')).getDb()

/** Runs in the page: PushManager backed by a subscription of the local push service; records what the page asks. */
function fakePushManager(sub: BrowserSubscription) {
  const w = window as unknown as { __asked: number; __subscribeKey: string | null; __unsubscribed: number }
  w.__asked = 0
  w.__subscribeKey = null
  w.__unsubscribed = 0
  const KEY = 'test.push.subscribed'
  const enc = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  const dec = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0))
  const make = (key: Uint8Array) => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: key.buffer },
    getKey: () => null,
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
    unsubscribe: async () => {
      localStorage.removeItem(KEY)
      w.__unsubscribed++
      return true
    },
  })
  if (typeof PushManager !== 'undefined') {
    PushManager.prototype.subscribe = async function (opts?: PushSubscriptionOptionsInit) {
      const key = new Uint8Array(opts!.applicationServerKey as ArrayBuffer)
      w.__subscribeKey = enc(key)
      localStorage.setItem(KEY, w.__subscribeKey)
      return make(key) as unknown as PushSubscription
    }
    PushManager.prototype.getSubscription = async function () {
      const k = localStorage.getItem(KEY)
      return k ? (make(dec(k)) as unknown as PushSubscription) : null
    }
  }
  const real = Notification.requestPermission.bind(Notification)
  Notification.requestPermission = (...a: Parameters<typeof Notification.requestPermission>) => {
    w.__asked++
    return real(...a)
  }
}

const page = async (): Promise<Page> => {
  const p = await context.newPage()
  await signIn(p, stack.webUrl, user.email, user.password)
  return p
}
const state = (p: Page) => p.locator('[data-testid="push-settings"]').getAttribute('data-state')
const pageVar = <T,>(p: Page, name: string) => p.evaluate((n) => (window as unknown as Record<string, unknown>)[n], name) as Promise<T>

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  process.env.DINGPAN_ENCRYPTION_KEY = stack.env.DINGPAN_ENCRYPTION_KEY
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  userId = (await createUser(user.email, await hashPassword(user.password), 'ADMIN')).id
  ps = await startPushService()
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  await context.grantPermissions(['notifications'], { origin: stack.webUrl })
})

afterAll(async () => {
  await ps?.close()
  await (await db()).$disconnect()
  await stack?.stop()
})

describe('Web Push from the settings page', () => {
  it('subscribes on click, delivers a stop-loss through the outbox and the service worker, reports an expired subscription, and stops', async () => {
    const { vapidPublicKey } = await import('@/lib/vapid')
    // The same data directory as the web app: the key pair it generated (or this call generates, once).
    const serverKey = vapidPublicKey()
    const sub = ps.subscribe(serverKey)
    await context.addInitScript(fakePushManager, sub)

    const p = await page()
    await p.goto(`${stack.webUrl}/settings/notifications`)
    await expect.poll(() => state(p), { timeout: 15_000 }).toBe('off')
    expect(await pageVar<number>(p, '__asked')).toBe(0) // never asked on load
    await p.locator('[data-testid="push-enable"]').click()
    await expect.poll(() => state(p), { timeout: 15_000 }).toBe('on')
    expect(await pageVar<number>(p, '__asked')).toBe(1)
    expect(await pageVar<string>(p, '__subscribeKey')).toBe(serverKey)
    // The new channel shows in the list below, without a page reload.
    await expect.poll(() => p.locator('[data-testid="channel-list"] li').count(), { timeout: 20_000 }).toBe(1)
    const channel = await (await db()).notificationChannel.findFirstOrThrow({ where: { userId, type: 'WEBPUSH' } })
    expect(channel.enabled).toBe(true)
    expect(JSON.stringify(channel)).not.toContain(sub.keys.auth)

    // A stop-loss, as the worker writes it, then the outbox as the worker runs it.
    const { writeTx } = await import('@/lib/db/tx')
    const { notify, createOutbox } = await import('@/lib/services/notifications')
    const n = await writeTx(await db(), (tx) =>
      notify(tx, { userId, type: 'TRIGGER_STOP_LOSS', params: { code: '600000.SH', name: '浦发银行', price: '7.12', level: '7.15', action: '已提交卖出委托 1000 股' } }),
    )
    const outbox = createOutbox({ logger: { debug() {}, info() {}, warn() {}, error() {} } })
    expect(await outbox.runOnce()).toMatchObject({ delivered: 1 })
    const pushed = ps.delivered().at(-1)!
    expect(pushed.json).toMatchObject({ title: n!.title, body: n!.body, tag: `dingpan-${n!.id}` })

    // The decrypted message, delivered to DingPan's service worker as the browser delivers a push.
    const cdp = await context.newCDPSession(p)
    const regs: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = []
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof regs }) => regs.push(...e.registrations))
    await cdp.send('ServiceWorker.enable')
    await expect.poll(() => regs.filter((r) => !r.isDeleted && r.scopeURL.startsWith(stack.webUrl)).length, { timeout: 10_000 }).toBeGreaterThan(0)
    const reg = regs.find((r) => !r.isDeleted && r.scopeURL.startsWith(stack.webUrl))!
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(stack.webUrl).origin, registrationId: reg.registrationId, data: pushed.plaintext! })
    const shown = () =>
      p.evaluate(async () => ((await (await navigator.serviceWorker.getRegistration())?.getNotifications()) ?? []).map((x) => ({ title: x.title, body: x.body, tag: x.tag })))
    await expect.poll(async () => (await shown()).length, { timeout: 10_000 }).toBe(1)
    expect((await shown())[0]).toEqual({ title: n!.title, body: n!.body, tag: `dingpan-${n!.id}` })

    // The push service forgets the subscription: 410 → the channel is disabled, the user told, the page says so.
    ps.setMode(sub.endpoint, { kind: 'gone', status: 410 })
    await writeTx(await db(), (tx) => notify(tx, { userId, type: 'ORDER_REJECTED', params: { code: '600000.SH', name: '浦发银行', side: '卖出', quantity: 1000, status: '废单', message: 'x' } }))
    expect(await outbox.runOnce()).toMatchObject({ failed: 1 })
    expect((await (await db()).notificationChannel.findUniqueOrThrow({ where: { id: channel.id } })).enabled).toBe(false)
    expect(await (await db()).notification.count({ where: { userId, type: 'PUSH_SUBSCRIPTION_GONE' } })).toBe(1)
    await p.reload()
    await expect.poll(() => state(p), { timeout: 15_000 }).toBe('disabled')
    await expect.poll(() => p.locator('[data-testid="push-disabled"]').textContent()).toContain('订阅已失效')

    // Stop: the channel is deleted and the browser unsubscribed.
    await p.locator('[data-testid="push-disable"]').click()
    await expect.poll(() => state(p), { timeout: 15_000 }).toBe('off')
    expect(await (await db()).notificationChannel.count({ where: { userId, type: 'WEBPUSH' } })).toBe(0)
    expect(await pageVar<number>(p, '__unsubscribed')).toBe(1)
    await p.close()
  })
})
