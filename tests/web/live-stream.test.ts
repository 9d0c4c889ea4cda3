// The live stream (/api/stream) end to end on a real database (SQLite, and PostgreSQL when enabled):
// the route handler served over plain HTTP, signed in with real next-auth session tokens, and the
// real worker (against the paper exchange) making the changes. A worker commit reaches the owner's
// stream, never another user's; Last-Event-ID resumes; a stream without a session is refused.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { encode } from 'next-auth/jwt'
import { NextRequest } from 'next/server'
import { getDb } from '@/lib/db/client'
import { createUser } from '@/lib/db/users'
import { liveHub } from '@/lib/services/views/live-hub'
import { GET } from '@/app/api/stream/route'
import { providers } from '../helpers/db'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from '../worker/helpers'

process.env.NEXTAUTH_SECRET = 'live-stream-test-secret-0123456789abcdef'
// On PostgreSQL only LISTEN/NOTIFY may deliver within the test (the safety poll is a minute away).
process.env.DINGPAN_LIVE_PG_POLL_MS = '60000'

let h: WorkerHarness | null = null
let server: http.Server | null = null
const streams: SseClient[] = []

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  liveHub().reset()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = null
  await h?.close()
  h = null
})

/** Serves the route handler on a loopback port (the same handler `next start` runs). */
async function serve(): Promise<string> {
  server = http.createServer(async (req, res) => {
    const ac = new AbortController()
    res.on('close', () => ac.abort())
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const answer = await GET(new NextRequest(`http://127.0.0.1${req.url}`, { headers, signal: ac.signal }), { params: Promise.resolve({}) })
    res.writeHead(answer.status, Object.fromEntries(answer.headers.entries()))
    if (!answer.body) return res.end()
    const reader = answer.body.getReader()
    res.on('close', () => void reader.cancel().catch(() => {}))
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) break
      res.write(value)
    }
    res.end()
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

interface SseEvent {
  id: number | null
  event: string
  data: { topics?: string[] }
}

class SseClient {
  events: SseEvent[] = []
  status = 0
  private ac = new AbortController()
  private done: Promise<void>
  constructor(url: string, cookie: string | null, lastEventId?: number) {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (cookie) headers.cookie = cookie
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId)
    this.done = fetch(url, { headers, signal: this.ac.signal })
      .then(async (res) => {
        this.status = res.status
        if (!res.ok || !res.body) return
        const dec = new TextDecoder()
        let buf = ''
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true })
          let i: number
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i)
            buf = buf.slice(i + 2)
            const f: Record<string, string> = {}
            for (const line of block.split('\n')) {
              const m = /^([a-z]+): ?(.*)$/.exec(line)
              if (m) f[m[1]!] = m[2]!
            }
            if (f.event) this.events.push({ id: f.id ? Number(f.id) : null, event: f.event, data: JSON.parse(f.data ?? '{}') })
          }
        }
      })
      .catch(() => {})
    streams.push(this)
  }
  get lastId(): number {
    return this.events.filter((e) => e.id !== null).at(-1)?.id ?? 0
  }
  topics(): Set<string> {
    return new Set(this.events.flatMap((e) => e.data.topics ?? []))
  }
  async waitFor(what: string, pred: (c: SseClient) => boolean, ms = 10_000) {
    const until = Date.now() + ms
    while (!pred(this)) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  close() {
    this.ac.abort()
    return this.done
  }
}

async function cookieFor(uid: number): Promise<string> {
  const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })
  return `next-auth.session-token=${token}`
}

describe.each(providers())('live stream on %s', (provider) => {
  it('pushes the worker’s order, notification and cycle commits to their owner only, and resumes with Last-Event-ID', async () => {
    h = await startWorkerHarness(provider)
    const base = `${await serve()}/api/stream`
    const bob = await createUser(`bob-${Date.now()}@example.com`, 'x', 'USER')
    const alice = await cookieFor(h.userId)

    // No session: refused like every other API route.
    const anon = new SseClient(base, null)
    await anon.waitFor('401', (c) => c.status !== 0)
    expect(anon.status).toBe(401)

    const a = new SseClient(base, alice)
    const b = new SseClient(base, await cookieFor(bob.id))
    await a.waitFor('hello', (c) => c.events.some((e) => e.event === 'hello'))
    await b.waitFor('hello', (c) => c.events.some((e) => e.event === 'hello'))

    // Alice's monitor in its entry zone: the worker's cycle sends an order (and notifies).
    await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    expect(await getDb().order.count({ where: { userId: h.userId } })).toBeGreaterThan(0)

    await a.waitFor('orders + cycle', (c) => c.topics().has('orders') && c.topics().has('cycle'))
    await b.waitFor('cycle', (c) => c.topics().has('cycle'))
    expect(a.topics().has('notifications')).toBe(true)
    // Bob sees cycles, never Alice's orders or notifications.
    expect([...b.topics()]).toEqual(['cycle'])

    // Alice's tab goes away (once the cycle's trailing writes have reached it); while it is gone a
    // notification of hers is marked read.
    for (let n = -1; n !== a.events.length; ) {
      n = a.events.length
      await new Promise((r) => setTimeout(r, 700))
    }
    const resumeFrom = a.lastId
    expect(resumeFrom).toBeGreaterThan(0)
    await a.close()
    const n = await getDb().notification.findFirstOrThrow({ where: { userId: h.userId } })
    await getDb().notification.update({ where: { id: n.id }, data: { readAt: new Date() } })

    // Resuming from her last id tells her what she missed (and nothing older); from an id the hub
    // cannot account for she is told to refetch everything.
    const again = new SseClient(base, alice, resumeFrom)
    await again.waitFor('resume', (c) => c.events.length > 0)
    expect(again.events[0]!.event).toBe('change')
    expect(again.events[0]!.data.topics).toEqual(['notifications'])
    expect(again.events[0]!.id).toBeGreaterThan(resumeFrom)
    const caughtUp = new SseClient(base, alice, again.events[0]!.id!)
    await caughtUp.waitFor('hello', (c) => c.events.length > 0)
    expect(caughtUp.events[0]!.event).toBe('hello')
    const lost = new SseClient(base, alice, 999_999_999)
    await lost.waitFor('reset', (c) => c.events.length > 0)
    expect(lost.events[0]!.event).toBe('reset')

    // Live again: the next worker cycle reaches the resumed streams.
    const before = again.events.length
    await h.step()
    await again.waitFor('cycle after resume', (c) => c.events.slice(before).some((e) => e.data.topics?.includes('cycle')))
    await new Promise((r) => setTimeout(r, 300))
    expect(b.events.every((e) => !(e.data.topics ?? []).some((t) => t !== 'cycle'))).toBe(true)
  }, 60_000)
})
