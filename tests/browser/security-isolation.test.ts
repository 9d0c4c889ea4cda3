// Cross-user isolation over HTTP against the built app: user B can neither read nor change user A's
// stocks, stock detail, rearm / manage-position, orders (cancel), notifications or channels. A foreign
// id is answered exactly like a missing one (404, same body: no existence oracle), and nothing in the
// database changes. The admin role does not lift the per-user scoping either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebStack, type Stack } from './harness'
import { HttpClient, signInCookie } from '../helpers/http'
import { startReceiver, type Receiver } from '../notify/helpers/receiver'
import { webhookReceiver } from '../notify/helpers/platforms'

let stack: Stack
let rx: Receiver
let alice: HttpClient
let bob: HttpClient
const A = { email: 'alice@example.com', password: 'alice horse battery' }
const B = { email: 'bob@example.com', password: 'bob horse battery' }
const HMAC = 'isolation-hmac-secret-0123456789'
const ids = { stockA: 0, stockB: 0, channelA: 0, channelB: 0, openOrderA: 0, filledOrderA: 0, notesA: [] as number[], noteB: 0, aliceId: 0, bobId: 0, accountA: 0 }
const stockBody = (code: string, name: string) => ({ code, name, entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80' })
const channelBody = (url: string) => ({ type: 'WEBHOOK', name: 'mine now', events: ['*'], config: { url }, secrets: { hmacSecret: 'attacker-hmac-secret-0123456789' } })

async function fingerprint() {
  const { dbFingerprint } = await import('@/lib/db/fingerprint')
  return dbFingerprint()
}

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  rx = await startReceiver(webhookReceiver({ secret: HMAC }))
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  ids.aliceId = (await createUser(A.email, await hashPassword(A.password), 'ADMIN')).id
  ids.bobId = (await createUser(B.email, await hashPassword(B.password), 'USER')).id
  alice = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, A.email, A.password))
  bob = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, B.email, B.password))

  const made = async (res: Promise<{ status: number; json: unknown; text: string }>) => {
    const r = await res
    expect(r.status, r.text).toBe(201)
    return (r.json as { id: number }).id
  }
  ids.stockA = await made(alice.post('/api/stocks', stockBody('600000.SH', 'Alice专属')))
  ids.stockB = await made(bob.post('/api/stocks', stockBody('000001.SZ', 'Bob的股票')))
  ids.channelA = await made(alice.post('/api/channels', { type: 'WEBHOOK', name: 'alice hook', events: ['*'], config: { url: `${rx.baseUrl}/alice` }, secrets: { hmacSecret: HMAC } }))
  ids.channelB = await made(bob.post('/api/channels', { type: 'WEBHOOK', name: 'bob hook', events: ['*'], config: { url: `${rx.baseUrl}/bob` }, secrets: { hmacSecret: HMAC } }))

  // A broker account of Alice's own (issue 13), with a bridge token that must never reach Bob.
  const acc = await alice.post('/api/broker-accounts', { name: 'Alice QMT', kind: 'qmt', host: '127.0.0.1', port: 9, qmtAccountId: 'ALICE-1', token: 'alice-bridge-token-1234' })
  expect(acc.status, acc.text).toBe(201)
  ids.accountA = (acc.json as { id: number }).id

  // What the worker writes for Alice: a trigger, an open order (with a bridge id) and a filled one, notifications.
  const { seedOrder, seedTrigger } = await import('../web/helpers')
  const { getDb } = await import('@/lib/db/client')
  const t1 = await seedTrigger(ids.stockA, { quoteTime: new Date('2026-11-23T02:00:00Z') })
  ids.openOrderA = (await seedOrder(ids.aliceId, ids.stockA, t1.id, { status: 'SUBMITTED', bridgeOrderId: '4242' })).id
  const t2 = await seedTrigger(ids.stockA, { quoteTime: new Date('2026-11-23T02:05:00Z'), kind: 'TAKE_PROFIT', outcome: 'FILLED' })
  ids.filledOrderA = (await seedOrder(ids.aliceId, ids.stockA, t2.id, { status: 'FILLED', side: 'SELL' })).id
  for (const title of ['进场 Alice', '成交 Alice']) {
    ids.notesA.push((await getDb().notification.create({ data: { userId: ids.aliceId, type: 'TRIGGER_ENTRY', title, body: 'alice only', stockId: ids.stockA, orderId: ids.openOrderA } })).id)
  }
  ids.noteB = (await getDb().notification.create({ data: { userId: ids.bobId, type: 'TRIGGER_ENTRY', title: 'Bob', body: 'bob only', stockId: ids.stockB } })).id
})

afterAll(async () => {
  await rx?.close()
  const { getDb } = await import('@/lib/db/client')
  await getDb().$disconnect()
  await stack?.stop()
})

describe('user B and user A', () => {
  it("B's lists never show A's stocks, orders, notifications, channels or dashboard rows", async () => {
    const stocks = (await bob.get('/api/stocks')).json as { items: Array<{ id: number }> }
    expect(stocks.items.map((s) => s.id)).toEqual([ids.stockB])
    expect(((await bob.get('/api/stocks?archived=1')).json as { items: unknown[] }).items).toEqual([])
    const orders = (await bob.get('/api/orders')).json as { items: Array<{ id: number }>; total: number }
    expect(orders.items).toEqual([])
    expect(((await bob.get(`/api/orders?stockId=${ids.stockA}`)).json as { items: unknown[] }).items).toEqual([])
    expect(((await bob.get('/api/orders?status=open')).json as { items: unknown[] }).items).toEqual([])
    const notes = (await bob.get('/api/notifications')).json as { items: Array<{ id: number }>; total: number }
    expect(notes.items.map((n) => n.id)).toEqual([ids.noteB])
    expect(((await bob.get(`/api/notifications?stockId=${ids.stockA}`)).json as { total: number }).total).toBe(0)
    expect((await bob.get('/api/notifications/unread-count')).json).toEqual({ unread: 1 })
    const channels = (await bob.get('/api/channels')).json as { items: Array<{ id: number }> }
    expect(channels.items.map((c) => c.id)).toEqual([ids.channelB])
    const dash = await bob.get('/api/dashboard')
    expect(dash.status).toBe(200)
    expect(dash.text).not.toContain('Alice专属')
    expect(dash.text).not.toContain('600000')
    // Sanity: A sees her own.
    expect(((await alice.get('/api/stocks')).json as { items: Array<{ id: number }> }).items.map((s) => s.id)).toEqual([ids.stockA])
    expect(((await alice.get('/api/orders')).json as { items: unknown[] }).items).toHaveLength(2)
  })

  it("B gets 404 — the same answer as for a missing id — for every read or change of A's rows, and the database does not change", async () => {
    const MISSING = 987_654
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/stocks/${ids.stockA}`],
      ['GET', `/api/stocks/${ids.stockA}/detail`],
      ['PUT', `/api/stocks/${ids.stockA}`, stockBody('600000.SH', 'mine now')],
      ['PUT', `/api/stocks/${ids.stockA}/auto-trade`, { autoTrade: true }],
      ['POST', `/api/stocks/${ids.stockA}/rearm`],
      ['POST', `/api/stocks/${ids.stockA}/manage-position`],
      ['DELETE', `/api/stocks/${ids.stockA}`],
      ['POST', `/api/orders/${ids.openOrderA}/cancel`],
      ['POST', `/api/orders/${ids.filledOrderA}/cancel`],
      ['GET', `/api/channels/${ids.channelA}`],
      ['PUT', `/api/channels/${ids.channelA}`, channelBody('https://evil.example/')],
      ['POST', `/api/channels/${ids.channelA}/test`],
      ['DELETE', `/api/channels/${ids.channelA}`],
      ['GET', `/api/broker-accounts/${ids.accountA}`],
      ['PATCH', `/api/broker-accounts/${ids.accountA}`, { name: 'mine now', kind: 'qmt', host: 'evil.example', port: 8000, token: 'attacker-token' }],
      ['PATCH', `/api/broker-accounts/${ids.accountA}`, { disabled: true }],
      ['POST', `/api/broker-accounts/${ids.accountA}/test`, {}],
      ['PUT', `/api/broker-accounts/${ids.accountA}/shares`, { email: B.email, canTrade: true }],
      ['DELETE', `/api/broker-accounts/${ids.accountA}/shares`, { email: B.email }],
      ['POST', `/api/broker-accounts/${ids.accountA}/kill-switch`, { on: true }],
    ]
    const before = await fingerprint()
    const failures: string[] = []
    for (const [method, path, body] of attempts) {
      const foreign = await bob.request(method, path, body === undefined ? {} : { body })
      const missing = await bob.request(method, path.replace(/\/\d+(\/|$)/, `/${MISSING}$1`), body === undefined ? {} : { body })
      if (foreign.status !== 404) failures.push(`${method} ${path} → ${foreign.status} ${foreign.text.slice(0, 200)}`)
      if (foreign.text !== missing.text) failures.push(`${method} ${path}: answer differs from a missing id (${foreign.text} vs ${missing.text})`)
    }
    // Marking A's notifications read is a no-op for B (a list of ids is not an error).
    const read = await bob.post('/api/notifications/read', { ids: ids.notesA })
    expect(read.json).toEqual({ updated: 0 })
    expect(failures).toEqual([])

    const { diffFingerprints } = await import('@/lib/db/fingerprint')
    expect(diffFingerprints(before, await fingerprint())).toEqual([])
    expect(rx.requests).toHaveLength(0)
    // A's rows as they were, through A's own eyes.
    const mine = (await alice.get(`/api/stocks/${ids.stockA}`)).json as { name: string; archived?: boolean; archivedAt?: string | null }
    expect(mine.name).toBe('Alice专属')
    expect((await alice.get(`/api/channels/${ids.channelA}`)).json).toMatchObject({ name: 'alice hook', config: { url: `${rx.baseUrl}/alice` } })
    expect((await alice.get('/api/notifications/unread-count')).json).toEqual({ unread: 2 })
  })

  it("B's broker-account list has the shared default account, never A's own account or its token", async () => {
    const list = await bob.get('/api/broker-accounts')
    expect(list.status).toBe(200)
    const accounts = (list.json as { accounts: Array<{ id: number; isDefault: boolean; access: string }> }).accounts
    expect(accounts.map((a) => a.id)).not.toContain(ids.accountA)
    expect(accounts.find((a) => a.isDefault)).toMatchObject({ access: 'trade' })
    expect(list.text).not.toContain('Alice QMT')
    expect(list.text).not.toContain('alice-bridge-token')
    // A sees her own, with only the token's hint.
    const mine = await alice.get(`/api/broker-accounts/${ids.accountA}`)
    expect(mine.json).toMatchObject({ name: 'Alice QMT', access: 'manage', tokenHint: '••••1234' })
    expect(mine.text).not.toContain('alice-bridge-token')
  })

  it("B's read-all marks only B's notifications", async () => {
    expect((await bob.post('/api/notifications/read-all')).json).toEqual({ updated: 1 })
    expect((await bob.get('/api/notifications/unread-count')).json).toEqual({ unread: 0 })
    expect((await alice.get('/api/notifications/unread-count')).json).toEqual({ unread: 2 })
  })

  it("A's pages are not found for B", async () => {
    // HTTP 404 (our own not-found page; tests/browser/demo-defects.test.ts looks at it in the
    // browser) — the same answer as for an id that does not exist.
    for (const p of [`/stocks/${ids.stockA}`, `/stocks/${ids.stockA}/edit`]) {
      const res = await bob.get(p)
      expect(res.status, p).toBe(404)
      expect(res.text, p).not.toContain('Alice专属')
      expect((await bob.get(p.replace(String(ids.stockA), '987654'))).status, p).toBe(404)
    }
    const own = await alice.get(`/stocks/${ids.stockA}`)
    expect(own.status).toBe(200)
    expect(own.text).toContain('Alice专属')
    const orders = await bob.get('/orders')
    expect(orders.status).toBe(200)
    expect(orders.text).not.toContain('Alice专属')
  })

  it("the admin role does not lift the scoping: A (admin) gets 404 for B's rows; B (user) gets 403 on admin settings", async () => {
    for (const p of [`/api/stocks/${ids.stockB}`, `/api/stocks/${ids.stockB}/detail`, `/api/channels/${ids.channelB}`]) expect((await alice.get(p)).status, p).toBe(404)
    expect(((await alice.get('/api/notifications')).json as { items: Array<{ id: number }> }).items.map((n) => n.id)).not.toContain(ids.noteB)
    for (const [path, body] of [
      ['/api/settings/kill-switch', { on: true }],
      ['/api/settings/risk', { maxExposurePct: 100, maxOrdersPerMinute: 600, maxActiveOrdersPerStock: 20, duplicateWindowSec: 0, maxQuoteAgeSec: 3600 }],
      ['/api/settings/broker', { mode: 'qmt', host: 'evil.example', port: 8000 }],
      ['/api/settings/monitor', { intervalSeconds: 1, quoteProviders: ['tencent'] }],
    ] as const) {
      const res = await bob.put(path, body)
      expect(res.status, path).toBe(403)
    }
    expect((await bob.post('/api/settings/broker/test', { mode: 'qmt', host: '127.0.0.1', port: 9 })).status).toBe(403)
    // the trading calendar: anyone may read it, only an admin may change it
    expect((await bob.post('/api/settings/calendar', { year: 2027, text: '2027-02-08', source: 'x', complete: true })).status).toBe(403)
    expect((await bob.post('/api/settings/calendar/preview', { year: 2027, text: '2027-02-08' })).status).toBe(403)
    expect((await bob.get('/api/settings/calendar?year=2027')).status).toBe(200)
    // Cancelling every working order is an admin's act (issue 12): a trader is refused, nothing changes.
    expect((await bob.post('/api/settings/cancel-orders', { confirm: true })).status).toBe(403)
  })
})
