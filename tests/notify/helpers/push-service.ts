/**
 * A Web Push service stand-in on 127.0.0.1 (ephemeral port) that speaks the protocol a browser's
 * push service speaks to an application server, and refuses what a real one refuses:
 *
 *  - RFC 8030: POST to the subscription's endpoint; TTL header required (integer ≥ 0); Urgency one
 *    of very-low / low / normal / high; 201 Created with a Location for the push message; an
 *    unknown subscription 404, an expired one 410; 429 with Retry-After when told to throttle.
 *  - RFC 8292 (VAPID): `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256 and its
 *    signature verifies with k; aud is the endpoint's origin; exp is in the future and at most 24 h
 *    ahead; sub is a mailto: or https: contact; k is the applicationServerKey the subscription was
 *    made with (else 403, as when the server's keys changed).
 *  - RFC 8291 / RFC 8188: Content-Encoding aes128gcm; the body is decrypted with the subscription's
 *    private key and auth secret (http_ece, the same library web-push encrypts with — but the keys
 *    here are made the way a browser makes them: a P-256 ECDH pair and 16 random bytes).
 *
 * Every request is recorded with what was checked; a refused one carries the reason.
 */
import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import ece from 'http_ece'

export interface BrowserSubscription {
  endpoint: string
  /** The shape PushSubscription.toJSON() gives a page. */
  keys: { p256dh: string; auth: string }
}

export type PushMode = { kind: 'accept' } | { kind: 'gone'; status: 404 | 410 } | { kind: 'throttle'; retryAfterSec?: number } | { kind: 'error'; status: number }

export interface PushRecord {
  path: string
  status: number
  headers: IncomingHttpHeaders
  /** Why the request was refused (absent when accepted or answered per mode). */
  refused?: string
  ttl?: number
  urgency?: string
  jwt?: { header: Record<string, unknown>; payload: Record<string, unknown> }
  /** The decrypted body (UTF-8) and its JSON. */
  plaintext?: string
  json?: unknown
}

export interface PushService {
  origin: string
  /** Subscribes a "browser": a new endpoint with fresh keys, bound to the application server key. */
  subscribe(applicationServerKey: string): BrowserSubscription
  /** Changes how one subscription (by endpoint) answers. */
  setMode(endpoint: string, mode: PushMode): void
  records: PushRecord[]
  /** Accepted (201) pushes, decrypted. */
  delivered(): PushRecord[]
  close(): Promise<void>
}

interface Sub {
  ecdh: ECDH
  auth: Buffer
  serverKey: string
  mode: PushMode
}

const b64url = (b: Buffer) => b.toString('base64url')
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high'])

function publicKeyFromRaw(raw: Buffer) {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is not an uncompressed P-256 point')
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) }, format: 'jwk' })
}

/** Checks the VAPID header; returns the decoded JWT or throws with the reason. */
function checkVapid(authorization: string | undefined, origin: string, serverKey: string) {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '')
  if (!m) throw new Error('Authorization is not "vapid t=<JWT>, k=<key>"')
  const [, jwt, k] = m
  const [h, p, s] = jwt.split('.')
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>
  if (header.alg !== 'ES256') throw new Error(`JWT alg ${String(header.alg)} is not ES256`)
  const sig = Buffer.from(s, 'base64url')
  if (sig.length !== 64) throw new Error('ES256 signature is not 64 bytes (r || s)')
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKeyFromRaw(Buffer.from(k, 'base64url')), dsaEncoding: 'ieee-p1363' }, sig)
  if (!ok) throw new Error('JWT signature does not verify with k')
  if (payload.aud !== origin) throw new Error(`JWT aud ${String(payload.aud)} is not the push service origin`)
  const now = Math.floor(Date.now() / 1000)
  if (typeof payload.exp !== 'number' || payload.exp <= now) throw new Error('JWT exp is missing or in the past')
  if (payload.exp > now + 24 * 3600) throw new Error('JWT exp is more than 24 h ahead')
  if (typeof payload.sub !== 'string' || !/^(mailto:|https:)/.test(payload.sub)) throw new Error('JWT sub is not a mailto: or https: contact')
  // 403 rather than 401: the signature is fine but the subscription belongs to another key.
  if (k !== serverKey) throw Object.assign(new Error('k is not the applicationServerKey of this subscription'), { status: 403 })
  return { header, payload }
}

export async function startPushService(): Promise<PushService> {
  const subs = new Map<string, Sub>()
  const records: PushRecord[] = []
  let origin = ''
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = new URL(req.url ?? '/', origin).pathname
      const rec: PushRecord = { path, status: 0, headers: req.headers }
      records.push(rec)
      const answer = (status: number, headers: Record<string, string> = {}, text = '') => {
        rec.status = status
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
        res.end(text)
      }
      const refuse = (status: number, reason: string) => {
        rec.refused = reason
        answer(status, {}, reason)
      }
      if (req.method !== 'POST') return refuse(405, 'push messages are POSTed')
      const sub = subs.get(path)
      if (!sub) return refuse(404, 'no such subscription')
      if (sub.mode.kind === 'gone') return answer(sub.mode.status, {}, 'subscription expired or unsubscribed')
      let jwt: PushRecord['jwt']
      try {
        jwt = checkVapid(req.headers.authorization, origin, sub.serverKey)
      } catch (e) {
        return refuse((e as { status?: number }).status ?? 401, (e as Error).message)
      }
      rec.jwt = jwt
      const ttlHeader = req.headers.ttl
      if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader)) return refuse(400, 'TTL header missing or not an integer')
      rec.ttl = Number(ttlHeader)
      const urgency = req.headers.urgency
      if (urgency !== undefined && (typeof urgency !== 'string' || !URGENCIES.has(urgency))) return refuse(400, 'Urgency is not very-low, low, normal or high')
      rec.urgency = typeof urgency === 'string' ? urgency : 'normal'
      if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'Content-Encoding must be aes128gcm')
      if (body.length > 4096) return refuse(413, 'push message larger than 4096 bytes')
      try {
        const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth })
        rec.plaintext = plain.toString('utf8')
      } catch (e) {
        return refuse(400, `cannot decrypt the aes128gcm body: ${(e as Error).message}`)
      }
      try {
        rec.json = JSON.parse(rec.plaintext)
      } catch {
        rec.json = undefined
      }
      if (sub.mode.kind === 'throttle') return answer(429, sub.mode.retryAfterSec !== undefined ? { 'Retry-After': String(sub.mode.retryAfterSec) } : {}, 'too many requests')
      if (sub.mode.kind === 'error') return answer(sub.mode.status, {}, 'push service error')
      answer(201, { Location: `${origin}/message/${randomUUID()}` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    origin,
    subscribe(applicationServerKey) {
      const ecdh = createECDH('prime256v1')
      ecdh.generateKeys()
      const auth = randomBytes(16)
      const path = `/push/${randomBytes(24).toString('base64url')}`
      subs.set(path, { ecdh, auth, serverKey: applicationServerKey, mode: { kind: 'accept' } })
      return { endpoint: `${origin}${path}`, keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } }
    },
    setMode(endpoint, mode) {
      const sub = subs.get(new URL(endpoint).pathname)
      if (!sub) throw new Error('unknown endpoint')
      sub.mode = mode
    },
    records,
    delivered: () => records.filter((r) => r.status === 201),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
