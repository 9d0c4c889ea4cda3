// Channel management on real databases: validation with field-level errors (both languages),
// write-only encrypted secrets, isolation between users, audit without secrets, and the
// "send test" button answering exactly what a local platform said.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { NotFoundError, ValidationError } from '@/lib/errors'
import { decryptSecrets } from '@/lib/notify'
import { createChannel, deleteChannel, getChannel, listChannels, testChannel, updateChannel } from '@/lib/services/notifications/channels'
import { secretsContext } from '@/lib/services/notifications/channel-secrets'
import { providers } from '../../helpers/db'
import { dingtalkPlatform, webhookReceiver } from '../../notify/helpers/platforms'
import { closedPortUrl, startReceiver, type Handler, type Receiver } from '../../notify/helpers/receiver'
import { KEY, makeUser, notifyTx, STOP_LOSS_PARAMS, useTestDb } from '../helpers'

const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f'
const SIGN = 'SEC9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b'
const HMAC = 'hmac-secret-ABCDEFGHIJKLMNOP-1234'

let receivers: Receiver[] = []
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()))
  receivers = []
})
async function receiver(h: Handler) {
  const r = await startReceiver(h)
  receivers.push(r)
  return r
}

async function validationError(p: Promise<unknown>): Promise<ValidationError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ValidationError)
  return e as ValidationError
}

const dingtalk = (over: Record<string, unknown> = {}) => ({
  type: 'DINGTALK',
  name: '交易群',
  events: ['severity:WARNING'],
  config: { keyword: '盯盘' },
  secrets: { accessToken: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, signSecret: SIGN },
  ...over,
})

describe.each(providers())('channels service on %s', (provider) => {
  useTestDb(provider)

  it('creates a channel: secrets normalised, encrypted and bound to the row, shown only as hints', async () => {
    const user = await makeUser()
    const v = await createChannel(user, dingtalk(), { locale: 'zh' })
    expect(v).toMatchObject({ type: 'DINGTALK', name: '交易群', enabled: true, events: ['severity:WARNING'], config: { keyword: '盯盘' }, hasSecret: true, secretsUnreadable: false })
    expect(v.secretHints).toEqual({ accessToken: `••••${TOKEN.slice(-4)}`, signSecret: `••••${SIGN.slice(-4)}` })
    expect(v.lastDelivery).toBeNull()
    expect(JSON.stringify(v)).not.toContain(TOKEN)
    expect(JSON.stringify(v)).not.toContain(SIGN)

    const row = await getDb().notificationChannel.findUniqueOrThrow({ where: { id: v.id } })
    expect(row.secretsEnc).toMatch(/^v1:/)
    expect(row.secretsEnc).not.toContain(TOKEN)
    expect(JSON.stringify(row.config)).not.toContain(TOKEN)
    // The URL was reduced to its token; the ciphertext opens only with this row's context.
    expect(decryptSecrets(row.secretsEnc!, KEY, secretsContext(v.id))).toEqual({ accessToken: TOKEN, signSecret: SIGN })
    expect(() => decryptSecrets(row.secretsEnc!, KEY, secretsContext(v.id + 1))).toThrow(/failed authentication/)

    const audit = await getDb().auditLog.findMany({ where: { entity: 'NotificationChannel', entityId: String(v.id) } })
    expect(audit.map((a) => a.action)).toEqual(['channel.create'])
    expect(audit[0].after).toMatchObject({ type: 'DINGTALK', secretsChanged: ['accessToken', 'signSecret'] })
    expect(JSON.stringify(audit)).not.toContain(TOKEN)
    expect(JSON.stringify(audit)).not.toContain(SIGN.slice(3))
  })

  it('reports field-level errors in the caller’s language and stores nothing', async () => {
    const user = await makeUser()
    const zh = await validationError(
      createChannel(user, dingtalk({ name: ' ', events: [], config: { keyword: 'a\nb' }, secrets: { accessToken: 'not a token!', signSecret: 'nope' } }), { locale: 'zh' }),
    )
    expect(zh.translated).toBe(true)
    expect(zh.fields).toEqual({
      name: ['请填写名称'],
      events: ['请至少选择一类要推送的事件'],
      'config.keyword': ['关键词最多 50 个字符，且不能包含换行'],
      'secrets.accessToken': [expect.stringContaining('请输入钉钉机器人 Webhook 地址')],
      'secrets.signSecret': [expect.stringContaining('加签密钥应为')],
    })
    const en = await validationError(
      createChannel(user, { type: 'EMAIL', name: 'mail', events: ['TRIGGER_STOP_LOSS', 'NOPE'], config: { host: 'smtp.example.com', port: 'abc', from: 'x', to: ['me@example.com', 'bad'] }, secrets: {} }, { locale: 'en' }),
    )
    expect(en.fields).toEqual({
      events: ['Contains an unknown event type'],
      'config.port': ['Port must be 1–65535'],
      'config.from': ['Sender must be an email address or “Name <address>”'],
      'config.to': ['Enter a valid email address'],
    })
    const typeless = await validationError(createChannel(user, { name: 'x', events: ['*'] }, { locale: 'zh' }))
    expect(typeless.fields.type).toEqual(['请选择渠道类型'])
    // Values are never quoted back (they may be secrets).
    expect(JSON.stringify(zh.fields)).not.toContain('not a token!')
    expect(await getDb().notificationChannel.count()).toBe(0)
  })

  it('update: an empty secret keeps the stored one, a typed one replaces it, clearSecrets removes an optional one', async () => {
    const user = await makeUser()
    const v = await createChannel(user, dingtalk(), { locale: 'zh' })
    const enc0 = (await getDb().notificationChannel.findUniqueOrThrow({ where: { id: v.id } })).secretsEnc

    const kept = await updateChannel(user, v.id, { name: '交易群 2', enabled: false, events: ['*'], config: { keyword: '告警' }, secrets: { accessToken: '', signSecret: '' } }, { locale: 'zh' })
    expect(kept).toMatchObject({ name: '交易群 2', enabled: false, events: ['*'], config: { keyword: '告警' }, secretHints: v.secretHints })
    expect((await getDb().notificationChannel.findUniqueOrThrow({ where: { id: v.id } })).secretsEnc).toBe(enc0)

    const NEW = 'abcdefabcdefabcdefabcdefabcdefab9999'
    const replaced = await updateChannel(user, v.id, { name: 'x', events: ['*'], config: {}, secrets: { accessToken: NEW } }, { locale: 'zh' })
    expect(replaced.secretHints).toEqual({ accessToken: '••••9999', signSecret: v.secretHints.signSecret })
    let row = await getDb().notificationChannel.findUniqueOrThrow({ where: { id: v.id } })
    expect(decryptSecrets(row.secretsEnc!, KEY, secretsContext(v.id))).toEqual({ accessToken: NEW, signSecret: SIGN })

    const cleared = await updateChannel(user, v.id, { name: 'x', events: ['*'], config: {}, secrets: {}, clearSecrets: ['signSecret'] }, { locale: 'zh' })
    expect(cleared.secretHints).toEqual({ accessToken: '••••9999', signSecret: '' })
    row = await getDb().notificationChannel.findUniqueOrThrow({ where: { id: v.id } })
    expect(decryptSecrets(row.secretsEnc!, KEY, secretsContext(v.id))).toEqual({ accessToken: NEW })

    // A required secret cannot be cleared; the type cannot change.
    const e1 = await validationError(updateChannel(user, v.id, { name: 'x', events: ['*'], config: {}, secrets: {}, clearSecrets: ['accessToken'] }, { locale: 'zh' }))
    expect(Object.keys(e1.fields)).toEqual(['secrets.accessToken'])
    const e2 = await validationError(updateChannel(user, v.id, { type: 'WEBHOOK', name: 'x', events: ['*'], config: {}, secrets: {} }, { locale: 'zh' }))
    expect(e2.fields.type).toEqual(['渠道类型创建后不能修改；请删除后重新添加'])

    const audit = await getDb().auditLog.findMany({ where: { entity: 'NotificationChannel', entityId: String(v.id), action: 'channel.update' }, orderBy: { id: 'asc' } })
    expect(audit.map((a) => (a.after as { secretsChanged: string[] }).secretsChanged)).toEqual([[], ['accessToken'], ['signSecret']])
    expect(JSON.stringify(audit)).not.toContain(NEW)
  })

  it('a channel whose secrets cannot be decrypted must get every required secret again', async () => {
    const user = await makeUser()
    const v = await createChannel(user, { type: 'WEBHOOK', name: 'h', events: ['*'], config: { url: 'https://example.com/h' }, secrets: { hmacSecret: HMAC } }, { locale: 'en' })
    process.env.DINGPAN_ENCRYPTION_KEY = `rotated-${'k'.repeat(40)}`
    try {
      expect((await getChannel(user, v.id)).secretsUnreadable).toBe(true)
      const e = await validationError(updateChannel(user, v.id, { name: 'h', events: ['*'], config: { url: 'https://example.com/h' }, secrets: {} }, { locale: 'en' }))
      expect(Object.keys(e.fields)).toEqual(['secrets.hmacSecret'])
      const fixed = await updateChannel(user, v.id, { name: 'h', events: ['*'], config: { url: 'https://example.com/h' }, secrets: { hmacSecret: 'a-brand-new-secret-0001' } }, { locale: 'en' })
      expect(fixed).toMatchObject({ secretsUnreadable: false, secretHints: { hmacSecret: '••••0001' } })
    } finally {
      process.env.DINGPAN_ENCRYPTION_KEY = KEY
    }
  })

  it('isolates users: another user’s channel is "not found" for read, update, delete and test', async () => {
    const alice = await makeUser()
    const bob = await makeUser()
    const a = await createChannel(alice, dingtalk(), { locale: 'zh' })
    await createChannel(bob, { type: 'WEBHOOK', name: 'bob', events: ['*'], config: { url: 'https://example.com/b' }, secrets: { hmacSecret: HMAC } }, { locale: 'zh' })

    expect((await listChannels(alice)).map((c) => c.name)).toEqual(['交易群'])
    expect((await listChannels(bob)).map((c) => c.name)).toEqual(['bob'])
    await expect(getChannel(bob, a.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(updateChannel(bob, a.id, { name: 'mine', events: ['*'], config: {}, secrets: { accessToken: TOKEN } }, { locale: 'zh' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteChannel(bob, a.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(testChannel(bob, a.id, { locale: 'zh' })).rejects.toBeInstanceOf(NotFoundError)
    const still = await getChannel(alice, a.id)
    expect(still.name).toBe('交易群')
    expect(await getDb().notification.count({ where: { userId: bob } })).toBe(0)
  })

  it('delete removes the channel and its delivery rows; the in-app notification stays', async () => {
    const user = await makeUser()
    const v = await createChannel(user, dingtalk({ events: ['*'] }), { locale: 'zh' })
    const n = await notifyTx({ userId: user, type: 'TRIGGER_STOP_LOSS', params: STOP_LOSS_PARAMS })
    expect(await getDb().notificationDelivery.count({ where: { channelId: v.id } })).toBe(1)
    expect(await deleteChannel(user, v.id)).toEqual({ id: v.id, deliveriesDeleted: 1 })
    expect(await getDb().notificationChannel.count({ where: { id: v.id } })).toBe(0)
    expect(await getDb().notification.count({ where: { id: n!.id } })).toBe(1)
    await expect(deleteChannel(user, v.id)).rejects.toBeInstanceOf(NotFoundError)
    const audit = await getDb().auditLog.findFirst({ where: { action: 'channel.delete', entityId: String(v.id) } })
    expect(audit?.after).toEqual({ deliveriesDeleted: 1 })
  })

  it('send test: delivers to the platform now, answers what it said, and records a TEST notification', async () => {
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: HMAC }))
    const v = await createChannel(user, { type: 'WEBHOOK', name: '家里的服务器', events: ['severity:CRITICAL'], config: { url: `${rx.baseUrl}/in` }, secrets: { hmacSecret: HMAC } }, { locale: 'zh' })
    const r = await testChannel(user, v.id, { locale: 'zh' })
    expect(r).toMatchObject({ ok: true, sent: true, status: 204 })
    expect(r.error).toBeUndefined()
    expect(rx.requests).toHaveLength(1)
    expect(rx.requests[0].json).toMatchObject({ type: 'TEST', title: '盯盘测试消息', body: '这是一条来自盯盘的测试通知（家里的服务器）。', id: String(r.notificationId) })

    const n = await getDb().notification.findUniqueOrThrow({ where: { id: r.notificationId }, include: { deliveries: true } })
    expect(n).toMatchObject({ type: 'TEST', userId: user, title: '盯盘测试消息' })
    expect(n.deliveries).toEqual([expect.objectContaining({ id: r.deliveryId, channelId: v.id, status: 'DELIVERED', attempts: 1, lastError: null, lockedUntil: null })])
    expect((await getChannel(user, v.id)).lastDelivery).toMatchObject({ status: 'DELIVERED' })
  })

  it('send test: a refusal comes back as the platform’s real answer and is recorded FAILED (not retried)', async () => {
    const user = await makeUser()
    const rx = await receiver(webhookReceiver({ secret: 'receiver-knows-another-secret' }))
    const v = await createChannel(user, { type: 'WEBHOOK', name: 'h', events: ['*'], config: { url: rx.baseUrl }, secrets: { hmacSecret: HMAC } }, { locale: 'en' })
    const r = await testChannel(user, v.id, { locale: 'en' })
    expect(r).toMatchObject({ ok: false, sent: true, status: 401, retryable: false })
    expect(r.error).toBe('Webhook refused the request (HTTP 401): {"error":"bad signature"}')
    const d = await getDb().notificationDelivery.findUniqueOrThrow({ where: { id: r.deliveryId } })
    expect(d).toMatchObject({ status: 'FAILED', attempts: 1, deliveredAt: null, lastError: `test: ${r.error}` })

    // Nothing listening: a network error, still FAILED (a test is a one-shot).
    const down = await createChannel(user, { type: 'WEBHOOK', name: 'down', events: ['*'], config: { url: await closedPortUrl() }, secrets: { hmacSecret: HMAC } }, { locale: 'en' })
    const r2 = await testChannel(user, down.id, { locale: 'en' })
    expect(r2).toMatchObject({ ok: false, sent: true, retryable: true })
    expect(r2.status).toBeUndefined()
    expect(r2.error).toMatch(/Webhook: network error \(ECONNREFUSED\)/)
    expect((await getDb().notificationDelivery.findUniqueOrThrow({ where: { id: r2.deliveryId } })).status).toBe('FAILED')
  })

  it('send test: DingTalk errcode answers pass through; the button cannot exceed 20 a minute per robot', async () => {
    const user = await makeUser()
    const rx = await receiver(dingtalkPlatform({ token: TOKEN, secret: SIGN, keywords: ['告警'] }))
    const ok = await createChannel(user, dingtalk({ name: '好的', config: { keyword: '告警' } }), { locale: 'zh' })
    const bad = await createChannel(user, dingtalk({ name: '关键词不对', config: { keyword: '别的词' } }), { locale: 'zh' })
    const r = await testChannel(user, bad.id, { locale: 'zh', baseUrlOverride: rx.baseUrl })
    expect(r).toMatchObject({ ok: false, sent: true, status: 200, retryable: false })
    expect(r.error).toMatch(/errcode 310000: keywords not in content/)

    const results = []
    for (let i = 0; i < 21; i++) results.push(await testChannel(user, ok.id, { locale: 'zh', baseUrlOverride: rx.baseUrl }))
    expect(results.slice(0, 20).every((x) => x.ok && x.sent)).toBe(true)
    expect(results[20]).toMatchObject({ ok: false, sent: false })
    expect(results[20].error).toMatch(/测试发送过于频繁，请 \d+ 秒后再试/)
    expect(results[20].deliveryId).toBeUndefined()
    expect(rx.requests).toHaveLength(21) // 1 refused + 20 accepted; the 21st test never left
  })
})
