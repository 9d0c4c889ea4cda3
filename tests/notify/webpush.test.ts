// The Web Push adapter against the local push service (tests/notify/helpers/push-service.ts), and the
// push service itself refusing what a real one refuses (so the end-to-end tests prove something):
// a JWT signed by another key, a wrong audience, an expired JWT, no TTL, another Content-Encoding,
// a body it cannot decrypt. Also lib/vapid: keys generated once into the data directory (mode 600),
// reused, or taken from the environment; the subject default.
import { execFile } from 'node:child_process'
import { createECDH } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import webpush from 'web-push'
import { afterEach, describe, expect, it } from 'vitest'
import { sendToChannel, webPushPayload, webPushUrgency, type OutboundMessage } from '@/lib/notify'
import { DEFAULT_VAPID_SUBJECT, VAPID_KEYS_FILE, vapidDetails, vapidPublicKey, vapidSubject } from '@/lib/vapid'
import { ROOT } from '../helpers/db'
import { startPushService, type PushService } from './helpers/push-service'

const KEYS = webpush.generateVAPIDKeys()
const VAPID = { subject: 'mailto:ops@dingpan.example', ...KEYS }

let services: PushService[] = []
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()))
  services = []
})
async function pushService() {
  const s = await startPushService()
  services.push(s)
  return s
}

const message: OutboundMessage = {
  id: '42',
  title: '止损触发：600000.SH 浦发银行',
  body: '最新价 7.12 跌破止损价 7.15',
  severity: 'CRITICAL',
  type: 'TRIGGER_STOP_LOSS',
  createdAt: new Date('2026-12-07T02:00:00Z'),
  locale: 'zh',
  data: { notificationId: 42 },
}

type Details = ReturnType<typeof webpush.generateRequestDetails>
async function post(d: Details, over: { headers?: Record<string, string | undefined>; body?: Buffer; url?: string } = {}) {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...d.headers, ...over.headers })) if (v !== undefined && k !== 'Content-Length') headers[k] = String(v)
  const res = await fetch(over.url ?? d.endpoint, { method: 'POST', headers, body: new Uint8Array(over.body ?? d.body ?? Buffer.alloc(0)) })
  return res.status
}

describe('the local push service refuses what a real one refuses', () => {
  it('accepts a correct request and decrypts it', async () => {
    const ps = await pushService()
    const sub = ps.subscribe(KEYS.publicKey)
    const d = webpush.generateRequestDetails(sub, '{"hello":"世界"}', { TTL: 60, vapidDetails: VAPID })
    expect(await post(d)).toBe(201)
    expect(ps.delivered()[0].json).toEqual({ hello: '世界' })
  })

  it('refuses a JWT signed by another key, a wrong audience, an expired JWT, no TTL, another encoding, a foreign body, an unknown subscription', async () => {
    const ps = await pushService()
    const sub = ps.subscribe(KEYS.publicKey)
    const other = webpush.generateVAPIDKeys()
    const good = webpush.generateRequestDetails(sub, 'x', { TTL: 60, vapidDetails: VAPID })
    // Signed with another private key but claiming our public key.
    const forged = webpush.generateRequestDetails(sub, 'x', { TTL: 60, vapidDetails: { ...VAPID, privateKey: other.privateKey } })
    expect(await post(forged)).toBe(401)
    // A JWT for another origin.
    const elsewhere = webpush.generateRequestDetails({ ...sub, endpoint: 'https://push.example.com/x' }, 'x', { TTL: 60, vapidDetails: VAPID })
    expect(await post(elsewhere, { url: sub.endpoint })).toBe(401)
    // Expired.
    const jwtHeaders = webpush.getVapidHeaders(ps.origin, VAPID.subject, KEYS.publicKey, KEYS.privateKey, 'aes128gcm', Math.floor(Date.now() / 1000) - 10)
    expect(await post(good, { headers: { Authorization: jwtHeaders.Authorization } })).toBe(401)
    expect(await post(good, { headers: { TTL: undefined } })).toBe(400)
    expect(await post(good, { headers: { 'Content-Encoding': 'aesgcm' } })).toBe(415)
    // Encrypted for another browser's keys.
    const stranger = createECDH('prime256v1')
    stranger.generateKeys()
    const foreign = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: stranger.getPublicKey('base64url'), auth: sub.keys.auth } }, 'x', { TTL: 60, vapidDetails: VAPID })
    expect(await post(foreign)).toBe(400)
    expect(await post(good, { url: `${ps.origin}/push/unknown` })).toBe(404)
    expect(ps.delivered()).toHaveLength(0)
    const status = await post(good)
    expect(ps.records.at(-1)?.refused).toBeUndefined()
    expect(status).toBe(201)
  })
})

describe('the WEBPUSH adapter', () => {
  it('delivers (201) with urgency and TTL by severity, and the payload the service worker shows', async () => {
    const ps = await pushService()
    const sub = ps.subscribe(KEYS.publicKey)
    const secrets = { endpoint: sub.endpoint, ...sub.keys }
    const r = await sendToChannel('WEBPUSH', message, {}, secrets, { timeoutMs: 5000, vapid: VAPID })
    expect(r).toEqual({ ok: true, status: 201 })
    expect(ps.delivered()[0]).toMatchObject({ urgency: 'high', ttl: 86_400, json: { title: message.title, body: message.body, tag: 'dingpan-42', url: '/notifications' } })
    expect(webPushUrgency({ severity: 'WARNING', type: 'TRIGGER_TRAILING_STOP' })).toBe('high')
    expect(webPushUrgency({ severity: 'WARNING', type: 'TRIGGER_TAKE_PROFIT' })).toBe('normal')
    // A huge body is cut so the push stays within 4096 bytes.
    const big = webPushPayload({ ...message, body: '跌'.repeat(5000) })
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(3000)
    const r2 = await sendToChannel('WEBPUSH', { ...message, body: '跌'.repeat(5000) }, {}, secrets, { timeoutMs: 5000, vapid: VAPID })
    expect(r2.ok).toBe(true)
  })

  it('410 is gone (not retryable), 429 retryable with Retry-After, no VAPID keys is a configuration error; nothing secret in the errors', async () => {
    const ps = await pushService()
    const sub = ps.subscribe(KEYS.publicKey)
    const secrets = { endpoint: sub.endpoint, ...sub.keys }
    ps.setMode(sub.endpoint, { kind: 'gone', status: 410 })
    const gone = await sendToChannel('WEBPUSH', message, {}, secrets, { timeoutMs: 5000, vapid: VAPID })
    expect(gone).toMatchObject({ ok: false, retryable: false, gone: true, status: 410 })
    ps.setMode(sub.endpoint, { kind: 'throttle', retryAfterSec: 7 })
    const slow = await sendToChannel('WEBPUSH', message, {}, secrets, { timeoutMs: 5000, vapid: VAPID })
    expect(slow).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 7000 })
    expect(slow).not.toHaveProperty('gone')
    const none = await sendToChannel('WEBPUSH', message, {}, secrets, { timeoutMs: 5000 })
    expect(none).toMatchObject({ ok: false, retryable: false })
    const bad = await sendToChannel('WEBPUSH', message, {}, secrets, { timeoutMs: 5000, vapid: { ...VAPID, privateKey: 'not-a-key' } })
    expect(bad).toMatchObject({ ok: false, retryable: false })
    const text = JSON.stringify([gone, slow, none, bad])
    for (const s of [KEYS.privateKey, sub.keys.auth, sub.keys.p256dh, sub.endpoint]) expect(text.includes(s)).toBe(false)
  })
})

describe('lib/vapid', () => {
  const env = { ...process.env }
  afterEach(() => {
    for (const k of ['DATABASE_URL', 'DINGPAN_VAPID_PUBLIC_KEY', 'DINGPAN_VAPID_PRIVATE_KEY', 'DINGPAN_VAPID_SUBJECT', 'NEXTAUTH_URL']) {
      if (env[k] === undefined) delete process.env[k]
      else process.env[k] = env[k]
    }
  })

  it('generates the key pair once into the data directory (mode 600) and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-vapid-'))
    process.env.DATABASE_URL = `file:${dir}/dingpan.db`
    delete process.env.DINGPAN_VAPID_PUBLIC_KEY
    delete process.env.DINGPAN_VAPID_PRIVATE_KEY
    const first = vapidDetails()
    const file = path.join(dir, VAPID_KEYS_FILE)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(vapidDetails()).toEqual(first)
    expect(vapidPublicKey()).toBe(first.publicKey)
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65)
    expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('four processes starting at once on a fresh data directory all get the same key pair', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-vapid-race-'))
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${dir}/dingpan.db` }
    delete env.DINGPAN_VAPID_PUBLIC_KEY
    delete env.DINGPAN_VAPID_PRIVATE_KEY
    const code = `import('${path.join(ROOT, 'lib/vapid.ts')}').then((m) => process.stdout.write(m.vapidPublicKey()))`
    const run = () =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '-e', code], { cwd: ROOT, env }, (err, stdout) => (err ? reject(err) : resolve(stdout)))
      })
    const keys = await Promise.all([run(), run(), run(), run()])
    expect(new Set(keys).size).toBe(1)
    expect(Buffer.from(keys[0], 'base64url')).toHaveLength(65)
    expect(fs.readdirSync(dir)).toEqual([VAPID_KEYS_FILE])
    fs.rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('takes both keys from the environment, refuses one of the two or a malformed key without quoting it', () => {
    process.env.DINGPAN_VAPID_PUBLIC_KEY = KEYS.publicKey
    process.env.DINGPAN_VAPID_PRIVATE_KEY = KEYS.privateKey
    expect(vapidDetails()).toMatchObject(KEYS)
    delete process.env.DINGPAN_VAPID_PRIVATE_KEY
    expect(() => vapidDetails()).toThrow(/both/)
    process.env.DINGPAN_VAPID_PRIVATE_KEY = `${KEYS.privateKey}AA`
    let msg = ''
    try {
      vapidDetails()
    } catch (e) {
      msg = (e as Error).message
    }
    expect(msg).toContain('P-256')
    expect(msg.includes(KEYS.privateKey)).toBe(false)
  })

  it('subject: DINGPAN_VAPID_SUBJECT, else a public https NEXTAUTH_URL, else the mailto: default', () => {
    process.env.DINGPAN_VAPID_SUBJECT = 'mailto:me@example.org'
    expect(vapidSubject()).toBe('mailto:me@example.org')
    process.env.DINGPAN_VAPID_SUBJECT = 'me@example.org'
    expect(() => vapidSubject()).toThrow(/mailto/)
    delete process.env.DINGPAN_VAPID_SUBJECT
    process.env.NEXTAUTH_URL = 'https://dingpan.example.org/app'
    expect(vapidSubject()).toBe('https://dingpan.example.org')
    process.env.NEXTAUTH_URL = 'http://localhost:3000'
    expect(vapidSubject()).toBe(DEFAULT_VAPID_SUBJECT)
  })
})
