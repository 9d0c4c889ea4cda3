// A lease per broker account (issue 13): on PostgreSQL two workers split three accounts between
// them; one dies (stops renewing — as after SIGKILL), the other takes its accounts over within the
// lease and trades them, fenced: the dead one, waking up late, sends nothing. On SQLite one worker
// holds every account and the other stands by. Each account on its own paper exchange over HTTP.
// Zero duplicate orders.
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
import { accountLeaseName, MonitorWorker, type WorkerBroker } from '@/lib/services/trading/worker'
import { providers } from '../helpers/db'
import { at, MONDAY, orderRequests, startWorkerHarness, type SimState, type WorkerHarness, simControl } from './helpers'

let h: WorkerHarness | null = null
const extra: PaperExchangeHandle[] = []
const clients: WorkerBroker[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect()
  for (const s of extra.splice(0)) await s.close()
  await h?.close()
  h = null
})

const control = (sim: PaperExchangeHandle, p: string, body?: unknown): Promise<unknown> => simControl(sim, p, body)

const LEASE_TTL_MS = 2_500

describe.each(providers())('a lease per account on %s', (provider) => {
  it('workers split the accounts (PostgreSQL) or one holds them all (SQLite); a dead worker’s accounts are taken over, fenced, no duplicate', async () => {
    h = await startWorkerHarness(provider)
    const harness = h
    const db = getDb()
    const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL })
    const sims = [h.sim]
    for (const seed of [11, 13]) {
      const s = await startPaperExchange({ stateFile: null, scenario: 'none', start: at(MONDAY, '09:29:00'), paused: true, cash: 1_000_000, seed, closures: [] })
      extra.push(s)
      sims.push(s)
    }
    const users = [h.userId, (await createUser(`b${Date.now()}@example.com`, 'x')).id, (await createUser(`c${Date.now()}@example.com`, 'x')).id]
    const accounts: Array<{ id: number }> = []
    for (let i = 0; i < 3; i++) {
      const u = new URL(sims[i]!.bridgeUrl)
      accounts.push(
        await db.brokerAccount.create({
          data: { name: `QMT ${i}`, kind: 'qmt', simulated: true, ownerId: users[i]!, host: u.hostname, port: Number(u.port), tokenEnc: encryptSecrets({ token: sims[i]!.token }, encryptionKey(), 'broker.token'), timeoutMs: 1_500 },
        }),
      )
    }

    const makeWorker = (workerId: string) => {
      const clock = new SimClock(h!.sim.url)
      const own = new Map<number, WorkerBroker>()
      return new MonitorWorker({
        workerId,
        clock,
        accounts: {
          async brokerFor(row) {
            if (row.defaultKey === 'default') return null
            let b = own.get(row.id)
            if (!b) {
              b = createBroker({ ...(await resolveAccountBrokerConfig(row, env)), clock: () => clock.now() }) as WorkerBroker
              own.set(row.id, b)
              clients.push(b)
            }
            return { broker: b, timeoutMs: 1_500 }
          },
        },
        quotes: createQuoteService({ providers: ['tencent'], baseUrls: { tencent: h!.sim.url }, timeoutMs: 2_000, concurrency: 2 }),
        log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        defaults: { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 },
        auctions: false,
        bridgeTimeoutMs: 1_500,
        leaseTtlMs: LEASE_TTL_MS,
        absentAfterMs: 1_000,
      })
    }
    const w1 = makeWorker('w1')
    const w2 = makeWorker('w2')

    const place = async (code: string, i: number) => {
      const id = await harness.addStock({ code })
      await db.monitoredStock.update({ where: { id }, data: { userId: users[i]!, brokerAccountId: accounts[i]!.id, activeKey: `${users[i]}:${accounts[i]!.id}:${code}`, positionKey: `${accounts[i]!.id}:${code}` } })
      return id
    }
    const first = [await place('600000.SH', 0), await place('600036.SH', 1), await place('601318.SH', 2)]
    const second = [await place('600519.SH', 0), await place('000001.SZ', 1), await place('601398.SH', 2)]
    const all = async (p: string, body: unknown) => {
      for (const s of sims) await control(s, p, body)
    }
    const price = (code: string, last: number) => all('/control/price', { code, last, prevClose: 9.2, asks: [{ price: last, volume: 1_000_000 }], bids: [{ price: last - 0.01, volume: 1_000_000 }] })
    const round = async (workers: MonitorWorker[]) => {
      await all('/control/tick', { seconds: 3 })
      for (const w of workers) await w.tick()
    }
    const holders = async () => {
      const out: string[] = []
      for (const a of accounts) {
        const l = await db.workerLease.findUnique({ where: { name: accountLeaseName(a.id) } })
        out.push(l && l.expiresAt.getTime() > Date.now() ? l.holderId : '-')
      }
      return out
    }

    await all('/control/clock', { now: at(MONDAY, '09:30:00'), paused: true })
    for (const c of ['600000.SH', '600036.SH', '601318.SH', '600519.SH', '000001.SZ', '601398.SH']) await price(c, 9.3)
    for (let i = 0; i < 3; i++) await round([w1, w2])

    const split = await holders()
    expect(split).not.toContain('-')
    const n1 = split.filter((x) => x === 'w1').length
    if (provider === 'postgresql') {
      // Split: each worker holds at least one account, none holds more than its share (2 of 3).
      expect([1, 2]).toContain(n1)
    } else {
      // SQLite: one worker for all; the other stands by.
      expect(n1).toBe(3)
    }

    // Entries on every account: each goes out once, through the worker holding its account.
    for (const c of ['600000.SH', '600036.SH', '601318.SH']) await price(c, 9.05)
    for (let i = 0; i < 3; i++) await round([w1, w2])
    for (const id of first) expect(await db.order.findMany({ where: { stockId: id } })).toMatchObject([{ status: 'FILLED' }])
    for (const s of sims) expect(orderRequests((await control(s, '/control/state')) as SimState)).toBe(1)

    // w1 dies (no more renewals). Within the lease w2 takes every account over.
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS + 500))
    for (let i = 0; i < 3; i++) await round([w2])
    expect(await holders()).toEqual(['w2', 'w2', 'w2'])

    // New entries on every account: w2 sends each once; w1 waking up late sends nothing (fenced).
    for (const c of ['600519.SH', '000001.SZ', '601398.SH']) await price(c, 9.05)
    for (let i = 0; i < 2; i++) await round([w2])
    await round([w1, w2])
    await round([w2])
    for (const id of second) expect(await db.order.findMany({ where: { stockId: id } })).toMatchObject([{ status: 'FILLED' }])
    for (const s of sims) expect(orderRequests((await control(s, '/control/state')) as SimState)).toBe(2)
    expect(await db.order.count()).toBe(6)
    const perTrigger = await db.order.groupBy({ by: ['triggerEventId'], _count: { _all: true } })
    expect(perTrigger.every((g) => g._count._all === 1)).toBe(true)
  }, 180_000)
})
