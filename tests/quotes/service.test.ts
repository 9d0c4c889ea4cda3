import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createQuoteService, type QuoteServiceOptions } from '@/lib/quotes/service'
import { createTencentProvider } from '@/lib/quotes/tencent'
import { bj } from './helpers/fixtures'
import { closedPortUrl, startFakeSources, syntheticInstrument, type FakeProvider, type FakeSources } from './helpers/fake-sources'

let fake: FakeSources
const PROVIDERS: FakeProvider[] = ['tencent', 'sina', 'eastmoney']
const QUOTE_TIME = '2026-09-14 14:30:00'
const NOW = new Date(bj(QUOTE_TIME).getTime() + 5_000)

beforeAll(async () => {
  fake = await startFakeSources()
})
afterAll(async () => {
  await fake.close()
})
afterEach(() => fake.reset())

function universe(n: number): string[] {
  const qs = Array.from({ length: n }, (_, i) => syntheticInstrument(i, QUOTE_TIME))
  fake.add(...qs)
  return qs.map((q) => q.code)
}

function service(over: Partial<QuoteServiceOptions> = {}) {
  return createQuoteService({
    providers: ['tencent', 'sina', 'eastmoney'],
    baseUrls: { tencent: fake.baseUrl, sina: fake.baseUrl, eastmoney: fake.baseUrl },
    timeoutMs: 1000,
    concurrency: 4,
    ...over,
  })
}

/** A controllable wall clock for the circuit breaker. */
function manualClock(start = 1_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('quote service: batching and concurrency', () => {
  it('150 codes → 3 Tencent requests of ≤ 60, every code delivered by Tencent', async () => {
    const codes = universe(150)
    const r = await service().getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent').map((q) => q.codes.length).sort()).toEqual([30, 60, 60])
    expect(fake.requestsTo('sina')).toHaveLength(0)
    expect(r.quotes.size).toBe(150)
    expect(r.problems.size).toBe(0)
    expect(new Set(r.providerUsed.values())).toEqual(new Set(['tencent']))
    expect(r.quotes.get('600042.SH')).toMatchObject({ code: '600042.SH', last: 10.42, source: 'tencent' })
    expect(r.attempts).toEqual([{ provider: 'tencent', requested: 150, delivered: 150, requests: 3, failedRequests: 0 }])
  })

  it('never has more than `concurrency` requests in flight per provider', async () => {
    const codes = universe(300) // 5 Tencent batches
    fake.delayMs.tencent = 120
    const r = await service({ concurrency: 2 }).getQuotes(codes, NOW)
    expect(r.quotes.size).toBe(300)
    expect(fake.requestsTo('tencent')).toHaveLength(5)
    expect(fake.maxInFlight.tencent).toBe(2)
  })

  it('the bound is shared by concurrent getQuotes calls', async () => {
    const codes = universe(120)
    fake.delayMs.tencent = 100
    const svc = service({ concurrency: 1 })
    const [a, b] = await Promise.all([svc.getQuotes(codes.slice(0, 60), NOW), svc.getQuotes(codes.slice(60), NOW)])
    expect(a.quotes.size + b.quotes.size).toBe(120)
    expect(fake.maxInFlight.tencent).toBe(1)
  })

  it('respects a smaller configured batch size', async () => {
    const codes = universe(25)
    await service({ batchSizes: { tencent: 10 } }).getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent').map((q) => q.codes.length).sort()).toEqual([10, 10, 5])
  })
})

describe('quote service: failover', () => {
  it.each([
    ['timeout', { kind: 'hang' }],
    ['http', { kind: 'status', status: 500 }],
    ['malformed', { kind: 'raw', body: '<html>oops</html>' }],
    ['network', { kind: 'destroy' }],
  ] as const)('Tencent %s → the batch fails over to Sina', async (kind, behaviour) => {
    const codes = universe(3)
    fake.behaviour.tencent = behaviour
    const svc = service({ timeoutMs: 200 })
    const r = await svc.getQuotes(codes, NOW)
    expect(r.quotes.size).toBe(3)
    for (const c of codes) {
      expect(r.quotes.get(c)!.source).toBe('sina')
      expect(r.providerUsed.get(c)).toBe('sina')
    }
    expect(r.attempts.map((a) => [a.provider, a.delivered, a.failedRequests])).toEqual([
      ['tencent', 0, 1],
      ['sina', 3, 0],
    ])
    const [t, s, e] = svc.health()
    expect(t).toMatchObject({ id: 'tencent', state: 'closed', consecutiveFailures: 1, totalFailures: 1, lastOkAt: null })
    expect(t!.lastError!.kind).toBe(kind)
    expect(s).toMatchObject({ id: 'sina', consecutiveFailures: 0, totalRequests: 1, lastError: null })
    expect(s!.lastOkAt).toBeInstanceOf(Date)
    expect(e).toMatchObject({ id: 'eastmoney', totalRequests: 0 })
  })

  it('connection refused on Tencent → Sina', async () => {
    const codes = universe(2)
    const svc = service({ baseUrls: { tencent: await closedPortUrl(), sina: fake.baseUrl, eastmoney: fake.baseUrl } })
    const r = await svc.getQuotes(codes, NOW)
    expect([...r.providerUsed.values()]).toEqual(['sina', 'sina'])
    expect(svc.health()[0]!.lastError!.kind).toBe('network')
  })

  it('only the failed batch fails over; the other batches stay with Tencent', async () => {
    const codes = universe(120)
    const svc = service({ concurrency: 1 })
    // First Tencent request answers 500, later ones are served.
    let n = 0
    const original = fake.behaviour
    fake.behaviour = new Proxy(original, {
      get: (t, p: FakeProvider) => (p === 'tencent' && n++ === 0 ? { kind: 'status', status: 500 } : t[p]),
    })
    const r = await svc.getQuotes(codes, NOW)
    fake.behaviour = original
    const used = [...r.providerUsed.values()]
    expect(used.filter((p) => p === 'tencent')).toHaveLength(60)
    expect(used.filter((p) => p === 'sina')).toHaveLength(60)
    expect(fake.requestsTo('sina')[0]!.codes).toHaveLength(60)
  })

  it('Sina blocked (Kinsoku) as well → Eastmoney', async () => {
    const codes = universe(2)
    fake.behaviour.tencent = { kind: 'status', status: 502 }
    fake.behaviour.sina = { kind: 'raw', body: 'Kinsoku jikou desu!' }
    const svc = service()
    const r = await svc.getQuotes(codes, NOW)
    expect([...r.providerUsed.values()]).toEqual(['eastmoney', 'eastmoney'])
    expect(r.quotes.get(codes[0]!)).toMatchObject({ last: 10, volume: 100_000, limitUp: null })
    expect(svc.health()[1]!.lastError!.kind).toBe('blocked')
  })

  it('every provider down → problem `unavailable` with what each provider said', async () => {
    const codes = universe(1)
    for (const p of PROVIDERS) fake.behaviour[p] = { kind: 'status', status: 503 }
    const r = await service().getQuotes(codes, NOW)
    expect(r.quotes.size).toBe(0)
    expect(r.problems.get(codes[0]!)).toMatchObject({
      reason: 'unavailable',
      byProvider: [
        { provider: 'tencent', error: 'http' },
        { provider: 'sina', error: 'http' },
        { provider: 'eastmoney', error: 'http' },
      ],
    })
  })
})

describe('quote service: unknown codes', () => {
  it('a code unknown to Tencent but known to Sina is delivered by Sina; Tencent health is unaffected', async () => {
    const codes = universe(3)
    fake.unknownTo.tencent.add(codes[1]!)
    const svc = service()
    const r = await svc.getQuotes(codes, NOW)
    expect(r.providerUsed.get(codes[0]!)).toBe('tencent')
    expect(r.providerUsed.get(codes[1]!)).toBe('sina')
    expect(fake.requestsTo('sina').map((q) => q.codes)).toEqual([[codes[1]]])
    expect(svc.health()[0]).toMatchObject({ consecutiveFailures: 0, totalFailures: 0, lastError: null })
  })

  it('a code nobody knows → unknown_code after asking every provider', async () => {
    universe(1)
    const r = await service().getQuotes(['600999.SH', '600000.SH'], NOW)
    expect(r.quotes.has('600000.SH')).toBe(true)
    expect(r.problems.get('600999.SH')).toEqual({
      reason: 'unknown_code',
      byProvider: [
        { provider: 'tencent', problem: 'unknown_code', detail: 'no record in the answer' },
        { provider: 'sina', problem: 'unknown_code', detail: 'empty record' },
        { provider: 'eastmoney', problem: 'unknown_code', detail: 'no row in the answer' },
      ],
    })
  })

  it('unknown on some providers and down on others still says unknown_code; malformed outranks unknown', async () => {
    universe(1)
    fake.behaviour.sina = { kind: 'status', status: 500 }
    fake.behaviour.eastmoney = {
      kind: 'raw',
      body: JSON.stringify({ rc: 0, data: { diff: [{ f2: 10, f12: '600999', f13: 1, f18: 9.9 }] } }), // no f124 → malformed
    }
    const r = await service().getQuotes(['600999.SH'], NOW)
    expect(r.problems.get('600999.SH')!.reason).toBe('malformed')
    fake.behaviour.eastmoney = { kind: 'status', status: 500 }
    const r2 = await service().getQuotes(['600999.SH'], NOW)
    expect(r2.problems.get('600999.SH')!.reason).toBe('unknown_code')
    // Order does not matter: Tencent malformed, then Sina and Eastmoney unknown → malformed.
    fake.behaviour.tencent = { kind: 'raw', body: 'v_sh600999="1~坏~600999~1";' }
    fake.behaviour.sina = { kind: 'serve' }
    fake.behaviour.eastmoney = { kind: 'serve' }
    const r3 = await service().getQuotes(['600999.SH'], NOW)
    expect(r3.problems.get('600999.SH')!.byProvider.map((v) => ('problem' in v ? v.problem : null))).toEqual(['malformed', 'unknown_code', 'unknown_code'])
    expect(r3.problems.get('600999.SH')!.reason).toBe('malformed')
  })

  it('non-canonical input is unknown_code without any request; duplicates are asked once', async () => {
    universe(1)
    const r = await service().getQuotes(['sh600000', '600000.SH', '600000.SH'], NOW)
    expect(r.problems.get('sh600000')).toEqual({ reason: 'unknown_code', byProvider: [] })
    expect(fake.requests.map((q) => q.url)).toEqual(['/q=sh600000'])
    expect(r.quotes.size).toBe(1)
  })
})

describe('quote service: staleness stamp', () => {
  it('ageMs = now − quote time, using the caller-supplied (possibly simulated) clock', async () => {
    const codes = universe(1)
    const svc = service({ maxAgeMs: 60_000 })
    const fresh = (await svc.getQuotes(codes, NOW)).quotes.get(codes[0]!)!
    expect(fresh.time).toEqual(bj(QUOTE_TIME))
    expect(fresh.ageMs).toBe(5_000)
    expect(fresh.stale).toBe(false)
    const later = new Date(bj(QUOTE_TIME).getTime() + 120_000)
    const old = (await svc.getQuotes(codes, later)).quotes.get(codes[0]!)!
    expect(old.ageMs).toBe(120_000)
    expect(old.stale).toBe(true)
    const before = new Date(bj(QUOTE_TIME).getTime() - 1_000)
    expect((await svc.getQuotes(codes, before)).quotes.get(codes[0]!)!.ageMs).toBe(-1_000)
  })
})

describe('quote service: health and circuit breaker', () => {
  it('reports latency, last ok and request counts', async () => {
    const codes = universe(2)
    fake.delayMs.tencent = 80
    const before = Date.now()
    const svc = service()
    await svc.getQuotes(codes, NOW)
    const t = svc.health()[0]!
    expect(t).toMatchObject({ id: 'tencent', state: 'closed', totalRequests: 1, totalFailures: 0, consecutiveFailures: 0, lastError: null })
    expect(t.lastLatencyMs).toBeGreaterThanOrEqual(70)
    expect(t.lastOkAt!.getTime()).toBeGreaterThanOrEqual(before + 70)
    expect(t.lastOkAt!.getTime()).toBeLessThanOrEqual(Date.now())
    expect(svc.health()[1]).toMatchObject({ id: 'sina', totalRequests: 0, lastOkAt: null, lastLatencyMs: null })
  })

  it('opens after N consecutive failures, skips the provider, probes after the cooldown, closes on success', async () => {
    const codes = universe(130) // 3 Tencent batches
    const clock = manualClock()
    const svc = service({ clock: clock.now, breaker: { failureThreshold: 2, cooldownMs: 10_000 }, concurrency: 1 })
    fake.behaviour.tencent = { kind: 'status', status: 500 }

    // Call 1: first batch fails (1), second fails (2 → open), third is skipped while queued.
    const r1 = await svc.getQuotes(codes, NOW)
    expect(r1.quotes.size).toBe(130)
    expect(fake.requestsTo('tencent')).toHaveLength(2)
    let t = svc.health()[0]!
    expect(t).toMatchObject({ state: 'open', consecutiveFailures: 2 })
    expect(t.openUntil).toEqual(new Date(clock.now() + 10_000))

    // Call 2 while open: Tencent is not contacted at all.
    fake.requests.length = 0
    const r2 = await svc.getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent')).toHaveLength(0)
    expect(r2.attempts[0]).toMatchObject({ provider: 'tencent', skipped: 'circuit_open', requests: 0 })
    expect(new Set(r2.providerUsed.values())).toEqual(new Set(['sina']))

    // After the cooldown: half-open; Tencent recovered → one probe, then the rest, circuit closed.
    clock.advance(10_001)
    expect(svc.health()[0]!.state).toBe('half_open')
    fake.behaviour.tencent = { kind: 'serve' }
    fake.requests.length = 0
    const r3 = await svc.getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent')).toHaveLength(3)
    expect(new Set(r3.providerUsed.values())).toEqual(new Set(['tencent']))
    t = svc.health()[0]!
    expect(t).toMatchObject({ state: 'closed', consecutiveFailures: 0, openUntil: null })
  })

  it('a failed probe re-opens with a doubled cooldown and sends the rest straight to the next provider', async () => {
    const codes = universe(130)
    const clock = manualClock()
    const svc = service({ clock: clock.now, breaker: { failureThreshold: 1, cooldownMs: 1_000, maxCooldownMs: 3_000 }, concurrency: 4 })
    fake.behaviour.tencent = { kind: 'status', status: 500 }
    await svc.getQuotes(codes, NOW)
    expect(svc.health()[0]!.openUntil).toEqual(new Date(clock.now() + 1_000))

    let cooldown = 1_000
    for (const expected of [2_000, 3_000, 3_000]) {
      clock.advance(cooldown + 1) // just past the open period: half-open
      expect(svc.health()[0]!.state).toBe('half_open')
      fake.requests.length = 0
      const r = await svc.getQuotes(codes, NOW)
      expect(fake.requestsTo('tencent')).toHaveLength(1) // the probe only
      expect(r.quotes.size).toBe(130)
      expect(new Set(r.providerUsed.values())).toEqual(new Set(['sina']))
      expect(svc.health()[0]).toMatchObject({ state: 'open', openUntil: new Date(clock.now() + expected) })
      cooldown = expected
    }
  })

  it('health timestamps use the wall clock, not the caller-supplied now', async () => {
    const codes = universe(1)
    const clock = manualClock(5_000_000)
    const svc = service({ clock: clock.now })
    await svc.getQuotes(codes, new Date('2030-01-01T00:00:00Z'))
    expect(svc.health()[0]!.lastOkAt).toEqual(new Date(5_000_000))
  })
})

describe('quote service: wiring', () => {
  it('logs failures through a pino logger', async () => {
    const lines: Array<Record<string, unknown>> = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l))
        cb()
      },
    })
    const logger = pino({ level: 'debug' }, sink)
    const codes = universe(1)
    fake.behaviour.tencent = { kind: 'status', status: 500 }
    await service({ logger }).getQuotes(codes, NOW)
    await new Promise((r) => setImmediate(r))
    const failed = lines.find((l) => l.msg === 'quote request failed')
    expect(failed).toMatchObject({ provider: 'tencent', kind: 'http', status: 500, level: 40 })
  })

  it('accepts provider objects, and rejects bad configuration', async () => {
    const codes = universe(1)
    const svc = createQuoteService({ providers: [createTencentProvider({ baseUrl: fake.baseUrl })], timeoutMs: 500, concurrency: 1 })
    expect((await svc.getQuotes(codes, NOW)).quotes.get(codes[0]!)!.source).toBe('tencent')
    expect(() => createQuoteService({ providers: [], timeoutMs: 500, concurrency: 1 })).toThrow(RangeError)
    expect(() => createQuoteService({ providers: ['tencent'], timeoutMs: 500, concurrency: 0 })).toThrow(RangeError)
    expect(() => createQuoteService({ providers: ['tencent', 'tencent'], timeoutMs: 500, concurrency: 1 })).toThrow(RangeError)
    // @ts-expect-error unknown provider id
    expect(() => createQuoteService({ providers: ['yahoo'], timeoutMs: 500, concurrency: 1 })).toThrow(RangeError)
  })

  it("the caller's abort signal rejects getQuotes", async () => {
    const codes = universe(1)
    fake.behaviour.tencent = { kind: 'hang' }
    const ac = new AbortController()
    const reason = new Error('stop')
    setTimeout(() => ac.abort(reason), 50)
    await expect(service({ timeoutMs: 5000 }).getQuotes(codes, NOW, { signal: ac.signal })).rejects.toBe(reason)
  })
})

describe('quote service: a poll that straddles a snapshot publication', () => {
  const NEXT = '2026-09-14 14:30:03'
  /**
   * Requests go out one at a time (concurrency 1). The exchange publishes its next snapshot just as
   * the second request arrives: the first was answered with the old one, the others with the new
   * one, in which every code of the first request has moved to 9.99.
   */
  function publishOnSecondRequest() {
    fake.onRequest = (r) => {
      if (r.provider !== 'tencent' || fake.requestsTo('tencent').length !== 2) return
      const first = new Set(fake.requestsTo('tencent')[0]!.codes)
      for (const [c, q] of fake.universe) fake.universe.set(c, { ...q, time: NEXT, last: first.has(c) ? 9.99 : q.last })
    }
  }

  it('asks the request answered before the publication again, at once, and serves the new snapshot', async () => {
    const codes = universe(150) // 3 Tencent requests
    publishOnSecondRequest()
    const r = await service({ concurrency: 1 }).getQuotes(codes, NOW)
    const sent = fake.requestsTo('tencent')
    expect(sent.map((q) => q.codes.length)).toEqual([60, 60, 30, 60])
    expect(sent[3]!.codes).toEqual(sent[0]!.codes)
    expect(new Set([...r.quotes.values()].map((q) => q.time.toISOString()))).toEqual(new Set([bj(NEXT).toISOString()]))
    for (const c of sent[0]!.codes) expect(r.quotes.get(c)!.last).toBe(9.99)
    expect(r.attempts).toEqual([{ provider: 'tencent', requested: 150, delivered: 150, requests: 4, failedRequests: 0 }])
  })

  it('without the retry (straddleRetryMs 0) the first request keeps the old snapshot: the crossing would wait 3 s', async () => {
    const codes = universe(150)
    publishOnSecondRequest()
    const r = await service({ concurrency: 1, straddleRetryMs: 0 }).getQuotes(codes, NOW)
    const sent = fake.requestsTo('tencent')
    expect(sent).toHaveLength(3)
    expect(r.quotes.get(sent[0]!.codes[0]!)!.last).not.toBe(9.99)
  })

  it('a failed second ask keeps the quotes of the first, with no problem reported', async () => {
    const codes = universe(150)
    fake.onRequest = (r) => {
      const n = fake.requestsTo('tencent').length
      if (r.provider !== 'tencent') return
      if (n === 2) for (const [c, q] of fake.universe) fake.universe.set(c, { ...q, time: NEXT })
      if (n === 4) fake.behaviour.tencent = { kind: 'status', status: 502 }
    }
    const r = await service({ concurrency: 1 }).getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent')).toHaveLength(4)
    expect(r.quotes.size).toBe(150)
    expect(r.problems.size).toBe(0)
    expect(r.quotes.get(fake.requestsTo('tencent')[0]!.codes[0]!)!.time.toISOString()).toBe(bj(QUOTE_TIME).toISOString())
    expect(r.attempts[0]).toMatchObject({ provider: 'tencent', delivered: 150, requests: 4, failedRequests: 1 })
  })

  it('one snapshot across every request: no second ask', async () => {
    const codes = universe(150)
    await service({ concurrency: 4 }).getQuotes(codes, NOW)
    expect(fake.requestsTo('tencent')).toHaveLength(3)
  })
})
