// The Web Push channel end to end, on real databases (SQLite, and PostgreSQL when DINGPAN_TEST_PG=1),
// against a local push service that speaks RFC 8030 / 8291 / 8292 (tests/notify/helpers/push-service.ts:
// it verifies the VAPID JWT with the k key, checks TTL / Urgency / aes128gcm, and decrypts the body
// with keys made the way a browser makes them). notify() → NotificationDelivery → outbox.runOnce() →
// web-push encryption + VAPID signature → the push service → recorded status. Nothing of ours is mocked.
import webpush from 'web-push'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NextRequest } from 'next/server'
import { encode } from 'next-auth/jwt'
import { getDb } from '@/lib/db/client'
import { createChannel, listChannels, setChannelsLogger, testChannel } from '@/lib/services/notifications/channels'
import { createOutbox } from '@/lib/services/notifications/outbox'
import { ValidationError } from '@/lib/errors'
import { vapidPublicKey } from '@/lib/vapid'
import { GET as getVapidKey } from '@/app/api/push/vapid-public-key/route'
import { GET as getChannels } from '@/app/api/channels/route'
import { providers } from '../../helpers/db'
import { startPushService, type BrowserSubscription, type PushService } from '../../notify/helpers/push-service'
import { captureLogger, makeUser, manualClock, notifyTx, STOP_LOSS_PARAMS, useTestDb } from '../helpers'

process.env.NEXTAUTH_SECRET ??= 'webpush-test-secret-0123456789abcdef'
const SERVER_KEYS = webpush.generateVAPIDKeys()
const saved = { pub: process.env.DINGPAN_VAPID_PUBLIC_KEY, priv: process.env.DINGPAN_VAPID_PRIVATE_KEY, sub: process.env.DINGPAN_VAPID_SUBJECT }
beforeAll(() => {
  process.env.DINGPAN_VAPID_PUBLIC_KEY = SERVER_KEYS.publicKey
  process.env.DINGPAN_VAPID_PRIVATE_KEY = SERVER_KEYS.privateKey
  process.env.DINGPAN_VAPID_SUBJECT = 'mailto:ops@dingpan.example'
})
afterAll(() => {
  for (const [k, v] of [
    ['DINGPAN_VAPID_PUBLIC_KEY', saved.pub],
    ['DINGPAN_VAPID_PRIVATE_KEY', saved.priv],
    ['DINGPAN_VAPID_SUBJECT', saved.sub],
  ] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})

let services: PushService[] = []
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()))
  services = []
})
async function pushService(): Promise<PushService> {
  const s = await startPushService()
  services.push(s)
  return s
}

function pushChannel(userId: number, sub: BrowserSubscription, events: string[] = ['severity:WARNING'], name = 'Chrome 手机') {
  return createChannel(userId, { type: 'WEBPUSH', name, events, config: {}, secrets: { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth } }, { locale: 'zh' })
}

async function request(path: string, uid?: number): Promise<NextRequest> {
  const headers = new Headers({ cookie: 'dp_locale=zh' })
  if (uid !== undefined) {
    const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })
    headers.set('cookie', `next-auth.session-token=${token}; dp_locale=zh`)
  }
  return new NextRequest(`http://127.0.0.1${path}`, { method: 'GET', headers })
}
const noParams = { params: Promise.resolve({}) as Promise<Record<string, never>> }

describe.each(providers())('Web Push channel on %s', (provider) => {
  useTestDb(provider)

  it('delivers a stop-loss through the outbox: signed with VAPID, encrypted, decrypted by the push service with the right title and body', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const sub = ps.subscribe(vapidPublicKey())
    const ch = await pushChannel(user, sub, ['*'])
    const n = await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-push' })
    const fill = await notifyTx({ userId: user, type: 'ORDER_FILLED', params: { code: '600000.SH', name: '浦发银行', side: '卖出', filled: 1000, avgPrice: '7.12' } })
    expect(n && fill).toBeTruthy()

    const clock = manualClock()
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), appUrl: 'https://dingpan.example' })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 2, delivered: 2, failed: 0, retried: 0 })
    const rows = await getDb().notificationDelivery.findMany({ where: { channelId: ch.id }, orderBy: { id: 'asc' } })
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['DELIVERED', 1],
      ['DELIVERED', 1],
    ])

    const got = ps.delivered()
    expect(got).toHaveLength(2)
    const stop = got.find((r) => (r.json as { type: string }).type === 'TRIGGER_STOP_LOSS')!
    const filled = got.find((r) => (r.json as { type: string }).type === 'ORDER_FILLED')!
    expect(stop.json).toMatchObject({ v: 1, title: n!.title, body: n!.body, severity: 'CRITICAL', tag: `dingpan-${n!.id}`, url: 'https://dingpan.example/notifications' })
    expect(n!.title).toContain('600000')
    expect(filled.json).toMatchObject({ title: fill!.title, body: fill!.body, tag: `dingpan-${fill!.id}` })
    // A stop wakes the phone and is kept a day for an offline device; a fill is normal.
    expect(stop).toMatchObject({ urgency: 'high', ttl: 86_400 })
    expect(filled).toMatchObject({ urgency: 'normal', ttl: 43_200 })
    // The VAPID JWT the push service verified: for its origin, from our contact.
    expect(stop.jwt?.payload).toMatchObject({ aud: ps.origin, sub: 'mailto:ops@dingpan.example' })
    expect(stop.headers['content-encoding']).toBe('aes128gcm')
    expect(stop.headers.authorization).toContain(`k=${SERVER_KEYS.publicKey}`)
    // The body on the wire is ciphertext: the title is not readable in it.
    expect(ps.records.every((r) => r.refused === undefined)).toBe(true)
  })

  it('a push service answering 410: the delivery fails once (no retry), the channel is disabled, the user is told in the app', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const sub = ps.subscribe(vapidPublicKey())
    const ch = await pushChannel(user, sub)
    ps.setMode(sub.endpoint, { kind: 'gone', status: 410 })
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-410-a' })
    await notifyTx({ userId: user, type: 'ORDER_REJECTED', params: { code: '600000.SH', name: '浦发银行', side: '卖出', quantity: 1000, status: '废单', message: 'x' }, dedupeKey: 'rej-410' })

    const clock = manualClock()
    const log = captureLogger()
    // One send at a time: the first 410 disables the channel before the second row is looked at.
    const outbox = createOutbox({ now: clock.now, logger: log, concurrency: 1, batchSize: 1 })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, failed: 1, retried: 0 })
    const after = await getDb().notificationChannel.findUniqueOrThrow({ where: { id: ch.id } })
    expect(after.enabled).toBe(false)
    const rows = await getDb().notificationDelivery.findMany({ where: { channelId: ch.id }, orderBy: { id: 'asc' } })
    expect(rows[0]).toMatchObject({ status: 'FAILED', attempts: 1 })
    expect(rows[0].lastError).toContain('410')
    expect(rows[0].lastError).toContain('no longer exists')
    // The next run sends nothing more to the gone subscription.
    expect(await outbox.runOnce()).toMatchObject({ skipped: 1, claimed: 0 })
    expect(ps.records).toHaveLength(1)

    // Told in the app (and on no push: the channel that would carry it is the one that is gone).
    const told = await getDb().notification.findMany({ where: { userId: user, type: 'PUSH_SUBSCRIPTION_GONE' } })
    expect(told).toHaveLength(1)
    expect(told[0].title).toContain('Chrome 手机')
    expect(told[0].body).toContain('在此浏览器接收推送')
    expect(await getDb().notificationDelivery.count({ where: { notificationId: told[0].id } })).toBe(0)
    const audit = await getDb().auditLog.findFirst({ where: { action: 'channel.disable', entityId: String(ch.id) } })
    expect(audit?.actor).toBe('system:outbox')
    const view = (await listChannels(user)).find((c) => c.id === ch.id)!
    expect(view.enabled).toBe(false)
    expect(log.text()).toContain('push subscription gone')
  })

  it('a 404 from the "send test" button is handled the same way, and the user’s other channels hear about it', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const phone = ps.subscribe(vapidPublicKey())
    const laptop = ps.subscribe(vapidPublicKey())
    const gone = await pushChannel(user, phone, ['severity:WARNING'], 'phone')
    const other = await pushChannel(user, laptop, ['severity:WARNING'], 'laptop')
    ps.setMode(phone.endpoint, { kind: 'gone', status: 404 })
    const r = await testChannel(user, gone.id, { locale: 'zh' })
    expect(r).toMatchObject({ ok: false, sent: true, status: 404, retryable: false })
    expect((await getDb().notificationChannel.findUniqueOrThrow({ where: { id: gone.id } })).enabled).toBe(false)
    const told = await getDb().notification.findFirstOrThrow({ where: { userId: user, type: 'PUSH_SUBSCRIPTION_GONE' } })
    // The warning goes out to the laptop's push channel like any other warning.
    const d = await getDb().notificationDelivery.findMany({ where: { notificationId: told.id } })
    expect(d.map((x) => x.channelId)).toEqual([other.id])
    expect(await createOutbox({ logger: captureLogger() }).runOnce()).toMatchObject({ delivered: 1 })
    expect((ps.delivered().at(-1)!.json as { title: string }).title).toContain('phone')
  })

  it('429 and 503 are retried by the outbox (Retry-After honoured), then delivered', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const sub = ps.subscribe(vapidPublicKey())
    const ch = await pushChannel(user, sub)
    ps.setMode(sub.endpoint, { kind: 'throttle', retryAfterSec: 30 })
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-429' })
    const clock = manualClock()
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), backoff: { random: () => 0.5 } })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, retried: 1 })
    let row = await getDb().notificationDelivery.findFirstOrThrow({ where: { channelId: ch.id } })
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1 })
    expect(row.lastError).toContain('429')
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(clock.now() + 30_000)
    expect((await getDb().notificationChannel.findUniqueOrThrow({ where: { id: ch.id } })).enabled).toBe(true)

    ps.setMode(sub.endpoint, { kind: 'error', status: 503 })
    clock.set(row.nextAttemptAt.getTime() + 1)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, retried: 1 })
    row = await getDb().notificationDelivery.findFirstOrThrow({ where: { channelId: ch.id } })
    expect(row).toMatchObject({ status: 'PENDING', attempts: 2 })
    expect(row.lastError).toContain('503')

    ps.setMode(sub.endpoint, { kind: 'accept' })
    clock.set(row.nextAttemptAt.getTime() + 1)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    row = await getDb().notificationDelivery.findFirstOrThrow({ where: { channelId: ch.id } })
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 3 })
    expect(ps.delivered()).toHaveLength(1)
  })

  it('a subscription made with another server key (the keys changed): 403, not retried, the channel stays', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const sub = ps.subscribe(webpush.generateVAPIDKeys().publicKey)
    const ch = await pushChannel(user, sub)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-403' })
    expect(await createOutbox({ logger: captureLogger() }).runOnce()).toMatchObject({ failed: 1, retried: 0 })
    const row = await getDb().notificationDelivery.findFirstOrThrow({ where: { channelId: ch.id } })
    expect(row.lastError).toContain('VAPID')
    expect(ps.records[0]).toMatchObject({ status: 403 })
  })

  it('validates the subscription: https endpoint (http only on loopback), well-formed keys', async () => {
    const user = await makeUser()
    const ps = await pushService()
    const good = ps.subscribe(vapidPublicKey())
    const bad = async (secrets: Record<string, unknown>) => {
      try {
        await createChannel(user, { type: 'WEBPUSH', name: 'x', events: ['*'], config: {}, secrets: { endpoint: good.endpoint, p256dh: good.keys.p256dh, auth: good.keys.auth, ...secrets } }, { locale: 'en' })
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError)
        return Object.keys((e as ValidationError).fields)
      }
      return []
    }
    expect(await bad({ endpoint: 'http://push.example.com/x' })).toEqual(['secrets.endpoint'])
    expect(await bad({ endpoint: 'http://10.0.0.5/x' })).toEqual(['secrets.endpoint'])
    expect(await bad({ endpoint: 'ftp://push.example.com/x' })).toEqual(['secrets.endpoint'])
    expect(await bad({ endpoint: 'https://user:pw@push.example.com/x' })).toEqual(['secrets.endpoint'])
    expect(await bad({ p256dh: good.keys.auth })).toEqual(['secrets.p256dh'])
    expect(await bad({ auth: good.keys.p256dh })).toEqual(['secrets.auth'])
    expect(await bad({ auth: '' })).toEqual(['secrets.auth'])
    expect(await bad({ endpoint: 'https://fcm.googleapis.com/fcm/send/abc' })).toEqual([])
    // Standard base64 with padding (some browsers' toJSON) is normalised to base64url.
    const std = Buffer.from(good.keys.auth, 'base64url').toString('base64')
    expect(await bad({ auth: std })).toEqual([])
  })

  it('the VAPID private key and the subscription secrets never appear in a log line or an API answer; the key route needs a sign-in', async () => {
    const ps = await pushService()
    const user = await makeUser()
    const sub = ps.subscribe(vapidPublicKey())
    const chLog = captureLogger()
    setChannelsLogger(chLog)
    const ch = await pushChannel(user, sub)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-leak-1' })
    const log = captureLogger()
    const clock = manualClock()
    const outbox = createOutbox({ now: clock.now, logger: log })
    await outbox.runOnce()
    ps.setMode(sub.endpoint, { kind: 'throttle' })
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-leak-2' })
    await outbox.runOnce()
    ps.setMode(sub.endpoint, { kind: 'gone', status: 410 })
    const test = await testChannel(user, ch.id, { locale: 'en' })

    const unauth = await getVapidKey(await request('/api/push/vapid-public-key'), noParams)
    expect(unauth.status).toBe(401)
    const keyRes = await getVapidKey(await request('/api/push/vapid-public-key', user), noParams)
    expect(keyRes.status).toBe(200)
    const keyBody = await keyRes.text()
    expect(JSON.parse(keyBody)).toEqual({ publicKey: SERVER_KEYS.publicKey })
    const list = await (await getChannels(await request('/api/channels', user), noParams)).text()
    expect(list).toContain('"WEBPUSH"')

    const deliveries = JSON.stringify(await getDb().notificationDelivery.findMany())
    const audit = JSON.stringify(await getDb().auditLog.findMany())
    const channelRow = JSON.stringify(await getDb().notificationChannel.findMany({ select: { config: true, name: true } }))
    const everything = [log.text(), chLog.text(), keyBody, list, JSON.stringify(test), deliveries, audit, channelRow].join('\n')
    expect(log.lines.length).toBeGreaterThan(2)
    for (const [name, secret] of [
      ['VAPID private key', SERVER_KEYS.privateKey],
      ['auth secret', sub.keys.auth],
      ['p256dh', sub.keys.p256dh],
      ['endpoint', sub.endpoint],
      ['endpoint path', new URL(sub.endpoint).pathname.split('/').pop()!],
    ]) {
      expect(everything.includes(secret), `${name} leaked`).toBe(false)
    }
  })
})
