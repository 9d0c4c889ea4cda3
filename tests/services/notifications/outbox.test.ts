// The delivery outbox against real databases (SQLite, and PostgreSQL when DINGPAN_TEST_PG=1) and
// local stand-ins of every platform (tests/notify/helpers): notify() → NotificationDelivery →
// outbox.runOnce() → HTTP/SMTP → recorded status. Nothing of ours is mocked; clocks are injected.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDb, getDb, type Db } from '@/lib/db/client'
import { claimDelivery, closeUnsent, deferDelivery, recordOutcome } from '@/lib/db/deliveries'
import { createChannel, deleteChannel, listChannels, setChannelsLogger, updateChannel } from '@/lib/services/notifications/channels'
import { createOutbox, type OutboxOptions, type RunSummary } from '@/lib/services/notifications/outbox'
import { SlidingWindowRateLimiter } from '@/lib/notify'
import { providers, ROOT } from '../../helpers/db'
import { barkPlatform, dingtalkPlatform, feishuPlatform, serverchanPlatform, webhookReceiver, wecomPlatform } from '../../notify/helpers/platforms'
import { startReceiver, type Handler, type Receiver } from '../../notify/helpers/receiver'
import { smtpError, startSmtp, subjectOf, type SmtpHandle } from '../../notify/helpers/smtp'
import { captureLogger, gate, KEY, makeUser, manualClock, notifyTx, STOP_LOSS_PARAMS, useTestDb } from '../helpers'

const DT_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
const DT_SECRET = 'SEC7f3a9c2e1b8d4f6a0c5e9b2d7f1a3c8e6b4d0f2a9c7e5b3d1f8a6c4e2b0d9f7a5'
const FEISHU_HOOK = '0d9b2c5e-1f7a-4c3b-9e8d-7a6b5c4d3e2f'
const FEISHU_SECRET = 'qYt3kP9wZx2LmN8vB4cR7d'
const WECOM_KEY = '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5a1b'
const SC_KEY = 'SCT123456TAbCdEfGhIjKlMnOpQrStUvWx'
const BARK_KEY = 'ynJ5Ft4atkMkWeo2PAvFhF'
const SMTP_PASS = 'smtp-P4ss-w0rd-9f8e7d'
const HOOK_SECRET = 'whsec-0123456789abcdef-XYZ'
const ALL_SECRETS = [DT_TOKEN, DT_SECRET, FEISHU_HOOK, FEISHU_SECRET, WECOM_KEY, SC_KEY, BARK_KEY, SMTP_PASS, HOOK_SECRET]

function expectNoSecret(text: string, where: string) {
  for (const s of ALL_SECRETS) expect(text.includes(s), `${where} contains a secret`).toBe(false)
}

/**
 * Base-URL overrides for the platforms whose host is fixed (DingTalk, Feishu, WeCom, ServerChan),
 * keyed by channel id; cleared after each test (ids repeat across databases).
 */
const overrides = new Map<number, string>()
let receivers: Receiver[] = []
let smtps: SmtpHandle[] = []
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()))
  await Promise.all(smtps.map((s) => s.close()))
  receivers = []
  smtps = []
  overrides.clear()
})
async function receiver(h: Handler): Promise<Receiver> {
  const r = await startReceiver(h)
  receivers.push(r)
  return r
}

const overrideOpt: OutboxOptions['baseUrlOverride'] = (c) => overrides.get(c.id)

async function webhookChannel(userId: number, url: string, over: Record<string, unknown> = {}) {
  return createChannel(userId, { type: 'WEBHOOK', name: 'hook', events: ['*'], config: { url }, secrets: { hmacSecret: HOOK_SECRET }, ...over }, { locale: 'zh' })
}

async function deliveriesOf(channelId: number) {
  return getDb().notificationDelivery.findMany({ where: { channelId }, orderBy: { id: 'asc' } })
}

describe.each(providers())('outbox on %s', (provider) => {
  const testDb = useTestDb(provider)

  it('delivers one stop-loss to all seven channel types end to end, each in its platform’s format', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const dt = await receiver(dingtalkPlatform({ token: DT_TOKEN, secret: DT_SECRET, keywords: ['盯盘'], now: clock.now }))
    const fs_ = await receiver(feishuPlatform({ hookId: FEISHU_HOOK, secret: FEISHU_SECRET, now: clock.now }))
    const wc = await receiver(wecomPlatform({ key: WECOM_KEY, now: clock.now }))
    const sc = await receiver(serverchanPlatform({ sendKey: SC_KEY }))
    const bk = await receiver(barkPlatform({ deviceKey: BARK_KEY }))
    const wh = await receiver(webhookReceiver({ secret: HOOK_SECRET, now: clock.now }))
    const smtp = await startSmtp({ user: 'trader', pass: SMTP_PASS })
    smtps.push(smtp)

    const mk = (type: string, name: string, config: Record<string, unknown>, secrets: Record<string, unknown>, events: string[] = ['severity:WARNING']) =>
      createChannel(user, { type, name, events, config, secrets }, { locale: 'zh' })
    const c = {
      dingtalk: await mk('DINGTALK', '钉钉', { keyword: '盯盘' }, { accessToken: `https://oapi.dingtalk.com/robot/send?access_token=${DT_TOKEN}`, signSecret: DT_SECRET }),
      feishu: await mk('FEISHU', '飞书', {}, { webhookUrl: `https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_HOOK}`, signSecret: FEISHU_SECRET }),
      wecom: await mk('WECOM', '企业微信', {}, { key: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}` }),
      serverchan: await mk('SERVERCHAN', 'Server酱', {}, { sendKey: SC_KEY }),
      bark: await mk('BARK', 'iPhone', { serverUrl: bk.baseUrl, levels: { CRITICAL: 'critical' }, criticalVolume: 8 }, { deviceKey: BARK_KEY }),
      email: await mk('EMAIL', '邮件', { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: 'trader', from: '盯盘 <alerts@dingpan.local>', to: ['me@example.com'] }, { password: SMTP_PASS }),
      webhook: await mk('WEBHOOK', 'Webhook', { url: `${wh.baseUrl}/dingpan` }, { hmacSecret: HOOK_SECRET }),
    }
    overrides.set(c.dingtalk.id, dt.baseUrl)
    overrides.set(c.feishu.id, fs_.baseUrl)
    overrides.set(c.wecom.id, wc.baseUrl)
    overrides.set(c.serverchan.id, sc.baseUrl)

    // Routing: an entry signal (INFO) stays in-app only with the "warnings and above" preset.
    await notifyTx({ userId: user, type: 'TRIGGER_ENTRY', params: { code: '600000.SH', name: '浦发银行', price: '7.50', low: '7.40', high: '7.60', action: '' } })
    const n = await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS, dedupeKey: 'sl-1' })
    expect(n).not.toBeNull()
    expect(await getDb().notificationDelivery.count()).toBe(7)

    const log = captureLogger()
    const outbox = createOutbox({ now: clock.now, logger: log, baseUrlOverride: overrideOpt, appUrl: 'https://dingpan.example' })
    const s = await outbox.runOnce()
    expect(s).toMatchObject({ claimed: 7, delivered: 7, retried: 0, failed: 0 })

    const rows = await getDb().notificationDelivery.findMany({ include: { channel: true } })
    for (const r of rows) {
      expect(r, r.channel.type).toMatchObject({ status: 'DELIVERED', attempts: 1, lastError: null, lockedUntil: null })
      expect(r.deliveredAt?.getTime()).toBe(clock.now())
    }

    // DingTalk: POST /robot/send?access_token&timestamp&sign (verified by the sim), markdown with the keyword.
    expect(dt.requests).toHaveLength(1)
    const dtBody = dt.requests[0].json as { msgtype: string; markdown: { title: string; text: string } }
    expect(dtBody.msgtype).toBe('markdown')
    expect(dtBody.markdown.text).toContain('跌破止损价 7.15')
    expect(dtBody.markdown.text).toContain('盯盘')
    expect(dt.requests[0].query.get('timestamp')).toBe(String(clock.now()))
    // Feishu: signed interactive card.
    const fsBody = fs_.requests[0].json as { msg_type: string; sign: string; card: { header: { title: { content: string } } } }
    expect(fsBody.msg_type).toBe('interactive')
    expect(fsBody.sign).toBeTruthy()
    expect(fsBody.card.header.title.content).toContain('止损信号')
    // WeCom: markdown.content with the key in the query.
    expect(wc.requests[0].query.get('key')).toBe(WECOM_KEY)
    expect((wc.requests[0].json as { markdown: { content: string } }).markdown.content).toContain('7.15')
    // ServerChan: /<SendKey>.send with title ≤ 32 chars + desp.
    expect(sc.requests[0].path).toBe(`/${SC_KEY}.send`)
    expect((sc.requests[0].json as { desp: string }).desp).toContain('跌破止损价')
    // Bark: /push JSON with device_key and the configured critical level/volume, linking back to the app.
    expect(bk.requests[0].json).toMatchObject({ device_key: BARK_KEY, level: 'critical', volume: 8, url: 'https://dingpan.example/notifications' })
    // Email: a real SMTP transaction with AUTH.
    expect(smtp.auths).toEqual([{ username: 'trader', password: SMTP_PASS }])
    expect(smtp.mails).toHaveLength(1)
    expect(subjectOf(smtp.mails[0].raw)).toContain('止损信号')
    // Webhook: signed JSON (verified by the receiver) with the notification id for de-duplication.
    const whBody = wh.requests[0].json as { id: string; type: string; severity: string; data: { params: Record<string, string> } }
    expect(whBody).toMatchObject({ id: String(n!.id), type: 'TRIGGER_STOP_LOSS', severity: 'CRITICAL' })
    expect(whBody.data.params).toMatchObject({ code: '600000.SH', level: '7.15' })
    expect(wh.requests[0].path).toBe('/dingpan')

    // A second run sends nothing more.
    expect((await outbox.runOnce()).claimed).toBe(0)
    for (const r of [dt, fs_, wc, sc, bk, wh]) expect(r.requests).toHaveLength(1)
    expectNoSecret(log.text(), 'outbox log')
  })

  it('retries with exponential backoff, then succeeds', async () => {
    const clock = manualClock()
    const user = await makeUser()
    let calls = 0
    const verify = webhookReceiver({ secret: HOOK_SECRET, now: clock.now })
    const rx = await receiver((req) => (++calls <= 2 ? { status: 500, body: { error: 'upstream busy' } } : verify(req)))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'ORDER_REJECTED', params: { side: '卖出', code: '600000.SH', name: '浦发银行', quantity: 1000, status: '废单', message: '资金不足' } })
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), backoff: { jitter: 0 } })

    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, retried: 1 })
    let [d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'PENDING', attempts: 1 })
    expect(d.lastError).toMatch(/^attempt 1\/8: Webhook answered HTTP 500/)
    expect(d.nextAttemptAt.getTime() - clock.now()).toBe(5_000)

    expect((await outbox.runOnce()).claimed).toBe(0) // not due yet
    clock.advance(5_000)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, retried: 1 })
    ;[d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'PENDING', attempts: 2 })
    expect(d.nextAttemptAt.getTime() - clock.now()).toBe(10_000)

    clock.advance(9_999)
    expect((await outbox.runOnce()).claimed).toBe(0)
    clock.advance(1)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    ;[d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'DELIVERED', attempts: 3, lastError: null })
    expect(rx.requests).toHaveLength(3)
  })

  it('a 4xx / bad signature is FAILED at once with the platform’s answer, never retried', async () => {
    const clock = manualClock()
    const user = await makeUser()
    // The receiver knows another secret: it answers 401 {"error":"bad signature"}.
    const wh = await receiver(webhookReceiver({ secret: 'the-receiver-has-another-secret', now: clock.now }))
    const hook = await webhookChannel(user, wh.baseUrl)
    // DingTalk with a wrong 加签 secret: HTTP 200 with errcode 310000 "sign not match".
    const dt = await receiver(dingtalkPlatform({ token: DT_TOKEN, secret: 'SECsomethingElse0123456789', now: clock.now }))
    const ding = await createChannel(user, { type: 'DINGTALK', name: '钉钉', events: ['*'], config: {}, secrets: { accessToken: DT_TOKEN, signSecret: DT_SECRET } }, { locale: 'zh' })
    overrides.set(ding.id, dt.baseUrl)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })

    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), baseUrlOverride: overrideOpt })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 2, failed: 2, delivered: 0 })
    const [h] = await deliveriesOf(hook.id)
    expect(h).toMatchObject({ status: 'FAILED', attempts: 1, deliveredAt: null })
    expect(h.lastError).toMatch(/HTTP 401.*bad signature/)
    const [d] = await deliveriesOf(ding.id)
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1, deliveredAt: null })
    expect(d.lastError).toMatch(/310000: sign not match/)

    clock.advance(3_600_000)
    expect((await outbox.runOnce()).claimed).toBe(0)
    expect(wh.requests).toHaveLength(1)
    expect(dt.requests).toHaveLength(1)
    // The settings page sees the failure with its error.
    const views = await listChannels(user)
    expect(views.find((v) => v.id === hook.id)?.lastDelivery).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/bad signature/) })
    expect(views.find((v) => v.id === hook.id)?.recent.failed).toBe(1)
  })

  it('exhausted attempts → FAILED with the last error; exactly maxAttempts sends', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const rx = await receiver(() => ({ status: 503, body: 'maintenance' }))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'BRIDGE_DOWN', params: { reason: 'ECONNREFUSED' } })
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), maxAttempts: 3, backoff: { jitter: 0 } })
    for (let i = 0; i < 6; i++) {
      await outbox.runOnce()
      clock.advance(60_000)
    }
    const [d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'FAILED', attempts: 3, deliveredAt: null })
    expect(d.lastError).toMatch(/^gave up after 3 attempts: Webhook answered HTTP 503/)
    expect(rx.requests).toHaveLength(3)
  })

  it('timeout: outcome unknown → retried (the receiver may see it twice, bounded by maxAttempts)', async () => {
    const clock = manualClock()
    const user = await makeUser()
    let n = 0
    const verify = webhookReceiver({ secret: HOOK_SECRET, now: clock.now })
    const rx = await receiver((req) => (++n === 1 ? { hang: true } : verify(req)))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'ORDER_UNKNOWN', params: { side: '卖出', code: '600000.SH', name: '浦发银行', quantity: 100, reason: 'timeout', clientOrderId: 'c1' } })
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), timeoutMs: 300, leaseMs: 5_000, backoff: { jitter: 0 } })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, retried: 1 })
    let [d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'PENDING', attempts: 1 })
    expect(d.lastError).toMatch(/no answer within 300 ms \(timeout\)/)
    clock.advance(5_000)
    expect(await outbox.runOnce()).toMatchObject({ delivered: 1 })
    ;[d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'DELIVERED', attempts: 2 })
    // Both requests carried the same notification id: the receiver can de-duplicate.
    expect(rx.requests).toHaveLength(2)
    expect((rx.requests[0].json as { id: string }).id).toBe((rx.requests[1].json as { id: string }).id)
  })

  it('rate limit: 21 DingTalk notifications in a minute → 20 delivered, the 21st queued (no attempt used) then delivered after the window', async () => {
    const clock = manualClock()
    const user = await makeUser()
    // The sim enforces DingTalk's 20/minute on the same clock and would answer 130101 "send too fast".
    const dt = await receiver(dingtalkPlatform({ token: DT_TOKEN, secret: DT_SECRET, perMinute: 20, now: clock.now }))
    const ch = await createChannel(user, { type: 'DINGTALK', name: '钉钉', events: ['*'], config: {}, secrets: { accessToken: DT_TOKEN, signSecret: DT_SECRET } }, { locale: 'zh' })
    overrides.set(ch.id, dt.baseUrl)
    for (let i = 0; i < 21; i++) {
      await notifyTx({ userId: user, type: 'ORDER_FILLED', params: { side: '买入', code: '600000.SH', name: '浦发银行', filled: 100 + i, avgPrice: '7.20' } })
    }
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), baseUrlOverride: overrideOpt, limiter: new SlidingWindowRateLimiter({ now: clock.now }) })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 20, delivered: 20, deferred: 1, retried: 0 })
    let rows = await deliveriesOf(ch.id)
    expect(rows.filter((r) => r.status === 'DELIVERED')).toHaveLength(20)
    const queued = rows.find((r) => r.status === 'PENDING')!
    expect(queued.id).toBe(rows[20].id) // FIFO: the last one waits
    expect(queued.attempts).toBe(0)
    expect(queued.lastError).toBeNull()
    expect(queued.nextAttemptAt.getTime()).toBe(clock.now() + 60_000)
    expect(dt.requests).toHaveLength(20)

    clock.advance(30_000)
    expect((await outbox.runOnce()).claimed).toBe(0)
    clock.advance(30_000)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    rows = await deliveriesOf(ch.id)
    expect(rows.every((r) => r.status === 'DELIVERED' && r.attempts === 1)).toBe(true)
    expect(dt.requests).toHaveLength(21)
  })

  it('a CRITICAL notification is not queued behind INFO ones by the rate limit', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const dt = await receiver(dingtalkPlatform({ token: DT_TOKEN, now: clock.now }))
    const ch = await createChannel(user, { type: 'DINGTALK', name: '钉钉', events: ['*'], config: {}, secrets: { accessToken: DT_TOKEN } }, { locale: 'zh' })
    overrides.set(ch.id, dt.baseUrl)
    for (let i = 0; i < 20; i++) await notifyTx({ userId: user, type: 'ORDER_FILLED', params: { side: '买入', code: '600000.SH', name: '浦发银行', filled: i, avgPrice: '7' } })
    const sl = await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), baseUrlOverride: overrideOpt })
    await outbox.runOnce()
    const stop = await getDb().notificationDelivery.findFirst({ where: { notificationId: sl!.id } })
    expect(stop?.status).toBe('DELIVERED')
    expect((dt.requests[0].json as { markdown: { text: string } }).markdown.text).toContain('止损')
  })

  it('crash safety: a SENDING row whose lease expired is retried; a live lease is not stolen; an expired last attempt fails as "outcome unknown"', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: HOOK_SECRET, now: clock.now }))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const [d0] = await deliveriesOf(ch.id)
    const outbox = createOutbox({ now: clock.now, logger: captureLogger(), maxAttempts: 3 })

    // Another process holds a live lease.
    await getDb().notificationDelivery.update({ where: { id: d0.id }, data: { status: 'SENDING', attempts: 1, lockedUntil: new Date(clock.now() + 30_000) } })
    expect((await outbox.runOnce()).claimed).toBe(0)
    expect(rx.requests).toHaveLength(0)
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'SENDING', attempts: 1 })

    // That process died: once the lease expires the row is claimed again (attempt 2) and delivered.
    clock.advance(30_001)
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 })
    expect(rx.requests).toHaveLength(1)

    // A death during the last allowed attempt: no more sends, FAILED with an explanation.
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const d1 = (await deliveriesOf(ch.id))[1]
    await getDb().notificationDelivery.update({ where: { id: d1.id }, data: { status: 'SENDING', attempts: 3, lockedUntil: new Date(clock.now() - 1) } })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 0, failed: 1 })
    const after = (await deliveriesOf(ch.id))[1]
    expect(after).toMatchObject({ status: 'FAILED', attempts: 3 })
    expect(after.lastError).toMatch(/outcome is unknown/)
    expect(rx.requests).toHaveLength(1)
  })

  it('crash after the platform accepted but before DELIVERED: exactly one duplicate, and the stale process cannot overwrite', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: HOOK_SECRET, now: clock.now }))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })

    // Process A: the platform answers, then A freezes before recording (held by the gate).
    const frozen = gate()
    const answered = gate()
    const freezingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, { ...init, signal: undefined })
      answered.open()
      await frozen.wait()
      return res
    }
    const logA = captureLogger()
    const a = createOutbox({ now: clock.now, logger: logA, fetchImpl: freezingFetch, timeoutMs: 1_000, leaseMs: 10_000 })
    const runA = a.runOnce()
    await answered.wait()
    expect(rx.requests).toHaveLength(1)
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'SENDING', attempts: 1 })

    // Process B, after A's lease expired, sends again (the duplicate) and records DELIVERED.
    clock.advance(10_001)
    const b = createOutbox({ now: clock.now, logger: captureLogger() })
    expect(await b.runOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    expect(rx.requests).toHaveLength(2)

    // A wakes up: its write is refused (the row is no longer its claim), nothing is overwritten.
    frozen.open()
    expect(await runA).toMatchObject({ claimed: 1, delivered: 0, lost: 1 })
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 })
    expect(logA.text()).toMatch(/outcome not recorded/)
  })

  it('two outbox processes on one database never send the same delivery', async () => {
    const user = await makeUser()
    const inFlight = new Map<string, number>()
    const seen = new Map<string, number>()
    let overlap = 0
    const verify = webhookReceiver({ secret: HOOK_SECRET })
    const rx = await receiver(async (req) => {
      const id = (req.json as { id: string }).id
      seen.set(id, (seen.get(id) ?? 0) + 1)
      if ((inFlight.get(id) ?? 0) > 0) overlap++
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1)
      await new Promise((r) => setTimeout(r, 15))
      inFlight.set(id, inFlight.get(id)! - 1)
      return verify(req)
    })
    const ch = await webhookChannel(user, rx.baseUrl)
    const N = 60
    for (let i = 0; i < N; i++) await notifyTx({ userId: user, type: 'ORDER_FILLED', params: { side: '买入', code: '600000.SH', name: '浦发银行', filled: i, avgPrice: '7' } })

    // Two real worker-like processes (separate connections, separate rate limiters), started together.
    const env = { ...process.env, DATABASE_URL: testDb.current().url, DINGPAN_ENCRYPTION_KEY: KEY, START_AT: String(Date.now() + 4_000) }
    const run = () =>
      new Promise<RunSummary>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'tests/services/notifications/outbox-process.ts')], { cwd: ROOT, env })
        let out = ''
        let err = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as RunSummary) : reject(new Error(`outbox process exited ${code}: ${err}`))))
      })
    const [a, b] = await Promise.all([run(), run()])
    expect(a.claimed + b.claimed).toBe(N)
    expect(a.delivered + b.delivered).toBe(N)
    expect(a.lost + b.lost).toBe(0)
    expect(seen.size).toBe(N)
    expect([...seen.values()].every((c) => c === 1)).toBe(true)
    expect(overlap).toBe(0)
    const rows = await deliveriesOf(ch.id)
    expect(rows.every((r) => r.status === 'DELIVERED' && r.attempts === 1)).toBe(true)
  }, 60_000)

  it('a stale read never wins: every state change repeats the status/attempts it read', async () => {
    const user = await makeUser()
    const ch = await webhookChannel(user, 'http://127.0.0.1:9/never')
    await notifyTx({ userId: user, type: 'BRIDGE_UP', params: {} })
    const [row] = await deliveriesOf(ch.id)
    const db = getDb()
    const now = new Date(Date.now() + 1_000)
    const lease = new Date(now.getTime() + 60_000)
    const pending = { id: row.id, status: 'PENDING' as const, attempts: 0 }
    expect(await claimDelivery(db, pending, now, lease)).toBe(true)
    // Everyone who read the row as PENDING/0 is now too late.
    expect(await claimDelivery(db, pending, now, lease)).toBe(false)
    expect(await deferDelivery(db, pending, now, lease)).toBe(false)
    expect(await closeUnsent(db, pending, now, 'SKIPPED', 'x')).toBe(false)
    // The live lease cannot be taken over; once expired, exactly one re-claim succeeds.
    const sending = { id: row.id, status: 'SENDING' as const, attempts: 1 }
    expect(await claimDelivery(db, sending, now, lease)).toBe(false)
    const later = new Date(lease.getTime() + 1)
    expect(await claimDelivery(db, sending, later, new Date(later.getTime() + 60_000))).toBe(true)
    expect(await claimDelivery(db, sending, later, new Date(later.getTime() + 60_000))).toBe(false)
    // Only the current claim (attempts 2) may record an outcome.
    expect(await recordOutcome(db, row.id, 1, { status: 'DELIVERED', at: later })).toBe(false)
    expect(await recordOutcome(db, row.id, 2, { status: 'FAILED', error: 'x' })).toBe(true)
    expect(await recordOutcome(db, row.id, 2, { status: 'DELIVERED', at: later })).toBe(false)
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'FAILED', attempts: 2, deliveredAt: null })
  })

  // Two concurrent writers inside ONE process only make sense on PostgreSQL: better-sqlite3 is
  // synchronous, so a second in-process SQLite connection waiting for the lock blocks the event
  // loop that would release it. The two-process test above covers SQLite.
  if (provider === 'postgresql') {
    it('a row read by two processes at once is claimed by exactly one of them', async () => {
      const user = await makeUser()
      const ch = await webhookChannel(user, 'http://127.0.0.1:9/never')
      for (let i = 0; i < 25; i++) await notifyTx({ userId: user, type: 'BRIDGE_UP', params: {} })
      const rows = await deliveriesOf(ch.id)
      const dbA: Db = createDb(testDb.current().url)
      const dbB: Db = createDb(testDb.current().url)
      try {
        const now = new Date(Date.now() + 1_000)
        const lease = new Date(now.getTime() + 60_000)
        const results = await Promise.all(
          rows.map(async (r) => {
            const g = { id: r.id, status: 'PENDING' as const, attempts: 0 }
            const [x, y] = await Promise.all([claimDelivery(dbA, g, now, lease), claimDelivery(dbB, g, now, lease)])
            return Number(x) + Number(y)
          }),
        )
        expect(results.every((won) => won === 1)).toBe(true)
        const after = await deliveriesOf(ch.id)
        expect(after.every((r) => r.status === 'SENDING' && r.attempts === 1)).toBe(true)
      } finally {
        await dbA.$disconnect()
        await dbB.$disconnect()
      }
    })

  }

  it('SMTP failures are recorded as failures: 535 authentication → FAILED, 451 → retried', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const smtp = await startSmtp({ user: 'trader', pass: 'the-right-password' })
    smtps.push(smtp)
    const mail = await createChannel(
      user,
      { type: 'EMAIL', name: 'mail', events: ['*'], config: { host: '127.0.0.1', port: smtp.port, security: 'NONE', user: 'trader', from: 'alerts@dingpan.local', to: ['me@example.com'] }, secrets: { password: SMTP_PASS } },
      { locale: 'zh' },
    )
    const tmp = await startSmtp({ onRcptTo: (_a, _s, cb) => cb(smtpError('Greylisted, try again later', 451)) })
    smtps.push(tmp)
    const grey = await createChannel(
      user,
      { type: 'EMAIL', name: 'grey', events: ['*'], config: { host: '127.0.0.1', port: tmp.port, security: 'NONE', from: 'alerts@dingpan.local', to: ['me@example.com'] }, secrets: {} },
      { locale: 'zh' },
    )
    await notifyTx({ userId: user, type: 'ORDER_REJECTED', params: { side: '卖出', code: '600000.SH', name: '浦发银行', quantity: 100, status: '废单', message: '价格超出涨跌停' } })
    const log = captureLogger()
    const outbox = createOutbox({ now: clock.now, logger: log })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 2, failed: 1, retried: 1, delivered: 0 })
    const [m] = await deliveriesOf(mail.id)
    expect(m).toMatchObject({ status: 'FAILED', attempts: 1, deliveredAt: null })
    expect(m.lastError).toMatch(/535/)
    expect(m.lastError).toMatch(/authentication|user name and password/)
    const [g] = await deliveriesOf(grey.id)
    expect(g).toMatchObject({ status: 'PENDING', attempts: 1, deliveredAt: null })
    expect(g.lastError).toMatch(/451/)
    expect(smtp.mails).toHaveLength(0)
    expect(tmp.mails).toHaveLength(0)
    expectNoSecret(log.text() + JSON.stringify([m, g]), 'SMTP failure records')
  })

  it('disabled channel → SKIPPED with a reason; a channel deleted mid-send is dropped without error', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: HOOK_SECRET, now: clock.now }))
    const off = await webhookChannel(user, rx.baseUrl, { name: 'off' })
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    await updateChannel(user, off.id, { name: 'off', enabled: false, events: ['*'], config: { url: rx.baseUrl }, secrets: {} }, { locale: 'zh' })
    const outbox = createOutbox({ now: clock.now, logger: captureLogger() })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 0, skipped: 1 })
    const [d] = await deliveriesOf(off.id)
    expect(d).toMatchObject({ status: 'SKIPPED', attempts: 0, deliveredAt: null })
    expect(d.lastError).toMatch(/channel disabled/)
    expect(rx.requests).toHaveLength(0)

    // Deleted while a send is in flight.
    const held = gate()
    const sent = gate()
    const slow = await receiver(async (req) => {
      sent.open()
      await held.wait()
      return webhookReceiver({ secret: HOOK_SECRET, now: clock.now })(req)
    })
    const doomed = await webhookChannel(user, slow.baseUrl, { name: 'doomed' })
    const n = await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const log = captureLogger()
    const run = createOutbox({ now: clock.now, logger: log, timeoutMs: 5_000 }).runOnce()
    await sent.wait()
    await deleteChannel(user, doomed.id)
    held.open()
    expect(await run).toMatchObject({ claimed: 1, lost: 1 })
    expect(await getDb().notificationDelivery.count({ where: { channelId: doomed.id } })).toBe(0)
    expect(await getDb().notification.count({ where: { id: n!.id } })).toBe(1) // in-app history stays
    expect(log.text()).toMatch(/channel deleted/)
  })

  it('secrets that cannot be decrypted (key changed) → FAILED with a clear, secret-free message; nothing sent', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: HOOK_SECRET, now: clock.now }))
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const log = captureLogger()
    const outbox = createOutbox({ now: clock.now, logger: log, encryptionKey: () => `another-key-${'x'.repeat(40)}` })
    expect(await outbox.runOnce()).toMatchObject({ claimed: 1, failed: 1 })
    const [d] = await deliveriesOf(ch.id)
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1, deliveredAt: null })
    expect(d.lastError).toMatch(/cannot be decrypted.*encryption key/)
    expect(rx.requests).toHaveLength(0)
    expectNoSecret(log.text() + (d.lastError ?? ''), 'decrypt failure')

    // The settings page says so too.
    process.env.DINGPAN_ENCRYPTION_KEY = `another-key-${'x'.repeat(40)}`
    try {
      const [v] = await listChannels(user)
      expect(v.secretsUnreadable).toBe(true)
      expect(v.secretHints.hmacSecret).toBe('')
    } finally {
      process.env.DINGPAN_ENCRYPTION_KEY = KEY
    }
  })

  it('secrets never reach the database in clear, delivery errors or logs — even when a platform echoes them back', async () => {
    const clock = manualClock()
    const user = await makeUser()
    const chLog = captureLogger()
    setChannelsLogger(chLog)
    // Hostile/buggy platforms that quote the credentials in their error answers.
    const dt = await receiver((req) => ({ body: { errcode: 300001, errmsg: `token ${req.query.get('access_token')} is not exist, sign=${req.query.get('sign')}` } }))
    const wh = await receiver(() => ({ status: 400, body: `bad request: secret ${HOOK_SECRET} rejected` }))
    const sc = await receiver(() => ({ status: 500, body: { code: 500, message: `key ${SC_KEY} overloaded` } }))
    const ding = await createChannel(user, { type: 'DINGTALK', name: 'd', events: ['*'], config: {}, secrets: { accessToken: DT_TOKEN, signSecret: DT_SECRET } }, { locale: 'zh' })
    const hook = await webhookChannel(user, wh.baseUrl)
    const chan = await createChannel(user, { type: 'SERVERCHAN', name: 's', events: ['*'], config: {}, secrets: { sendKey: SC_KEY } }, { locale: 'zh' })
    const feishu = await createChannel(user, { type: 'FEISHU', name: 'f', events: ['*'], config: {}, secrets: { webhookUrl: `https://open.feishu.cn/open-apis/bot/v2/hook/${FEISHU_HOOK}`, signSecret: FEISHU_SECRET } }, { locale: 'zh' })
    const mail = await createChannel(user, { type: 'EMAIL', name: 'm', events: ['*'], config: { host: '127.0.0.1', port: 9, security: 'NONE', user: 'u', from: 'a@b.cn', to: ['c@d.cn'] }, secrets: { password: SMTP_PASS } }, { locale: 'zh' })
    const bark = await createChannel(user, { type: 'BARK', name: 'b', events: ['*'], config: { serverUrl: 'http://127.0.0.1:9' }, secrets: { deviceKey: BARK_KEY } }, { locale: 'zh' })
    const wecom = await createChannel(user, { type: 'WECOM', name: 'w', events: ['*'], config: {}, secrets: { key: WECOM_KEY } }, { locale: 'zh' })
    overrides.set(ding.id, dt.baseUrl)
    overrides.set(chan.id, sc.baseUrl)
    overrides.set(feishu.id, 'http://127.0.0.1:9')
    overrides.set(wecom.id, 'http://127.0.0.1:9')
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const log = captureLogger()
    const outbox = createOutbox({ now: clock.now, logger: log, baseUrlOverride: overrideOpt, timeoutMs: 2_000 })
    const s = await outbox.runOnce()
    expect(s.claimed).toBe(7)
    expect(s.delivered).toBe(0)

    const rows = await getDb().notificationDelivery.findMany()
    expect(rows.every((r) => r.lastError && r.status !== 'DELIVERED')).toBe(true)
    const dRow = rows.find((r) => r.channelId === ding.id)!
    expect(dRow.lastError).toMatch(/300001/) // the platform's answer is kept…
    expect(dRow.lastError).toContain('••••') // …with the credentials masked
    const hRow = rows.find((r) => r.channelId === hook.id)!
    expect(hRow.lastError).toMatch(/HTTP 400.*bad request: secret ••••/)
    expect(rows.find((r) => r.channelId === mail.id)!.lastError).toMatch(/Email/)
    expect(rows.find((r) => r.channelId === bark.id)!.lastError).toMatch(/Bark/)
    for (const r of rows) expectNoSecret(r.lastError ?? '', `lastError of ${r.channelId}`)
    expectNoSecret(log.text(), 'outbox log')
    expectNoSecret(chLog.text(), 'channels log')

    // Every table the app writes, as stored.
    const db = getDb()
    for (const table of ['NotificationChannel', 'NotificationDelivery', 'Notification', 'AuditLog']) {
      const all = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`)
      expectNoSecret(JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), `table ${table}`)
    }
    const stored = await db.notificationChannel.findMany({ select: { secretsEnc: true, config: true } })
    expect(stored.every((c) => c.secretsEnc?.startsWith('v1:'))).toBe(true)
    if (provider === 'sqlite') {
      const file = testDb.current().url.replace(/^file:/, '')
      const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)))
      expectNoSecret(bytes.toString('latin1'), 'SQLite file')
    }
    // API views: hints only.
    for (const v of await listChannels(user)) {
      expectNoSecret(JSON.stringify(v), `view of ${v.type}`)
      expect(v.hasSecret).toBe(true)
    }
  })

  it('start()/stop(): the loop delivers on its own and stop() waits for the send in flight', async () => {
    const user = await makeUser()
    const held = gate()
    const arrived = gate()
    const rx = await receiver(async (req) => {
      arrived.open()
      await held.wait()
      return webhookReceiver({ secret: HOOK_SECRET })(req)
    })
    const ch = await webhookChannel(user, rx.baseUrl)
    await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    const outbox = createOutbox({ logger: captureLogger(), intervalMs: 20 })
    outbox.start()
    expect(outbox.running).toBe(true)
    await arrived.wait()
    let stopped = false
    const stopping = outbox.stop().then(() => (stopped = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(stopped).toBe(false) // still waiting for the send
    held.open()
    await stopping
    expect(outbox.running).toBe(false)
    expect((await deliveriesOf(ch.id))[0]).toMatchObject({ status: 'DELIVERED', attempts: 1 })
    // Stopped means stopped: a new notification stays PENDING.
    await notifyTx({ userId: user, type: 'BRIDGE_UP', params: {} })
    await new Promise((r) => setTimeout(r, 100))
    expect((await deliveriesOf(ch.id))[1]).toMatchObject({ status: 'PENDING', attempts: 0 })
  })
})
