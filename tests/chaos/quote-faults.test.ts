// Quote faults: the first provider down (failover to the next, orders still flow), stale quotes
// (nothing fires, the trader is told), malformed answers from every provider (no crash, logged,
// the trader is told). Local servers speak the real Tencent/Sina wire formats.
import { afterEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { createBroker } from '@/lib/broker'
import { createQuoteService } from '@/lib/quotes'
import { MonitorWorker } from '@/lib/services/trading/worker'
import { getDb } from '@/lib/db/client'
import { FakeSources, type FakeInstrument } from '../quotes/helpers/fake-sources'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from '../worker/helpers'
import { writeFigures } from './report'

let h: WorkerHarness | null = null
let fake: FakeSources | null = null
afterEach(async () => {
  await fake?.close()
  await h?.close()
  fake = null
  h = null
})

const figures: Record<string, unknown> = {}

function instrument(time: string): FakeInstrument {
  return { code: '600000.SH', name: '浦发银行', last: 9.05, prevClose: 9.1, open: 9.08, high: 9.12, low: 9.02, volume: 10_000_000, amount: 90_500_000, time, limitUp: 10.01, limitDown: 8.19 }
}

async function setup(fakeTime: string) {
  h = await startWorkerHarness('sqlite')
  fake = await new FakeSources().start()
  fake.add(instrument(fakeTime))
  await h.setClock(at(MONDAY, '10:00:00'))
  await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
  const id = await h.addStock({ code: '600000.SH' })
  const now = new Date(at(MONDAY, '10:00:00'))
  const logged: string[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) })
  const quotes = createQuoteService({ providers: ['tencent', 'sina'], baseUrls: { tencent: fake.baseUrl, sina: fake.baseUrl }, timeoutMs: 1_000, concurrency: 2, logger: log })
  const worker = new MonitorWorker({
    workerId: 'quotes',
    clock: { mode: 'sim', now: () => now, sync: async () => {}, wallMsUntil: () => 1_000 },
    broker: createBroker({ broker: 'qmt', baseUrl: h.sim.bridgeUrl, token: h.sim.token, timeoutMs: 1_500, clock: () => now }),
    quotes,
    log,
    defaults: { intervalSeconds: 3, quoteProviders: ['tencent', 'sina'], maxQuoteAgeSec: 15 },
    auctions: false,
    bridgeTimeoutMs: 1_500,
  })
  return { id, worker, quotes, logged }
}

describe('quote faults', () => {
  it('provider down: fails over to the next provider and orders still flow', async () => {
    const { id, worker, quotes } = await setup('2026-11-23 10:00:00')
    fake!.behaviour.tencent = { kind: 'status', status: 503 }
    const r1 = await worker.tick()
    await worker.tick()
    expect(r1.stats?.quotes).toBe(1)
    expect(fake!.requestsTo('tencent').length).toBeGreaterThan(0)
    expect(fake!.requestsTo('sina').length).toBeGreaterThan(0)
    const orders = await getDb().order.findMany({ where: { stockId: id } })
    expect(orders).toHaveLength(1)
    expect(orders[0]!.status).toBe('FILLED')
    const snap = await getDb().quoteSnapshot.findUniqueOrThrow({ where: { code: '600000.SH' } })
    expect(snap.source).toBe('sina')
    const tencent = quotes.health().find((p) => p.id === 'tencent')!
    figures.providerDown = { quotesDelivered: r1.stats?.quotes, deliveredBy: snap.source, order: orders[0]!.status, tencentFailures: tencent.totalFailures }
  })

  it('stale quotes: nothing fires and the trader gets one stale-data notice', async () => {
    const { id, worker } = await setup('2026-11-23 09:58:30') // 90 s old at 10:00:00
    await worker.tick()
    await worker.tick()
    expect(await getDb().order.count({ where: { stockId: id } })).toBe(0)
    expect(await getDb().triggerEvent.count()).toBe(0)
    const types = (await getDb().notification.findMany()).map((n) => n.type)
    expect(types).toEqual(['QUOTES_STALE'])
    figures.stale = { orders: 0, triggers: 0, notifications: types }
  })

  it('malformed answers from every provider: no crash, logged, the trader told, nothing fires', async () => {
    const { id, worker, logged } = await setup('2026-11-23 10:00:00')
    fake!.behaviour.tencent = { kind: 'raw', body: '<html><body>系统维护中</body></html>', contentType: 'text/html' }
    fake!.behaviour.sina = { kind: 'raw', body: 'var hq_str_sh600000="broken,,";\n', contentType: 'application/javascript; charset=GBK' }
    const r = await worker.tick()
    await worker.tick()
    expect(r.kind).toBe('cycle')
    expect(r.stats?.quotes).toBe(0)
    expect(await getDb().order.count({ where: { stockId: id } })).toBe(0)
    const types = (await getDb().notification.findMany()).map((n) => n.type)
    expect(types).toContain('QUOTES_DOWN')
    expect(logged.some((l) => /malformed|unrecognis|no record|quote/i.test(l))).toBe(true)
    figures.malformed = { cycleCompleted: r.kind === 'cycle', quotes: r.stats?.quotes, notifications: types, logLines: logged.length }
    writeFigures('quote-faults', figures)
  })
})
