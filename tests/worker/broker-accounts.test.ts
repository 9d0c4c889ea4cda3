// Several broker accounts in one worker (issue 13), over real HTTP: two QMT accounts, each on its own
// paper exchange (the QKA wire protocol), and one in-process paper account, owned by three users.
// Every order reaches only its own account's bridge; a dead bridge holds only its own account's
// intent (its users are told, the others are not) while the other accounts keep sending, filling and
// tracking; when it is back the waiting intent goes out once. No duplicate order anywhere.
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createBroker } from '@/lib/broker'
import { parseEnv } from '@/lib/env'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { createQuoteService } from '@/lib/quotes'
import { getDb } from '@/lib/db/client'
import { createUser } from '@/lib/db/users'
import { encryptSecrets } from '@/lib/notify/secrets'
import { encryptionKey } from '@/lib/secrets'
import { SimClock } from '@/lib/services/runtime/clock'
import { resolveAccountBrokerConfig } from '@/lib/services/runtime/broker-config'
import { MonitorWorker, type WorkerBroker } from '@/lib/services/trading/worker'
import { cancelOrderForUser } from '@/lib/services/trading/order-cancel'
import { getWorkerAccount } from '@/lib/db/worker-accounts'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type SimState, type WorkerHarness, simControl } from './helpers'

let h: WorkerHarness | null = null
let simB: PaperExchangeHandle | null = null
let stateDir: string | null = null
afterEach(async () => {
  await simB?.close()
  simB = null
  await h?.close()
  h = null
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true })
  stateDir = null
})

const control = (sim: PaperExchangeHandle, p: string, body?: unknown): Promise<unknown> => simControl(sim, p, body)

const remarks = (s: SimState) => s.orders.map((o) => o.order_remark).sort()

async function bridgeAnswers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/api/query_stock_asset`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    return true
  } catch {
    return false
  }
}

/** Three users, two QMT accounts on two paper exchanges (A is the harness's), one paper account, and a worker over them. */
async function setup(provider: 'sqlite' | 'postgresql') {
  h = await startWorkerHarness(provider)
  const simA = h.sim
  simB = await startPaperExchange({ stateFile: null, scenario: 'none', start: at(MONDAY, '09:29:00'), paused: true, cash: 1_000_000, seed: 11, closures: [] })
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-accounts-'))
  const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, BROKER: 'paper', PAPER_STATE_FILE: path.join(stateDir, 'paper-account.json') })
  const db = getDb()

  const userA = h.userId
  const userB = (await createUser(`b${Date.now()}@example.com`, 'x')).id
  const userC = (await createUser(`c${Date.now()}@example.com`, 'x')).id
  const qmt = (sim: PaperExchangeHandle, name: string, ownerId: number) => {
    const u = new URL(sim.bridgeUrl)
    return db.brokerAccount.create({
      data: { name, kind: 'qmt', simulated: true, ownerId, host: u.hostname, port: Number(u.port), tokenEnc: encryptSecrets({ token: sim.token }, encryptionKey(), 'broker.token'), tokenHint: '••••', timeoutMs: 1_500 },
    })
  }
  const accA = await qmt(simA, 'QMT A', userA)
  const accB = await qmt(simB, 'QMT B', userB)
  const accP = await db.brokerAccount.create({ data: { name: 'Paper C', kind: 'paper', ownerId: userC } })

  // The worker builds each account's broker from its stored connection (token decrypted here).
  const clock = new SimClock(simA.url)
  const built = new Map<number, WorkerBroker>()
  const bridgeOf = new Map<number, string>()
  const worker = new MonitorWorker({
    workerId: 'w-accounts',
    clock,
    accounts: {
      async brokerFor(row) {
        if (row.defaultKey === 'default') return null
        const had = built.get(row.id)
        if (had) return { broker: had, timeoutMs: 1_500 }
        const cfg = await resolveAccountBrokerConfig(row, env)
        if (cfg.broker === 'qmt') bridgeOf.set(row.id, cfg.baseUrl)
        const b = createBroker({ ...cfg, clock: () => clock.now() }) as WorkerBroker
        built.set(row.id, b)
        return { broker: b, timeoutMs: 1_500 }
      },
    },
    quotes: createQuoteService({ providers: ['tencent'], baseUrls: { tencent: simA.url }, timeoutMs: 2_000, concurrency: 2 }),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    defaults: { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 },
    auctions: false,
    bridgeTimeoutMs: 1_500,
    leaseTtlMs: 60_000,
    absentAfterMs: 1_000,
  })

  const harness = h
  const place = async (code: string, accountId: number, userId: number) => {
    const id = await harness.addStock({ code }, { unfilledTimeoutSec: 600 })
    await db.monitoredStock.update({ where: { id }, data: { userId, brokerAccountId: accountId, activeKey: `${userId}:${accountId}:${code}`, positionKey: `${accountId}:${code}` } })
    return id
  }
  const sims = [simA, simB]
  const both = async (p: string, body: unknown) => {
    for (const sim of sims) await control(sim, p, body)
  }
  const price = (code: string, last: number) => both('/control/price', { code, last, prevClose: 9.2, asks: [{ price: last, volume: 1_000_000 }], bids: [{ price: last - 0.01, volume: 1_000_000 }] })
  const step = async (seconds = 3) => {
    await both('/control/tick', { seconds })
    return worker.tick()
  }
  const stateOf = async (sim: PaperExchangeHandle) => (await control(sim, '/control/state')) as SimState
  return { h: harness, simA, simB: simB!, stateDir: stateDir!, env, db, clock, userA, userB, userC, accA, accB, accP, worker, built, bridgeOf, place, both, price, step, stateOf }
}

describe.each(providers())('broker accounts in one worker on %s', (provider) => {
  it('each order reaches only its own bridge; a dead bridge holds only its account, its intent goes out once when back', async () => {
    const { h, simA, simB, db, userA, userB, userC, accA, accB, accP, built, bridgeOf, place, both, price, step, stateDir } = await setup(provider)
    // One monitor per account (its own user and code), a second one per QMT account for later.
    const sA = await place('600000.SH', accA.id, userA)
    const sB = await place('600036.SH', accB.id, userB)
    const sP = await place('601318.SH', accP.id, userC)
    const sA2 = await place('600519.SH', accA.id, userA)
    const sB2 = await place('000001.SZ', accB.id, userB)
    const codes = ['600000.SH', '600036.SH', '601318.SH', '600519.SH', '000001.SZ']

    await both('/control/clock', { now: at(MONDAY, '09:30:00'), paused: true })
    for (const c of codes) await price(c, 9.3)
    await step()
    await step()

    // The first three enter, each on its own account.
    for (const c of ['600000.SH', '600036.SH', '601318.SH']) await price(c, 9.05)
    await step()
    await step()
    await step()
    const orderOf = async (stockId: number) => db.order.findMany({ where: { stockId } })
    const [oA] = await orderOf(sA)
    const [oB] = await orderOf(sB)
    const [oP] = await orderOf(sP)
    expect(oA).toMatchObject({ brokerAccountId: accA.id, status: 'FILLED' })
    expect(oB).toMatchObject({ brokerAccountId: accB.id, status: 'FILLED' })
    expect(oP).toMatchObject({ brokerAccountId: accP.id, status: 'FILLED' })
    expect(bridgeOf.get(accA.id)).toBe(simA.bridgeUrl)
    expect(bridgeOf.get(accB.id)).toBe(simB.bridgeUrl)
    // Each bridge holds exactly its own account's orders; the paper account's order reached neither.
    expect(remarks(await h.state())).toEqual([oA!.clientOrderId])
    expect(remarks((await control(simB, '/control/state')) as SimState)).toEqual([oB!.clientOrderId])
    expect(orderRequests(await h.state())).toBe(1)
    expect(orderRequests((await control(simB, '/control/state')) as SimState)).toBe(1)
    // Each account's snapshot is its own: B holds only B's stock, the paper account only its own.
    const posB = await db.positionSnapshot.findMany({ where: { brokerAccountId: accB.id } })
    expect(posB.map((p) => p.code)).toEqual(['600036.SH'])
    const posP = await db.positionSnapshot.findMany({ where: { brokerAccountId: accP.id } })
    expect(posP.map((p) => p.code)).toEqual(['601318.SH'])
    expect((await db.monitoredStock.findUniqueOrThrow({ where: { id: sB } })).positionQty).toBe(oB!.quantity)

    // Bridge B goes down (refuses connections): B's new entry waits; A's new entry goes out and fills.
    await control(simB, '/control/fault', { kind: 'refuse', seconds: 12 })
    await price('600519.SH', 9.05)
    await price('000001.SZ', 9.05)
    for (let i = 0; i < 3; i++) await step()
    const [oA2] = await orderOf(sA2)
    expect(oA2).toMatchObject({ brokerAccountId: accA.id, status: 'FILLED' })
    const waiting = await orderOf(sB2)
    expect(waiting).toHaveLength(1)
    expect(waiting[0]).toMatchObject({ brokerAccountId: accB.id, status: 'PENDING', bridgeOrderId: null })
    expect(orderRequests((await control(simB, '/control/state')) as SimState)).toBe(1)
    expect(remarks(await h.state())).toEqual([oA!.clientOrderId, oA2!.clientOrderId].sort())

    // Only B's users hear of it, with the account on the notification; A's bridge stays healthy.
    const downs = await db.notification.findMany({ where: { type: 'BRIDGE_DOWN' } })
    expect(downs.map((n) => n.userId)).toEqual([userB])
    expect(downs[0]!.brokerAccountId).toBe(accB.id)
    expect(await db.serviceHealth.findUnique({ where: { name: `bridge:${accB.id}` } })).toMatchObject({ status: 'down' })
    expect(await db.serviceHealth.findUnique({ where: { name: `bridge:${accA.id}` } })).toMatchObject({ status: 'up' })
    expect(await db.serviceHealth.findUnique({ where: { name: `bridge:${accP.id}` } })).toMatchObject({ status: 'up' })

    // Bridge B is back: the waiting intent goes out once and fills; B's users are told it is back.
    const deadline = Date.now() + 30_000
    while (!(await bridgeAnswers(simB.bridgeUrl))) {
      if (Date.now() > deadline) throw new Error('bridge B did not come back')
      await new Promise((r) => setTimeout(r, 250))
    }
    for (let i = 0; i < 12; i++) {
      await step()
      const os = await orderOf(sB2)
      if (os.length === 1 && os[0]!.status === 'FILLED') break
      await new Promise((r) => setTimeout(r, 500))
    }
    const sentB2 = await orderOf(sB2)
    expect(sentB2).toHaveLength(1)
    expect(sentB2[0]).toMatchObject({ brokerAccountId: accB.id, status: 'FILLED' })
    const stateB = (await control(simB, '/control/state')) as SimState
    expect(remarks(stateB)).toEqual([oB!.clientOrderId, sentB2[0]!.clientOrderId].sort())
    expect(orderRequests(stateB)).toBe(2)
    expect(orderRequests(await h.state())).toBe(2)
    const ups = await db.notification.findMany({ where: { type: 'BRIDGE_UP' } })
    expect(ups.map((n) => n.userId)).toEqual([userB])
    expect(await db.serviceHealth.findUnique({ where: { name: `bridge:${accB.id}` } })).toMatchObject({ status: 'up' })

    // No duplicates: one order per trigger, one per monitor, and the paper account's state is its own file.
    expect(await db.order.count()).toBe(5)
    for (const id of [sA, sB, sP, sA2, sB2]) expect(await db.order.count({ where: { stockId: id } })).toBe(1)
    expect(fs.existsSync(path.join(stateDir, `paper-account.account-${accP.id}.json`))).toBe(true)
    expect(fs.existsSync(path.join(stateDir, 'paper-account.json'))).toBe(false)
    for (const b of built.values()) b.disconnect()
  }, 180_000)

  it("an account's own kill switch and its disabling hold only that account; a cancel goes through the order's own bridge", async () => {
    const { simA, simB, db, clock, env, userA, userB, accA, accB, place, both, price, step, stateOf } = await setup(provider)
    const sA = await place('600000.SH', accA.id, userA)
    const sB = await place('600036.SH', accB.id, userB)
    const sB2 = await place('000001.SZ', accB.id, userB)
    await both('/control/clock', { now: at(MONDAY, '09:30:00'), paused: true })
    for (const c of ['600000.SH', '600036.SH', '000001.SZ']) await price(c, 9.3)
    await step()
    await step()

    // A's own kill switch: A's entry is refused like under the global switch; B's goes out (and rests, 100 filled).
    await db.brokerAccount.update({ where: { id: accA.id }, data: { killSwitchOn: true } })
    await control(simB, '/control/fault', { kind: 'partial_fill', shares: 100 })
    await price('600000.SH', 9.05)
    await price('600036.SH', 9.05)
    await step()
    // The price leaves the zone: the rest of B's entry rests at the bridge.
    await price('600036.SH', 9.3)
    for (let i = 0; i < 2; i++) await step()
    expect(await db.order.count({ where: { stockId: sA } })).toBe(0)
    const blocked = await db.notification.findMany({ where: { type: 'KILL_SWITCH_BLOCKED' } })
    expect(blocked.map((n) => n.userId)).toEqual([userA])
    expect(orderRequests(await stateOf(simA))).toBe(0)
    const [oB] = await db.order.findMany({ where: { stockId: sB } })
    expect(oB).toMatchObject({ brokerAccountId: accB.id, status: 'PARTIALLY_FILLED', filledQuantity: 100 })

    // A cancel of B's order goes to B's bridge, never to the default broker nor to A's (the same
    // bridge order number may exist there: ids are per bridge).
    const report = await cancelOrderForUser(
      userB,
      oB!.id,
      async () => {
        throw new Error('the default broker must not be asked for an order of account B')
      },
      async (accountId) => {
        const row = await getWorkerAccount(accountId)
        return createBroker({ ...(await resolveAccountBrokerConfig(row!, env)), clock: () => clock.now() })
      },
    )
    expect(report.bridge.outcome).toBe('requested')
    expect(((await stateOf(simB)).requests as Record<string, number>).cancel_order_stock).toBe(1)
    expect(((await stateOf(simA)).requests as Record<string, number>).cancel_order_stock ?? 0).toBe(0)
    for (let i = 0; i < 2; i++) await step()
    expect(await db.order.findUniqueOrThrow({ where: { id: oB!.id } })).toMatchObject({ status: 'CANCELLED', filledQuantity: 100 })

    // B's bridge refuses while B's second entry fires: the intent waits; B is disabled meanwhile:
    // the waiting intent is withdrawn, never sent, also once the bridge is back.
    await control(simB, '/control/fault', { kind: 'refuse', seconds: 6 })
    await price('000001.SZ', 9.05)
    for (let i = 0; i < 2; i++) await step()
    const [waiting] = await db.order.findMany({ where: { stockId: sB2 } })
    expect(waiting).toMatchObject({ brokerAccountId: accB.id, status: 'PENDING' })
    await db.brokerAccount.update({ where: { id: accB.id }, data: { disabledAt: new Date() } })
    await step()
    expect(await db.order.findUniqueOrThrow({ where: { id: waiting!.id } })).toMatchObject({ status: 'FAILED', bridgeOrderId: null })
    const deadline = Date.now() + 30_000
    while (!(await bridgeAnswers(simB.bridgeUrl))) {
      if (Date.now() > deadline) throw new Error('bridge B did not come back')
      await new Promise((r) => setTimeout(r, 250))
    }
    for (let i = 0; i < 3; i++) await step()
    expect(orderRequests(await stateOf(simB))).toBe(1)
    expect(await db.order.count({ where: { stockId: sB2 } })).toBe(1)
    expect((await db.notification.findMany({ where: { type: 'ORDER_WITHDRAWN' } })).map((n) => n.userId)).toEqual([userB])
  }, 180_000)

  it("an account's own risk limits refuse only that account's orders, under the global ones", async () => {
    const { db, userA, userB, accA, accB, place, both, price, step, stateOf, simA, simB } = await setup(provider)
    const sA = await place('600000.SH', accA.id, userA)
    const sB = await place('600036.SH', accB.id, userB)
    await both('/control/clock', { now: at(MONDAY, '09:30:00'), paused: true })
    for (const c of ['600000.SH', '600036.SH']) await price(c, 9.3)
    await step()
    await step()
    // A caps one order at 1,000 yuan (an entry here is far larger); B has no limits of its own.
    await db.brokerAccount.update({ where: { id: accA.id }, data: { risk: { maxOrdersPerMinute: null, maxOrderValue: 1_000 } } })
    await price('600000.SH', 9.05)
    await price('600036.SH', 9.05)
    await step()
    await step()
    expect(await db.order.count({ where: { stockId: sA } })).toBe(0)
    const refused = await db.triggerEvent.findMany({ where: { stockId: sA } })
    expect(refused.map((t) => t.outcome)).toEqual(['RISK_REJECTED'])
    expect(refused[0]!.reason ?? '').toMatch(/券商账户|broker account/)
    const rejected = await db.notification.findMany({ where: { type: 'RISK_REJECTED' } })
    expect(rejected.map((n) => n.userId)).toEqual([userA])
    expect(orderRequests(await stateOf(simA))).toBe(0)
    const [oB] = await db.order.findMany({ where: { stockId: sB } })
    expect(oB).toMatchObject({ brokerAccountId: accB.id, status: 'FILLED' })
    expect(orderRequests(await stateOf(simB))).toBe(1)
  }, 180_000)
})
