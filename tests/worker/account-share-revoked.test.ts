// A trading share taken back (issue 13): access to a broker account is checked when a monitor is
// saved, and again before every order. User D trades on admin A's QMT account through a share (the
// account's bridge is a real paper exchange over HTTP). With the share, D's entry is sent; once the
// share is made read-only or removed, D's next signal is refused in its transaction and an intent
// that waited (bridge down) is withdrawn at the claim: nothing reaches the bridge.
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createBroker } from '@/lib/broker'
import { createQuoteService } from '@/lib/quotes'
import { getDb } from '@/lib/db/client'
import { createUser } from '@/lib/db/users'
import { encryptSecrets } from '@/lib/notify/secrets'
import { encryptionKey } from '@/lib/secrets'
import { SimClock } from '@/lib/services/runtime/clock'
import { MonitorWorker, type WorkerBroker } from '@/lib/services/trading/worker'
import { providers } from '../helpers/db'
import { at, MONDAY, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const db = () => getDb()

async function setup(provider: 'sqlite' | 'postgresql') {
  h = await startWorkerHarness(provider)
  const harness = h
  const u = new URL(h.sim.bridgeUrl)
  const account = await db().brokerAccount.create({
    data: { name: 'QMT A', kind: 'qmt', simulated: true, ownerId: h.userId, host: u.hostname, port: Number(u.port), tokenEnc: encryptSecrets({ token: h.sim.token }, encryptionKey(), 'broker.token'), tokenHint: '••••', timeoutMs: 1_500 },
  })
  const userD = (await createUser(`d${Date.now()}@example.com`, 'x')).id
  await db().brokerAccountShare.create({ data: { accountId: account.id, userId: userD, canTrade: true } })
  const clock = new SimClock(h.sim.url)
  const broker = createBroker({ broker: 'qmt', baseUrl: h.sim.bridgeUrl, token: h.sim.token, timeoutMs: 1_500, clock: () => clock.now() }) as WorkerBroker
  const worker = new MonitorWorker({
    workerId: 'w-share',
    clock,
    accounts: { brokerFor: async (row) => (row.id === account.id ? { broker, timeoutMs: 1_500 } : null) },
    quotes: createQuoteService({ providers: ['tencent'], baseUrls: { tencent: h.sim.url }, timeoutMs: 2_000, concurrency: 2 }),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    defaults: { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 },
    auctions: false,
    bridgeTimeoutMs: 1_500,
    leaseTtlMs: 60_000,
    absentAfterMs: 1_000,
  })
  const place = async (code: string) => {
    const id = await harness.addStock({ code }, { unfilledTimeoutSec: 600 })
    await db().monitoredStock.update({ where: { id }, data: { userId: userD, brokerAccountId: account.id, activeKey: `${userD}:${account.id}:${code}`, positionKey: `${account.id}:${code}` } })
    return id
  }
  const price = (code: string, last: number) => harness.setPrice(code, last, { prevClose: 9.3, asks: [{ price: last, volume: 1_000_000 }], bids: [{ price: last - 0.01, volume: 1_000_000 }] })
  const step = () => harness.step(3, worker)
  const share = (canTrade: boolean | null) =>
    canTrade === null
      ? db().brokerAccountShare.deleteMany({ where: { accountId: account.id, userId: userD } })
      : db().brokerAccountShare.updateMany({ where: { accountId: account.id, userId: userD }, data: { canTrade } })
  await h.setClock(at(MONDAY, '09:30:00'))
  return { h, userD, place, price, step, share }
}

const ordersOf = (stockId: number) => db().order.findMany({ where: { stockId }, orderBy: { id: 'asc' } })

describe.each(providers())('a trading share taken back, on %s', (provider) => {
  it('with the share the entry is sent; read-only or removed, the next entry is refused and nothing reaches the bridge', async () => {
    const s = await setup(provider)
    const sent = await s.place('600000.SH')
    const readOnly = await s.place('600001.SH')
    const removed = await s.place('600002.SH')
    for (const c of ['600000.SH', '600001.SH', '600002.SH']) await s.price(c, 9.3)
    await s.step()

    // With the trading share: the entry goes out and fills.
    await s.price('600000.SH', 9.05)
    await s.step()
    await s.step()
    expect((await ordersOf(sent)).map((o) => o.status)).toEqual(['FILLED'])
    expect(orderRequests(await s.h.state())).toBe(1)

    // Read-only share: refused in the signal transaction, told, no order.
    await s.share(false)
    await s.price('600001.SH', 9.05)
    await s.step()
    await s.step()
    expect(await ordersOf(readOnly)).toHaveLength(0)
    const refused = await db().triggerEvent.findFirstOrThrow({ where: { stockId: readOnly } })
    expect(refused.outcome).toBe('KILL_SWITCH')
    expect(refused.reason).toMatch(/无权在该账户交易/)

    // Share removed: the same.
    await s.share(null)
    await s.price('600002.SH', 9.05)
    await s.step()
    await s.step()
    expect(await ordersOf(removed)).toHaveLength(0)
    expect((await db().triggerEvent.findFirstOrThrow({ where: { stockId: removed } })).outcome).toBe('KILL_SWITCH')
    expect(orderRequests(await s.h.state())).toBe(1)
    expect((await notificationTypes(s.userD)).filter((t) => t === 'KILL_SWITCH_BLOCKED')).toHaveLength(2)
  }, 120_000)

  it('an intent that waited while the bridge was down is withdrawn at the claim once the share is gone', async () => {
    const s = await setup(provider)
    const id = await s.place('600000.SH')
    await s.price('600000.SH', 9.3)
    await s.step()
    // The bridge refuses connections for a second: the entry stays a queued intent.
    await s.h.control('/control/fault', { kind: 'refuse', seconds: 1 })
    await s.price('600000.SH', 9.05)
    await s.step()
    await sleep(1_500)
    expect((await ordersOf(id)).map((o) => o.status)).toEqual(['PENDING'])
    await s.share(null)
    await s.step()
    await s.step()
    const [o] = await ordersOf(id)
    expect(o).toMatchObject({ status: 'FAILED' })
    expect(o!.errorMessage).toMatch(/无权在该账户交易|may no longer trade/)
    expect(orderRequests(await s.h.state())).toBe(0)
    expect(await notificationTypes(s.userD)).toContain('ORDER_WITHDRAWN')
  }, 120_000)
})
